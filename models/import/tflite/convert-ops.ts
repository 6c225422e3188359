/**
 * TF Lite operators → TensorFlow graph nodes, so an imported model runs as a TF.js GraphModel with float
 * weights. Every emitted op has a WASM kernel in TF.js 4.22, and those a Grad-CAM head may contain (pooling,
 * dense/1×1 conv, reshape, element-wise, activations) have gradients that need only WASM kernels.
 * Activations are emitted unfused: TF.js's fused conv gradient always computes the filter gradient
 * (Conv2DBackpropFilter, missing on WASM) and supports no relu6.
 *
 * Layouts (schema.fbs): CONV_2D filters are OHWI (TF: HWIO), DEPTHWISE_CONV_2D filters 1·H·W·(C·M) (TF:
 * H·W·C·M, same memory order), FULLY_CONNECTED weights [out, in] (TF MatMul: [in, out]). TF Lite's SAME
 * padding is TF's. Quantised tensors become float: constants are dequantised here, activations simply
 * flow as real numbers, so QUANTIZE and DEQUANTIZE are identities (a DEQUANTIZE of a constant — float16
 * weights — yields that constant's values).
 */
import { attr, GraphBuilder } from '../tfjs/graph-builder';
import { dequantize, DequantizeError, storedValues, elementCount, isQuantized, type Quantization } from './dequantize';
import type { CheckedBuffer } from './flatbuffer-table';
import * as S from './schema';

/** schema.fbs BuiltinOperator.CUSTOM: the operator is named by OperatorCode.custom_code. */
const CUSTOM_OPERATOR = 32;

export class TfliteImportError extends Error {
  override name = 'TfliteImportError';
}

export class UnsupportedOperatorError extends TfliteImportError {
  override name = 'UnsupportedOperatorError';
  constructor(readonly operators: string[]) {
    super(
      `unsupported TF Lite operator${operators.length > 1 ? 's' : ''}: ${operators.join(', ')} ` +
        `(supported: ${Object.keys(CONVERTERS).sort().join(', ')})`,
    );
  }
}

interface OpContext {
  op: S.Operator;
  /** Base name for the op's nodes: its first output tensor's name. */
  name: string;
  inputs: number[];
  outputs: number[];
}

type OpConverter = (c: ModelConverter, op: OpContext) => void;

/** Node names come from tensor names; MLIR joins the names of fused ops with ";", the first one is the op's own. */
function baseName(tensor: S.Tensor, index: number): string {
  return tensor.name.split(';')[0] || `tensor_${index}`;
}

function paddingName(code: number): string {
  return code === S.Padding.VALID ? 'VALID' : 'SAME';
}

function ohwiToHwio(values: Float32Array, [o, h, w, i]: number[]): Float32Array {
  const out = new Float32Array(values.length);
  for (let k = 0; k < o; k++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < i; c++) out[((y * w + x) * i + c) * o + k] = values[((k * h + y) * w + x) * i + c];
      }
    }
  }
  return out;
}

function transpose2d(values: Float32Array, [rows, cols]: number[]): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

/** A shape for Reshape whose batch dimension follows the input (the head runs one batch row per target class). */
function batchFree(shape: readonly number[]): number[] {
  return shape.length > 0 && shape[0] === 1 ? [-1, ...shape.slice(1)] : [...shape];
}

/** Converts one subgraph; the builder collects the nodes and weights. */
export class ModelConverter {
  readonly #nodeOf = new Map<number, string>();
  readonly #values = new Map<number, Float32Array>();
  /** Tensors that a DEQUANTIZE computes from a constant (float16 weights): the constant they stand for. */
  readonly #dequantizedFrom = new Map<number, number>();
  readonly tensors: S.Tensor[];

  constructor(
    readonly model: S.TfliteModel,
    readonly subgraph: S.SubGraph,
    readonly g: GraphBuilder,
  ) {
    this.tensors = subgraph.tensors;
  }

  tensor(index: number): S.Tensor {
    const tensor = this.tensors[index];
    if (!tensor) throw new TfliteImportError(`tensor ${index} does not exist (the subgraph has ${this.tensors.length})`);
    return tensor;
  }

  shape(index: number): number[] {
    return this.tensor(index).shape;
  }

