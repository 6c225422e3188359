/**
 * The layer readers: what the compiler can run of a node of the graph, read once from its layer's config
 * and weights. A Conv2D/DepthwiseConv2D/Dense it runs itself is a `LinearLayer`, a BatchNormalization over
 * the last axis gives its inference parameters, a standalone activation its `Activation`; `readLayerNode`
 * gives each node the role fusion planning (fusion-plan.ts) works with.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Layer, LayerNode } from '../layers-graph';
import { activationOfLayer, LINEAR, ownActivation, type Activation } from './activations';
import type { BatchNormParams, FoldableKernel } from './fold-batch-norm';
import type { PlanNode } from './fusion-plan';
import { pair, weight, type LayerConfig } from './layer-config';

/** Layers that return their input at inference. */
const IDENTITY_LAYERS = new Set(['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);

/** A Conv2D, DepthwiseConv2D or Dense layer the compiler runs itself. */
export interface LinearLayer {
  kind: FoldableKernel;
  kernel: tf.Tensor;
  bias?: tf.Tensor1D;
  strides: [number, number];
  pad: 'same' | 'valid';
  dilations: [number, number];
}

/** Reads a Conv2D/DepthwiseConv2D/Dense the compiler can run, or undefined. */
function linearLayer(layer: Layer, inputRank: number): LinearLayer | undefined {
  const config = layer.getConfig() as LayerConfig;
  const className = layer.getClassName();
  const bias = weight(layer, 'bias') as tf.Tensor1D | undefined;
  if (className === 'Dense') {
    const kernel = weight(layer, 'kernel');
    if (inputRank !== 2 || !kernel) return undefined;
    return { kind: 'dense', kernel, bias, strides: [1, 1], pad: 'valid', dilations: [1, 1] };
  }
  if (className !== 'Conv2D' && className !== 'DepthwiseConv2D') return undefined;
  if (inputRank !== 4 || (config.dataFormat ?? 'channelsLast') !== 'channelsLast') return undefined;
  if (config.padding !== 'same' && config.padding !== 'valid') return undefined;
  const kernel = weight(layer, className === 'Conv2D' ? 'kernel' : 'depthwise_kernel');
  if (!kernel) return undefined;
  return {
    kind: className === 'Conv2D' ? 'conv2d' : 'depthwise',
    kernel,
    bias,
    strides: pair(config.strides, 1),
    pad: config.padding,
    // tfjs-layers' DepthwiseConv2D ignores its dilation rate; so do we, to stay equal to it.
    dilations: className === 'Conv2D' ? pair(config.dilationRate, 1) : [1, 1],
  };
}

/** A 1×1, stride-1 convolution: a product of the pixels by the filter. */
export function isPointwise(spec: LinearLayer): boolean {
  const [kh, kw] = spec.kernel.shape;
  return spec.kind === 'conv2d' && kh === 1 && kw === 1 && spec.strides[0] === 1 && spec.strides[1] === 1;
}

/** A BatchNormalization over the last axis of a `rank`-D input, or undefined. */
function batchNormParams(layer: Layer, rank: number): BatchNormParams | undefined {
  if (layer.getClassName() !== 'BatchNormalization') return undefined;
  const config = layer.getConfig() as LayerConfig;
  const axis = (config.axis as number | undefined) ?? -1;
  if (axis !== -1 && axis !== rank - 1) return undefined;
  const mean = weight(layer, 'moving_mean') as tf.Tensor1D | undefined;
  const variance = weight(layer, 'moving_variance') as tf.Tensor1D | undefined;
  if (!mean || !variance) return undefined;
  return {
    mean,
    variance,
    gamma: weight(layer, 'gamma') as tf.Tensor1D | undefined,
    beta: weight(layer, 'beta') as tf.Tensor1D | undefined,
    epsilon: (config.epsilon as number | undefined) ?? 1e-3,
  };
}

/** A node of the graph as the compiler reads it; which fields are set follows from its role. */
export interface LayerNodeSpec extends PlanNode {
  node: LayerNode;
  /** The layer to evaluate: the node's own, or the one that replaces the logits' (activation removed). */
  layer: Layer;
  /** The rank of its first input (0 for an input layer). */
  rank: number;
  /** Its weights and attributes ('linear' and 'activated-linear'). */
  linear?: LinearLayer;
  /** The activation it applies: a linear layer's own, or a standalone activation layer's ('activation'). */
  activation?: Activation;
  /** Its inference parameters ('batch-norm'). */
  batchNorm?: BatchNormParams;
}

/** Reads what the compiler can run of `node`, evaluated as `layer`. */
export function readLayerNode(node: LayerNode, layer: Layer): LayerNodeSpec {
  const rank = node.inputTensors[0]?.rank ?? 0;
  const read = { node, layer, rank, inputs: node.inputTensors.map((t) => t.id), outputs: node.outputTensors.map((t) => t.id) };
  // Every role the compiler runs itself reads one input; layers of several (Add, Concatenate, …) are 'other'.
  if (node.inputTensors.length !== 1) return { ...read, role: 'other' };
  if (IDENTITY_LAYERS.has(layer.getClassName())) return { ...read, role: 'identity' };
  const linear = linearLayer(layer, rank);
  if (linear) {
    const activation = ownActivation(layer);
    return { ...read, role: activation === LINEAR ? 'linear' : 'activated-linear', linear, activation };
  }
  const activation = activationOfLayer(layer);
  if (activation) return { ...read, role: 'activation', activation };
  const batchNorm = batchNormParams(layer, rank);
  if (batchNorm) return { ...read, role: 'batch-norm', batchNorm };
  return { ...read, role: 'other' };
}
