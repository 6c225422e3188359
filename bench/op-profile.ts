/**
 * Where a compiled forward pass spends its time, by kind of operation: 1×1 convolutions, depthwise,
 * 3×3 and stem convolutions, squeeze-and-excitation, pooling, dense, element-wise, copies. From
 * `tf.profile` in Node (workerd's clocks do not advance during computation), each kernel's wall time
 * summed over a few passes; TF.js's op wrappers (`…__op`, which contain their kernels) are skipped.
 */
import * as tf from '@tensorflow/tfjs-core';
import { disposeBodyOutput } from '../worker/engine/exposed-model';
import { loadModel } from '../worker/model/load-model';
import type { ModelFolder } from '../scripts/model-folders';

export const OP_KINDS = ['1×1 convolution', 'depthwise', '3×3 / stem convolution', 'squeeze-and-excitation', 'pooling', 'dense', 'element-wise', 'copies', 'other'] as const;
export type OpKind = (typeof OP_KINDS)[number];

const CONVOLUTIONS = new Set(['PointwiseConv2d', 'FusedConv2D', 'Conv2D']);
const DEPTHWISE = new Set(['DepthwiseConv2dBiasActivation', 'FusedDepthwiseConv2D', 'DepthwiseConv2dNative']);
const POOLING = new Set(['AvgPool', 'MaxPool', 'Mean', 'Max']);
const DENSE = new Set(['_FusedMatMul', 'BatchMatMul']);
const ELEMENT_WISE = new Set(['Add', 'AddN', 'Sub', 'Multiply', 'RealDiv', 'Relu', 'Relu6', 'Swish', 'Sigmoid', 'Elu', 'LeakyRelu', 'Prelu', 'Tanh', 'Softmax', 'Exp', 'Maximum', 'Minimum']);
const COPIES = new Set(['Concat', 'Reshape', 'Transpose', 'Slice', 'StridedSlice', 'Pad', 'PadV2', 'Cast', 'Identity', 'Tile', 'GatherV2', 'Pack', 'ExpandDims', 'Squeeze']);

/** One kernel's kind, from its name and shapes: 1×1 work on a 1×1 map is a squeeze-and-excitation gate. */
export function opKind(name: string, inputShapes: (number[] | null)[], outputShape: number[] | undefined): OpKind {
  const spatialOne = !!outputShape && outputShape.length === 4 && outputShape[1] === 1 && outputShape[2] === 1;
  if (CONVOLUTIONS.has(name)) {
    const filter = inputShapes[1];
    const pointwise = name === 'PointwiseConv2d' || (!!filter && filter[0] === 1 && filter[1] === 1);
    return pointwise ? (spatialOne ? 'squeeze-and-excitation' : '1×1 convolution') : '3×3 / stem convolution';
  }
  if (DEPTHWISE.has(name)) return 'depthwise';
  if (POOLING.has(name)) return 'pooling';
  if (DENSE.has(name)) return 'dense';
  if (ELEMENT_WISE.has(name)) {
    const gate = inputShapes.some((s) => !!s && s.length === 4 && s[1] === 1 && s[2] === 1);
    return gate ? 'squeeze-and-excitation' : 'element-wise';
  }
  if (COPIES.has(name)) return 'copies';
  return 'other';
}

export type OpProfile = Record<OpKind, number>;

/** Milliseconds per forward pass by kind (compiled engine, WASM backend), averaged over `passes`. */
export async function profileForward(model: Pick<ModelFolder, 'manifest' | 'files'>, passes = 5): Promise<OpProfile> {
  const loaded = await loadModel(model.manifest, model.files);
  const { width, height } = model.manifest.input;
  const input = tf.randomUniform([1, height, width, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
  const forward = () => {
    const body = loaded.exposed.body(input);
    const logits = loaded.exposed.head(body.activations, body.context);
    disposeBodyOutput(body);
    return logits;
  };
  const totals = Object.fromEntries(OP_KINDS.map((k) => [k, 0])) as OpProfile;
  try {
    tf.dispose(forward());
    for (let i = 0; i < passes; i++) {
      const profile = await tf.profile(forward);
      tf.dispose(profile.result as tf.Tensor);
      for (const k of profile.kernels) {
        if (k.name.endsWith('__op')) continue;
        totals[opKind(k.name, k.inputShapes as (number[] | null)[], k.outputShapes[0] as number[] | undefined)] += Number(k.kernelTimeMs) / passes;
      }
    }
  } finally {
    input.dispose();
    loaded.dispose();
  }
  return totals;
}