  /** The constant data of a tensor, or undefined when it is computed at run time. */
  #data(index: number): Uint8Array | undefined {
    const tensor = this.tensor(index);
    if (tensor.buffer === 0) return undefined;
    const buffer = this.model.buffers[tensor.buffer];
    if (!buffer) throw new TfliteImportError(`tensor "${tensor.name}" names buffer ${tensor.buffer}, which does not exist`);
    const data = buffer.data;
    if (data && data.byteLength > 0) return data;
    if (buffer.offset > 1) {
      const file = this.model.fileBytes;
      if (buffer.offset + buffer.size > file.byteLength) throw new TfliteImportError(`the data of tensor "${tensor.name}" lies outside the file`);
      return file.subarray(buffer.offset, buffer.offset + buffer.size);
    }
    return undefined;
  }

  isConstant(index: number): boolean {
    return this.#dequantizedFrom.has(index) || this.#data(index) !== undefined;
  }

  /** Makes `output` a constant with the real values of constant `input` (what DEQUANTIZE of a weight yields). */
  setDequantizedConstant(output: number, input: number): void {
    this.#dequantizedFrom.set(output, input);
  }

  quantization(index: number): Quantization | undefined {
    const q = this.tensor(index).quantization;
    if (!q) return undefined;
    if (q.detailsType !== 0) throw new TfliteImportError(`tensor "${this.tensor(index).name}" uses a custom quantisation`);
    return { scale: q.scale, zeroPoint: q.zeroPoint, quantizedDimension: q.quantizedDimension };
  }

  /** The real values of a constant tensor (dequantised). */
  values(index: number): Float32Array {
    const source = this.#dequantizedFrom.get(index);
    if (source !== undefined) return this.values(source);
    let values = this.#values.get(index);
    if (!values) {
      const data = this.#data(index);
      const tensor = this.tensor(index);
      if (!data) throw new TfliteImportError(`tensor "${tensor.name}" must be a constant`);
      if (tensor.hasSparsity) throw new TfliteImportError(`tensor "${tensor.name}" is sparse; sparse tensors are not supported`);
      try {
        values = dequantize(data, tensor.type, tensor.shape, this.quantization(index));
      } catch (error) {
        if (error instanceof DequantizeError) throw new TfliteImportError(`tensor "${tensor.name}" ${error.message}`);
        throw error;
      }
      this.#values.set(index, values);
    }
    return values;
  }

  /** The integers of a constant tensor (axes, paddings), as stored. */
  ints(index: number): number[] {
    const data = this.#data(index);
    const tensor = this.tensor(index);
    if (!data) throw new TfliteImportError(`tensor "${tensor.name}" must be a constant`);
    if (isQuantized(this.quantization(index)) || (tensor.type !== S.TensorType.INT32 && tensor.type !== S.TensorType.INT64)) {
      throw new TfliteImportError(`tensor "${tensor.name}" should hold plain integers`);
    }
    return Array.from(storedValues(data, tensor.type, elementCount(tensor.shape)));
  }

  /** The node that yields tensor `index`: the op that computed it, or a Const node made on first use. */
  input(index: number): string {
    const known = this.#nodeOf.get(index);
    if (known) return known;
    const tensor = this.tensor(index);
    if (!this.isConstant(index)) {
      throw new TfliteImportError(`tensor "${tensor.name}" is used before any operator computes it`);
    }
    const node = this.g.constant(baseName(tensor, index), this.values(index), tensor.shape);
    this.#nodeOf.set(index, node);
    return node;
  }

  setOutput(index: number, node: string): void {
    this.#nodeOf.set(index, node);
  }

  nodeOf(index: number): string | undefined {
    return this.#nodeOf.get(index);
  }

  /** Applies a fused activation (schema.fbs ActivationFunctionType) to `x`; the last node is named `name`. */
  activation(x: string, code: number, name: string): string {
    switch (code) {
      case S.Activation.NONE:
        return x;
      case S.Activation.RELU:
        return this.g.op(name, 'Relu', [x]);
      case S.Activation.RELU6:
        return this.g.op(name, 'Relu6', [x]);
      case S.Activation.RELU_N1_TO_1:
        return this.g.op(name, 'ClipByValue', [x, this.g.scalar(`${name}/min`, -1), this.g.scalar(`${name}/max`, 1)]);
      case S.Activation.TANH:
        return this.g.op(name, 'Tanh', [x]);
      default:
        throw new TfliteImportError(`fused activation ${code} (SIGN_BIT or unknown) is not supported`);
    }
  }

  /** Converts every operator of the subgraph, in order. */
  convert(): void {
    const codes = this.model.operatorCodes;
    const operators = this.subgraph.operators;
    const opName = (op: S.Operator) => {
      const code = codes[op.opcodeIndex];
      if (!code) throw new TfliteImportError(`an operator names operator code ${op.opcodeIndex}, which does not exist`);
      return code.builtinCode === CUSTOM_OPERATOR ? `CUSTOM (${code.customCode ?? 'unnamed'})` : S.builtinOperatorName(code.builtinCode);
    };
    const unsupported = [...new Set(operators.map(opName).filter((name) => !(name in CONVERTERS)))];
    if (unsupported.length > 0) throw new UnsupportedOperatorError(unsupported);
    for (const op of operators) {
      const outputs = op.outputs;
      if (outputs.length === 0) throw new TfliteImportError(`a ${opName(op)} operator has no output`);
      const name = baseName(this.tensor(outputs[0]), outputs[0]);
      CONVERTERS[opName(op)]!(this, { op, name, inputs: op.inputs, outputs });
    }
  }
}

