/**
 * EfficientNets as TF.js LayersModels: the inference twin of models/training/efficientnet.py (the compact
 * EfficientNet, swish and squeeze-and-excitation) and of EfficientNet-Lite (ReLU6, no squeeze-and-excitation;
 * models/import/efficientnet-lite), built from the resolved spec the PyTorch side writes into export.json. Layer names
 * follow Keras's EfficientNet ("block2a_dwconv", "top_activation", …), which is how the exporter maps
 * PyTorch weights onto it. Only layers tfjs-layers 4.22 has: no Rescaling/Normalization (the manifest
 * holds the input normalisation), and the model ends in logits (the manifest says "sigmoid").
 *
 * Example: `const model = buildEfficientNet(spec); model.predict(x)` → logits [n, classes].
 */
import * as tfl from '@tensorflow/tfjs-layers';

export interface BlockSpec {
  name: string;
  inputFilters: number;
  outputFilters: number;
  expandRatio: number;
  kernel: number;
  stride: number;
  /** Squeeze-and-excitation width; 0: the block has none (EfficientNet-Lite). */
  seFilters: number;
}

export type EfficientNetActivation = 'swish' | 'relu6';

export interface EfficientNetSpec {
  /** The model's name in model.json. Default "compact_efficientnet". */
  name?: string;
  inputSize: number;
  numClasses: number;
  bnEpsilon: number;
  stemFilters: number;
  blocks: BlockSpec[];
  topFilters: number;
  /** The activation after every batch norm but the projections'. Default swish (EfficientNet); Lite: relu6. */
  activation?: EfficientNetActivation;
}

/** The Grad-CAM layer: the top activation, input of the last global pooling. */
export const GRADCAM_LAYER = 'top_activation';

type Tensor = tfl.SymbolicTensor;

function apply(layer: tfl.layers.Layer, input: Tensor | Tensor[]): Tensor {
  return layer.apply(input) as Tensor;
}

/** Keras's EfficientNet batch norm: over channels, with the spec's epsilon (1e-3, as in training). */
function batchNorm(name: string, epsilon: number, x: Tensor): Tensor {
  return apply(tfl.layers.batchNormalization({ axis: -1, epsilon, momentum: 0.99, name }), x);
}

function activate(activation: EfficientNetActivation, name: string, x: Tensor): Tensor {
  return apply(tfl.layers.activation({ activation, name }), x);
}

/** MBConv: 1×1 expansion, depthwise conv, squeeze-and-excitation (if any), 1×1 projection, residual when shapes allow. */
function mbConv(b: BlockSpec, epsilon: number, activation: EfficientNetActivation, input: Tensor): Tensor {
  const n = b.name;
  const mid = b.inputFilters * b.expandRatio;
  let x = input;
  if (b.expandRatio !== 1) {
    x = apply(tfl.layers.conv2d({ filters: mid, kernelSize: 1, padding: 'same', useBias: false, name: `${n}_expand_conv` }), x);
    x = activate(activation, `${n}_expand_activation`, batchNorm(`${n}_expand_bn`, epsilon, x));
  }
  x = apply(
    tfl.layers.depthwiseConv2d({ kernelSize: b.kernel, strides: b.stride, padding: 'same', useBias: false, name: `${n}_dwconv` }),
    x,
  );
  x = activate(activation, `${n}_activation`, batchNorm(`${n}_bn`, epsilon, x));

  if (b.seFilters > 0) {
    let se = apply(tfl.layers.globalAveragePooling2d({ name: `${n}_se_squeeze` }), x);
    se = apply(tfl.layers.reshape({ targetShape: [1, 1, mid], name: `${n}_se_reshape` }), se);
    se = apply(tfl.layers.conv2d({ filters: b.seFilters, kernelSize: 1, activation, name: `${n}_se_reduce` }), se);
    se = apply(tfl.layers.conv2d({ filters: mid, kernelSize: 1, activation: 'sigmoid', name: `${n}_se_expand` }), se);
    x = apply(tfl.layers.multiply({ name: `${n}_se_excite` }), [x, se]);
  }

  x = apply(tfl.layers.conv2d({ filters: b.outputFilters, kernelSize: 1, padding: 'same', useBias: false, name: `${n}_project_conv` }), x);
  x = batchNorm(`${n}_project_bn`, epsilon, x);
  if (b.stride === 1 && b.inputFilters === b.outputFilters) {
    x = apply(tfl.layers.add({ name: `${n}_add` }), [x, input]);
  }
  return x;
}

/** Builds the (untrained) model; weights come from the exporter. */
export function buildEfficientNet(spec: EfficientNetSpec): tfl.LayersModel {
  const eps = spec.bnEpsilon;
  const activation = spec.activation ?? 'swish';
  const input = tfl.input({ shape: [spec.inputSize, spec.inputSize, 3], name: 'input' });
  let x = apply(
    tfl.layers.conv2d({ filters: spec.stemFilters, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'stem_conv' }),
    input,
  );
  x = activate(activation, 'stem_activation', batchNorm('stem_bn', eps, x));
  for (const block of spec.blocks) x = mbConv(block, eps, activation, x);
  x = apply(tfl.layers.conv2d({ filters: spec.topFilters, kernelSize: 1, padding: 'same', useBias: false, name: 'top_conv' }), x);
  x = activate(activation, GRADCAM_LAYER, batchNorm('top_bn', eps, x));
  x = apply(tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
  const logits = apply(tfl.layers.dense({ units: spec.numClasses, activation: 'linear', name: 'logits' }), x);
  return tfl.model({ inputs: input, outputs: logits, name: spec.name ?? 'compact_efficientnet' });
}
