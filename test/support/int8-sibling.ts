/**
 * The int8 per-channel sibling of a uint8 per-tensor TF Lite classifier (the fixture's MobileNetV2): the
 * same network stored the way TF 2's converter stores full-integer models, so that LiteRT can say what an
 * int8 per-channel file of this network scores. Deterministic: same input bytes, same output bytes.
 *
 * - Activations (and the input and output): uint8 (scale s, zero point z) becomes int8 (s, z − 128), the
 *   same real numbers, so the network computes the same values (LiteRT's int8 SOFTMAX wants the output at
 *   1/256, −128, which a uint8 softmax output at 1/256, 0 becomes).
 * - CONV_2D filters (OHWI, along dimension 0) and DEPTHWISE_CONV_2D filters (1HWC, along dimension 3):
 *   real values requantised symmetrically per output channel, scale_c = max|w_c| / 127, zero point 0.
 * - Their int32 biases: requantised to scale input_scale · scale_c, the scale the integer kernels assume.
 *
 * Only the operators MobileNetV2 uses are carried over (CONV_2D, DEPTHWISE_CONV_2D, ADD, AVERAGE_POOL_2D,
 * RESHAPE, SOFTMAX); metadata is dropped.
 */
import { dequantize } from '../../models/import/tflite/dequantize';
import * as S from '../../models/import/tflite/schema';
import { buildTflite, bytesOf, OptionsType, type OperatorSpec, type TensorSpec } from './tflite-builder';

function optionsOf(code: number, op: S.Operator): OperatorSpec['options'] {
  switch (code) {
    case S.BuiltinOperator.CONV_2D: {
      const o = op.options(S.Conv2DOptions)!;
      return { type: OptionsType.Conv2DOptions, fields: [[0, 'int8', o.padding], [1, 'int32', o.strideW], [2, 'int32', o.strideH], [3, 'int8', o.activation], [4, 'int32', o.dilationW], [5, 'int32', o.dilationH]] };
    }
    case S.BuiltinOperator.DEPTHWISE_CONV_2D: {
      const o = op.options(S.DepthwiseConv2DOptions)!;
      return { type: OptionsType.DepthwiseConv2DOptions, fields: [[0, 'int8', o.padding], [1, 'int32', o.strideW], [2, 'int32', o.strideH], [3, 'int32', o.depthMultiplier], [4, 'int8', o.activation], [5, 'int32', o.dilationW], [6, 'int32', o.dilationH]] };
    }
    case S.BuiltinOperator.ADD:
      return { type: OptionsType.AddOptions, fields: [[0, 'int8', op.options(S.ArithmeticOptions)?.activation ?? 0]] };
    case S.BuiltinOperator.AVERAGE_POOL_2D: {
      const o = op.options(S.Pool2DOptions)!;
      return { type: OptionsType.Pool2DOptions, fields: [[0, 'int8', o.padding], [1, 'int32', o.strideW], [2, 'int32', o.strideH], [3, 'int32', o.filterWidth], [4, 'int32', o.filterHeight], [5, 'int8', o.activation]] };
    }
    case S.BuiltinOperator.RESHAPE:
      return undefined;
    case S.BuiltinOperator.SOFTMAX:
      return { type: OptionsType.SoftmaxOptions, fields: [[0, 'float32', op.options(S.SoftmaxOptions)?.beta ?? 1]] };
    default:
      throw new Error(`int8Sibling: operator ${S.builtinOperatorName(code)} is not carried over`);
  }
}

/** Symmetric int8 per channel along `dimension`: the integers and one scale per channel. */
function perChannelInt8(real: Float32Array, shape: number[], dimension: number): { q: Int32Array; scale: number[] } {
  const channels = shape[dimension];
  const inner = shape.slice(dimension + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => Math.floor(i / inner) % channels;
  const maxAbs = new Float64Array(channels);
  real.forEach((v, i) => (maxAbs[channelOf(i)] = Math.max(maxAbs[channelOf(i)], Math.abs(v))));
  const scale = Array.from(maxAbs, (m) => Math.fround(m > 0 ? m / 127 : 1));
  const q = Int32Array.from(real, (v, i) => Math.max(-127, Math.min(127, Math.round(v / scale[channelOf(i)]))));
  return { q, scale };
}

/** Rebuilds a uint8 per-tensor model as int8 per channel (see the module comment). */
export function int8Sibling(uint8Model: Uint8Array): Uint8Array {
  const model = S.readTfliteModel(uint8Model);
  const subgraph = model.subgraphs[0];
  const tensors = subgraph.tensors;
  const codes = model.operatorCodes.map((c) => c.builtinCode);
  const constant = (t: S.Tensor) => model.buffers[t.buffer]?.data;
  const quantization = (t: S.Tensor) => t.quantization && t.quantization.scale.length > 0 ? t.quantization : undefined;

  const specs: TensorSpec[] = tensors.map((t) => {
    const data = constant(t);
    const q = quantization(t);
    const spec: TensorSpec = { name: t.name, shape: t.shape, type: t.type, data: data && data.length > 0 ? data : undefined };
    if (q && t.type === S.TensorType.UINT8) {
      spec.type = S.TensorType.INT8;
      spec.quantization = { scale: q.scale, zeroPoint: q.zeroPoint.map((z) => z - 128) };
      if (spec.data) spec.data = bytesOf(Int32Array.from(spec.data, (v) => v - 128), S.TensorType.INT8);
    } else if (q) {
      spec.quantization = { scale: q.scale, zeroPoint: q.zeroPoint, quantizedDimension: q.quantizedDimension };
    }
    return spec;
  });

  // Filters and biases become per-channel; the bias scale follows the filter's and the input's.
  for (const op of subgraph.operators) {
    const code = codes[op.opcodeIndex];
    if (code !== S.BuiltinOperator.CONV_2D && code !== S.BuiltinOperator.DEPTHWISE_CONV_2D) continue;
    const [x, w, b] = op.inputs;
    const filter = tensors[w];
    const fq = quantization(filter)!;
    const dimension = code === S.BuiltinOperator.CONV_2D ? 0 : 3;
    const real = dequantize(constant(filter)!, filter.type, filter.shape, fq);
    const { q, scale } = perChannelInt8(real, filter.shape, dimension);
    specs[w] = { ...specs[w], type: S.TensorType.INT8, data: bytesOf(q, S.TensorType.INT8), quantization: { scale, zeroPoint: scale.map(() => 0), quantizedDimension: dimension } };
    if (b === undefined || b < 0) continue;
    const bias = tensors[b];
    const realBias = dequantize(constant(bias)!, bias.type, bias.shape, quantization(bias));
    const inputScale = quantization(tensors[x])!.scale[0];
    const biasScale = scale.map((s) => Math.fround(inputScale * s));
    const qb = Int32Array.from(realBias, (v, c) => Math.round(v / biasScale[c]));
    specs[b] = { ...specs[b], type: S.TensorType.INT32, data: bytesOf(qb, S.TensorType.INT32), quantization: { scale: biasScale, zeroPoint: biasScale.map(() => 0), quantizedDimension: 0 } };
  }

  return buildTflite({
    tensors: specs,
    inputs: subgraph.inputs,
    outputs: subgraph.outputs,
    operators: subgraph.operators.map((op) => ({ op: codes[op.opcodeIndex], inputs: op.inputs, outputs: op.outputs, options: optionsOf(codes[op.opcodeIndex], op) })),
  });
}