function options<T>(op: OpContext, Kind: new (buf: CheckedBuffer, pos: number) => T, what: string): T {
  const value = op.op.options(Kind);
  if (!value) throw new TfliteImportError(`${what} "${op.name}" has no options`);
  return value;
}

/** Arithmetic (ADD, SUB, MUL) with its fused activation. */
function binary(tfOp: string): OpConverter {
  return (c, op) => {
    const fused = op.op.options(S.ArithmeticOptions)?.activation ?? S.Activation.NONE;
    const [a, b] = op.inputs.map((i) => c.input(i));
    const sum = c.g.op(fused ? `${op.name}/${tfOp}` : op.name, tfOp, [a, b]);
    c.setOutput(op.outputs[0], c.activation(sum, fused, op.name));
  };
}

function unary(tfOp: string): OpConverter {
  return (c, op) => c.setOutput(op.outputs[0], c.g.op(op.name, tfOp, [c.input(op.inputs[0])]));
}

function identity(c: ModelConverter, op: OpContext): void {
  c.setOutput(op.outputs[0], c.input(op.inputs[0]));
}

/**
 * DEQUANTIZE of a constant is how TF's float16 quantisation stores weights (FLOAT16 constant → DEQUANTIZE →
 * CONV_2D filter): its output is that constant's real values, readable wherever an op needs a constant.
 * Of a computed tensor it is an identity, as activations already flow as real numbers.
 */
function dequantizeOp(c: ModelConverter, op: OpContext): void {
  const [x] = op.inputs;
  if (c.isConstant(x)) c.setDequantizedConstant(op.outputs[0], x);
  else identity(c, op);
}

function withBias(c: ModelConverter, op: OpContext, x: string, biasIndex: number | undefined, fused: number): string {
  const hasBias = biasIndex !== undefined && biasIndex >= 0;
  const y = hasBias ? c.g.op(fused ? `${op.name}/BiasAdd` : op.name, 'BiasAdd', [x, c.input(biasIndex)], { data_format: attr.string('NHWC') }) : x;
  return c.activation(y, fused, op.name);
}

function pool(tfOp: 'AvgPool' | 'MaxPool'): OpConverter {
  return (c, op) => {
    const o = options(op, S.Pool2DOptions, tfOp);
    const fused = o.activation;
    const y = c.g.op(fused ? `${op.name}/${tfOp}` : op.name, tfOp, [c.input(op.inputs[0])], {
      ksize: attr.ints([1, o.filterHeight, o.filterWidth, 1]),
      strides: attr.ints([1, o.strideH, o.strideW, 1]),
      padding: attr.string(paddingName(o.padding)),
      data_format: attr.string('NHWC'),
    });
    c.setOutput(op.outputs[0], c.activation(y, fused, op.name));
  };
}

const CONVERTERS: Record<string, OpConverter> = {
  CONV_2D(c, op) {
    const o = options(op, S.Conv2DOptions, 'CONV_2D');
    const [x, w, b] = op.inputs;
    const shape = c.shape(w);
    if (shape.length !== 4) throw new TfliteImportError(`CONV_2D "${op.name}" has a ${shape.length}-D filter`);
    const [outC, h, wd, inC] = shape;
    const filter = c.g.constant(baseName(c.tensor(w), w), ohwiToHwio(c.values(w), shape), [h, wd, inC, outC]);
    const fused = o.activation;
    const conv = c.g.op(b !== undefined && b >= 0 || fused ? `${op.name}/Conv2D` : op.name, 'Conv2D', [c.input(x), filter], {
      strides: attr.ints([1, o.strideH, o.strideW, 1]),
      padding: attr.string(paddingName(o.padding)),
      dilations: attr.ints([1, o.dilationH, o.dilationW, 1]),
      data_format: attr.string('NHWC'),
    });
    c.setOutput(op.outputs[0], withBias(c, op, conv, b, fused));
  },

  DEPTHWISE_CONV_2D(c, op) {
    const o = options(op, S.DepthwiseConv2DOptions, 'DEPTHWISE_CONV_2D');
    const [x, w, b] = op.inputs;
    const shape = c.shape(w);
    const inC = c.shape(x)[3];
    if (shape.length !== 4 || shape[0] !== 1 || !inC || shape[3] % inC !== 0) {
      throw new TfliteImportError(`DEPTHWISE_CONV_2D "${op.name}": filter [${shape}] does not fit ${inC} input channels`);
    }
    const [, h, wd, channels] = shape;
    const multiplier = channels / inC;
    if (o.depthMultiplier > 0 && o.depthMultiplier !== multiplier) {
      throw new TfliteImportError(`DEPTHWISE_CONV_2D "${op.name}": depth multiplier ${o.depthMultiplier} does not match its filter (${multiplier})`);
    }
    // [1, H, W, C·M] and [H, W, C, M] share one memory order: output channel c·M + m in both.
    const filter = c.g.constant(baseName(c.tensor(w), w), c.values(w), [h, wd, inC, multiplier]);
    const fused = o.activation;
    const conv = c.g.op(b !== undefined && b >= 0 || fused ? `${op.name}/depthwise` : op.name, 'DepthwiseConv2dNative', [c.input(x), filter], {
      strides: attr.ints([1, o.strideH, o.strideW, 1]),
      padding: attr.string(paddingName(o.padding)),
      dilations: attr.ints([1, o.dilationH, o.dilationW, 1]),
      data_format: attr.string('NHWC'),
    });
    c.setOutput(op.outputs[0], withBias(c, op, conv, b, fused));
  },

  FULLY_CONNECTED(c, op) {
    const o = op.op.options(S.FullyConnectedOptions);
    if (o && o.weightsFormat !== 0) throw new TfliteImportError(`FULLY_CONNECTED "${op.name}" uses shuffled weights`);
    const [x, w, b] = op.inputs;
    const shape = c.shape(w);
    if (shape.length !== 2) throw new TfliteImportError(`FULLY_CONNECTED "${op.name}" has a ${shape.length}-D weight`);
    const [units, depth] = shape;
    const inShape = c.shape(x);
    // TF Lite flattens every input dimension but the last into rows.
    const rows = inShape.length === 2 && inShape[1] === depth ? c.input(x) : c.g.op(`${op.name}/flatten`, 'Reshape', [c.input(x), c.g.ints(`${op.name}/flatten/shape`, [-1, depth])]);
    const kernel = c.g.constant(baseName(c.tensor(w), w), transpose2d(c.values(w), shape), [depth, units]);
    const fused = o?.activation ?? S.Activation.NONE;
    const outShape = c.shape(op.outputs[0]);
    const reshapeAfter = outShape.length > 2;
    const hasBias = b !== undefined && b >= 0;
    const product = c.g.op(hasBias || fused || reshapeAfter ? `${op.name}/MatMul` : op.name, 'MatMul', [rows, kernel], {
      transpose_a: attr.bool(false),
      transpose_b: attr.bool(false),
    });
    let y = withBias(c, { ...op, name: reshapeAfter ? `${op.name}/dense` : op.name }, product, b, fused);
    if (reshapeAfter) y = c.g.op(op.name, 'Reshape', [y, c.g.ints(`${op.name}/shape`, batchFree(outShape))]);
    c.setOutput(op.outputs[0], y);
  },

  ADD: binary('AddV2'),
  SUB: binary('Sub'),
  MUL: binary('Mul'),
  AVERAGE_POOL_2D: pool('AvgPool'),
  MAX_POOL_2D: pool('MaxPool'),

  MEAN(c, op) {
    const [x, axes] = op.inputs;
    const rank = c.shape(x).length;
    const axis = c.ints(axes).map((a) => (a < 0 ? a + rank : a));
    const keepDims = op.op.options(S.ReducerOptions)?.keepDims ?? false;
    c.setOutput(op.outputs[0], c.g.op(op.name, 'Mean', [c.input(x), c.g.ints(`${op.name}/axes`, axis)], {
      keep_dims: attr.bool(keepDims),
      Tidx: attr.dtype('int32'),
    }));
  },

  RESHAPE(c, op) {
    // The target shape is the output tensor's (the shape input may be computed at run time).
    const shape = batchFree(c.shape(op.outputs[0]));
    c.setOutput(op.outputs[0], c.g.op(op.name, 'Reshape', [c.input(op.inputs[0]), c.g.ints(`${op.name}/shape`, shape)]));
  },

  SQUEEZE(c, op) {
    const inShape = c.shape(op.inputs[0]);
    const given = op.op.options(S.SqueezeOptions)?.squeezeDims ?? [];
    // Without explicit dims TF Lite drops every 1-sized dimension; the batch one must stay.
    const dims = given.length > 0 ? given.map((d) => (d < 0 ? d + inShape.length : d)) : inShape.flatMap((d, i) => (d === 1 && i > 0 ? [i] : []));
    c.setOutput(op.outputs[0], c.g.op(op.name, 'Squeeze', [c.input(op.inputs[0])], { squeeze_dims: attr.ints(dims) }));
  },

  SOFTMAX(c, op) {
    const beta = op.op.options(S.SoftmaxOptions)?.beta ?? 1;
    let x = c.input(op.inputs[0]);
    if (beta !== 1) x = c.g.op(`${op.name}/beta`, 'Mul', [x, c.g.scalar(`${op.name}/beta/value`, beta)]);
    c.setOutput(op.outputs[0], c.g.op(op.name, 'Softmax', [x]));
  },

  LOGISTIC: unary('Sigmoid'),
  TANH: unary('Tanh'),
  RELU: unary('Relu'),
  RELU6: unary('Relu6'),

  HARD_SWISH(c, op) {
    // x · relu6(x + 3) / 6 (Howard et al. 2019, "Searching for MobileNetV3", eq. 2).
    const x = c.input(op.inputs[0]);
    const shifted = c.g.op(`${op.name}/add`, 'AddV2', [x, c.g.scalar(`${op.name}/three`, 3)]);
    const gate = c.g.op(`${op.name}/relu6`, 'Relu6', [shifted]);
    const product = c.g.op(`${op.name}/mul`, 'Mul', [x, gate]);
    c.setOutput(op.outputs[0], c.g.op(op.name, 'Mul', [product, c.g.scalar(`${op.name}/sixth`, 1 / 6)]));
  },

  PAD(c, op) {
    const [x, paddings] = op.inputs;
    const values = c.ints(paddings);
    c.setOutput(op.outputs[0], c.g.op(op.name, 'Pad', [c.input(x), c.g.ints(`${op.name}/paddings`, values, [values.length / 2, 2])], {
      Tpaddings: attr.dtype('int32'),
    }));
  },

  CONCATENATION(c, op) {
    const o = op.op.options(S.ConcatenationOptions);
    const rank = c.shape(op.outputs[0]).length;
    const axis = (o?.axis ?? 0) < 0 ? (o?.axis ?? 0) + rank : (o?.axis ?? 0);
    const fused = o?.activation ?? S.Activation.NONE;
    const inputs = op.inputs.map((i) => c.input(i));
    const y = c.g.op(fused ? `${op.name}/concat` : op.name, 'ConcatV2', [...inputs, c.g.ints(`${op.name}/axis`, [axis], [])], {
      N: attr.int(inputs.length),
      Tidx: attr.dtype('int32'),
    });
    c.setOutput(op.outputs[0], c.activation(y, fused, op.name));
  },

  QUANTIZE: identity,
  DEQUANTIZE: dequantizeOp,
};
