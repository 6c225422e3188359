/**
 * Compiles a TF.js LayersModel, split at its Grad-CAM layer, into plain programs of TF.js ops: the same
 * `ExposedModel` as `exposeLayersModel` (same split, same layer names, same maps to float rounding) at a
 * fraction of the cost. At load time it
 *  - folds each inference-mode BatchNormalization into the convolution or dense layer before it
 *    (model/optimize/fold-batch-norm.ts);
 *  - fuses bias and activation into that op where TF.js has a fused kernel (relu, relu6, elu, sigmoid,
 *    leaky ReLU); swish, which has none, runs as one pass of runtime/kernels/swish-kernel.ts where the
 *    backend has it (x·σ(x), two passes, elsewhere; tfjs-layers makes three); a depthwise convolution
 *    with its bias and a linear, ReLU, ReLU6 or swish activation runs as one pass of
 *    runtime/kernels/depthwise-conv-kernel.ts where it applies;
 *  - runs 1×1 convolutions (most of an EfficientNet's or MobileNet's time) with their bias and a linear,
 *    ReLU, ReLU6 or swish activation as one pass of runtime/kernels/pointwise-conv-kernel.ts, from
 *    filters packed once here, where the backend has it;
 *  - turns every layer into one closure over its weights and attributes, skipping tfjs-layers' per-call
 *    work (symbolic checks, kwargs, a tidy scope per layer);
 *  - frees each activation as soon as its last reader has run, so the body's memory peak is a few
 *    activations rather than all of them.
 * The head stays differentiable without the WASM backend's missing gradient kernels: it uses unfused
 * convolutions, whose gradient w.r.t. the input does not compute the filter gradient (fused ones do), and
 * dense layers whose gradient avoids the backend's slow transposed MatMul.
 * A layer the compiler does not know runs through its own `apply`, so any model compiles.
 *
 * Example: `const compiled = compileLayersModel(model); const exposed = compiled.expose({ layer: 'auto' })`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { foldBatchNorm, type BatchNormParams, type FoldableKernel, type FoldedWeights } from '../model/optimize/fold-batch-norm';
import { depthwiseConv2dFused } from '../runtime/kernels/depthwise-conv-kernel';
import type { FusedActivation } from '../runtime/kernels/fused-activation';
import { packPointwiseFilter, POINTWISE_CONV2D, pointwiseConv2d, type PackedPointwiseFilter } from '../runtime/kernels/pointwise-conv-kernel';
import { swish } from '../runtime/kernels/swish-kernel';
import type { ExposedModel, HeadContext } from './exposed-model';
import { spatialMean, spatialMeanWithGradient } from './spatial-mean';
import { splitLayersGraph, splitShapes, type ExposeLayersOptions, type LayersGraphSplit } from './expose-layers-model';

type SymbolicTensor = tfl.SymbolicTensor;
type Layer = tfl.layers.Layer;
type LayerNode = Layer['inboundNodes'][number];
// Layer configs are plain serialisable dictionaries; each reader below checks the fields it uses.
type LayerConfig = Record<string, any>;

export interface CompileLayersOptions {
  /** Fold BatchNormalization into the preceding Conv2D/DepthwiseConv2D/Dense. Default true. */
  foldBatchNorm?: boolean;
  /** Fuse bias and a fusable activation into the convolution's kernel. Default true. */
  fuseActivations?: boolean;
  /** Run swish in the body as one pass of the Swish kernel (runtime/kernels), where registered. Default true. */
  swishKernel?: boolean;
  /**
   * Run a depthwise convolution with its bias and activation in the body as one pass of the
   * DepthwiseConv2dBiasActivation kernel (runtime/kernels), where registered and applicable. Default true.
   */
  depthwiseKernel?: boolean;
  /**
   * Run a 1×1, stride-1 convolution in the body with its bias and activation as one pass of the
   * PointwiseConv2d kernel (runtime/kernels), from packed filters, where registered. Default true.
   */
  pointwiseKernel?: boolean;
}

/** A model compiled once; `expose` splits it at a layer (cheap: programs share the folded weights). */
export interface CompiledLayersModel {
  expose(options?: ExposeLayersOptions): ExposedModel;
  /** Frees the folded weights (the LayersModel itself stays the caller's). */
  dispose(): void;
}

/** One op of a program: reads value slots (symbolic tensor ids), writes the node's outputs. */
interface Step {
  /** The layers it evaluates, for error messages. */
  name: string;
  inputs: number[];
  outputs: number[];
  run(inputs: tf.Tensor[]): tf.Tensor[];
}

interface Program {
  steps: Step[];
  /** Slots last read by each step: disposed right after it. */
  release: number[][];
  /** Outputs of identity layers, by the slot that holds their value. */
  alias: ReadonlyMap<number, number>;
}

/** Body programs run fused kernels; head programs are differentiated and avoid them (see top). */
type Mode = 'body' | 'head';

interface Activation {
  /** The name TF.js's fused kernels know it by, when they do. */
  fused?: tf.fused.Activation;
  leakyreluAlpha?: number;
  /** Applies it alone, differentiably; returns a new tensor (never `x`, except for linear). */
  apply(x: tf.Tensor): tf.Tensor;
  /** A faster way without a gradient, for the body. */
  applyForward?(x: tf.Tensor): tf.Tensor;
  /** The name the convolution kernels (PointwiseConv2d, DepthwiseConv2dBiasActivation) know it by, when they do. */
  kernel?: FusedActivation;
}

const LINEAR: Activation = { fused: 'linear', kernel: 'linear', apply: (x) => x };

/** Activations by the name tfjs-layers serialises them as; others fall back to the layer's own object. */
const ACTIVATIONS: Record<string, Activation> = {
  linear: LINEAR,
  relu: { fused: 'relu', kernel: 'relu', apply: (x) => tf.relu(x) },
  relu6: { fused: 'relu6', kernel: 'relu6', apply: (x) => tf.relu6(x) },
  elu: { fused: 'elu', apply: (x) => tf.elu(x) },
  sigmoid: { fused: 'sigmoid', apply: (x) => tf.sigmoid(x) },
  tanh: { apply: (x) => tf.tanh(x) },
  softmax: { apply: (x) => tf.softmax(x) },
  swish: {
    kernel: 'swish',
    apply: (x) => {
      const gate = tf.sigmoid(x);
      const y = tf.mul(gate, x);
      gate.dispose();
      return y;
    },
    applyForward: swish,
  },
};

/** The activation as a program of `mode` runs it: the body may take a faster path without a gradient. */
function forMode(activation: Activation, mode: Mode, options: Required<CompileLayersOptions>): Activation {
  return mode === 'body' && options.swishKernel && activation.applyForward ? { ...activation, apply: activation.applyForward } : activation;
}

const IDENTITY_LAYERS = new Set(['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);

function inboundNode(t: SymbolicTensor): LayerNode {
  return t.sourceLayer.inboundNodes[t.nodeIndex];
}

function weight(layer: Layer, name: string): tf.Tensor | undefined {
  return layer.weights.find((w) => w.originalName.endsWith(`/${name}`))?.read();
}

function pair(value: number | number[] | undefined, fallback: number): [number, number] {
  if (value === undefined || value === null) return [fallback, fallback];
  return typeof value === 'number' ? [value, value] : [value[0], value[1] ?? value[0]];
}

/** The activation a standalone activation layer applies, when the compiler can run it itself. */
function activationOfLayer(layer: Layer): Activation | undefined {
  const config = layer.getConfig() as LayerConfig;
  switch (layer.getClassName()) {
    case 'Activation':
      return ACTIVATIONS[config.activation as string];
    case 'ReLU':
      if (config.maxValue == null) return ACTIVATIONS.relu;
      return config.maxValue === 6 ? ACTIVATIONS.relu6 : undefined;
    case 'LeakyReLU': {
      const alpha = (config.alpha as number | undefined) ?? 0.3;
      return { fused: 'leakyrelu', leakyreluAlpha: alpha, apply: (x) => tf.leakyRelu(x, alpha) };
    }
    case 'ELU':
      return (config.alpha ?? 1) === 1 ? ACTIVATIONS.elu : undefined;
    case 'Softmax':
      return config.axis === -1 || config.axis == null ? ACTIVATIONS.softmax : undefined;
    default:
      return undefined;
  }
}

/** The activation a Conv2D/DepthwiseConv2D/Dense applies itself. */
function ownActivation(layer: Layer): Activation {
  const name = (layer.getConfig() as LayerConfig).activation as string | undefined;
  if (name === undefined) return LINEAR;
  const known = ACTIVATIONS[name];
  if (known) return known;
  const own = (layer as unknown as { activation: { apply(x: tf.Tensor): tf.Tensor } }).activation;
  return { apply: (x) => own.apply(x) };
}

interface LinearLayer {
  kind: FoldableKernel;
  kernel: tf.Tensor;
  bias?: tf.Tensor1D;
  strides: [number, number];
  pad: 'same' | 'valid';
  dilations: [number, number];
}

/**
 * A linear layer's weights as a program runs them: its own, or with a batch norm folded in; a dense
 * layer of the head also has its kernel transposed, for its gradient (denseWithFastGradient).
 */
type LinearWeights = { kernel: tf.Tensor; bias?: tf.Tensor1D; transposedKernel?: tf.Tensor2D };

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
function isPointwise(spec: LinearLayer): boolean {
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

/**
 * Runs a linear layer with its (folded) weights and an activation: fused in the body, op by op in the head.
 * `depthwiseKernel`: the layer is a depthwise convolution that may run with its bias and this activation
 * as one pass of the DepthwiseConv2dBiasActivation kernel.
 */
function linearOp(spec: LinearLayer, weights: LinearWeights, activation: Activation, mode: Mode, fuse: boolean, depthwiseKernel?: FusedActivation) {
  const { kernel, bias } = weights;
  const { strides, pad, dilations } = spec;
  if (mode === 'body' && fuse) {
    const fused = activation.fused ?? 'linear';
    const leakyreluAlpha = activation.leakyreluAlpha;
    const after = activation.fused ? undefined : activation;
    return (x: tf.Tensor): tf.Tensor => {
      if (depthwiseKernel && bias) {
        const y = depthwiseConv2dFused(x as tf.Tensor4D, kernel as tf.Tensor4D, bias, { strides, pad, activation: depthwiseKernel });
        if (y) return y;
      }
      let z: tf.Tensor;
      if (spec.kind === 'dense') {
        z = tf.fused.matMul({ a: x as tf.Tensor2D, b: kernel as tf.Tensor2D, bias, activation: fused, leakyreluAlpha });
      } else {
        const args = { x: x as tf.Tensor4D, filter: kernel as tf.Tensor4D, strides, pad, dataFormat: 'NHWC' as const, dilations, bias, activation: fused, leakyreluAlpha };
        z = spec.kind === 'conv2d' ? tf.fused.conv2d(args) : tf.fused.depthwiseConv2d(args);
      }
      if (!after) return z;
      const y = after.apply(z);
      z.dispose();
      return y;
    };
  }
  const dense =
    spec.kind !== 'dense' ? undefined
    : weights.transposedKernel ? denseWithFastGradient(kernel as tf.Tensor2D, weights.transposedKernel)
    : (x: tf.Tensor) => tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D);
  return (x: tf.Tensor): tf.Tensor => {
    let z: tf.Tensor = dense
      ? dense(x)
      : spec.kind === 'conv2d'
        ? tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, strides, pad, 'NHWC', dilations)
        : tf.depthwiseConv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, strides, pad, 'NHWC', dilations);
    if (bias) {
      const biased = tf.add(z, bias);
      z.dispose();
      z = biased;
    }
    const y = activation.apply(z);
    if (y !== z) z.dispose();
    return y;
  };
}

/**
 * x·W whose gradient is dy·Wᵀ with Wᵀ transposed once, at load: TF.js's own gradient of a MatMul
 * multiplies by a transposed operand, a slow path in the WASM backend (3.5 ms against 0.34 for B0's
 * 1280×1000 classifier and three targets).
 */
function denseWithFastGradient(kernel: tf.Tensor2D, transposedKernel: tf.Tensor2D): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad((x) => ({
    value: tf.matMul(x as tf.Tensor2D, kernel),
    gradFunc: (dy) => tf.matMul(dy as tf.Tensor2D, transposedKernel),
  }));
}

/**
 * The weights each (linear layer, batch norm absorbed or none) pair runs with, made once and shared by
 * every split of one model: folded for TF.js's ops, or packed for the PointwiseConv2d kernel. A 1×1
 * convolution of the body needs only the packed form, so the folded one is not kept for it.
 */
class LinearWeightCache {
  readonly #entries = new Map<Layer, Map<Layer | undefined, { folded?: FoldedWeights; packed?: PackedPointwiseFilter | null; transposed?: tf.Tensor2D }>>();

  #entry(linear: Layer, bnLayer: Layer | undefined) {
    let byBn = this.#entries.get(linear);
    if (!byBn) this.#entries.set(linear, (byBn = new Map()));
    let entry = byBn.get(bnLayer);
    if (!entry) byBn.set(bnLayer, (entry = {}));
    return entry;
  }

  /** The layer's weights with `bn` folded in; its own weights (not the cache's) when there is no bn. */
  folded(linear: Layer, spec: LinearLayer, bnLayer?: Layer, bn?: BatchNormParams): LinearWeights {
    if (!bnLayer || !bn) return spec;
    const entry = this.#entry(linear, bnLayer);
    if (!entry.folded) {
      entry.folded = foldBatchNorm(spec.kind, spec.kernel, spec.bias, bn);
      tf.keep(entry.folded.kernel);
      tf.keep(entry.folded.bias);
    }
    return entry.folded;
  }

  /** The same weights with a dense kernel's transpose, for a head's gradient. */
  withTransposedKernel(linear: Layer, spec: LinearLayer, bnLayer?: Layer, bn?: BatchNormParams): LinearWeights {
    const weights = this.folded(linear, spec, bnLayer, bn);
    const entry = this.#entry(linear, bnLayer);
    entry.transposed ??= tf.keep(tf.transpose(weights.kernel as tf.Tensor2D));
    return { ...weights, transposedKernel: entry.transposed };
  }

  /** The same weights packed for PointwiseConv2d, or undefined when the kernel cannot take them. */
  packed(linear: Layer, spec: LinearLayer, bnLayer?: Layer, bn?: BatchNormParams): PackedPointwiseFilter | undefined {
    const entry = this.#entry(linear, bnLayer);
    if (entry.packed === undefined) {
      const cached = Boolean(entry.folded);
      const weights = this.folded(linear, spec, bnLayer, bn);
      entry.packed = packPointwiseFilter(weights.kernel as tf.Tensor4D, weights.bias) ?? null;
      if (entry.packed) {
        tf.keep(entry.packed.panels);
        tf.keep(entry.packed.bias);
      }
      // Folded only to be packed: the program never reads it.
      if (entry.packed && !cached && entry.folded) {
        tf.dispose([entry.folded.kernel, entry.folded.bias]);
        entry.folded = undefined;
      }
    }
    return entry.packed ?? undefined;
  }

  dispose(): void {
    for (const byBn of this.#entries.values()) {
      for (const { folded, packed, transposed } of byBn.values()) {
        if (folded) tf.dispose([folded.kernel, folded.bias]);
        if (transposed) transposed.dispose();
        if (packed) tf.dispose([packed.panels, packed.bias]);
      }
    }
    this.#entries.clear();
  }
}

interface ProgramSpec {
  split: LayersGraphSplit;
  /** Slots given when the program runs. */
  known: SymbolicTensor[];
  outputs: SymbolicTensor[];
  mode: Mode;
}

/** Compiles what `outputs` need from `known`, layer by layer, fusing where no one else reads in between. */
function compileProgram({ split, known, outputs, mode }: ProgramSpec, cache: LinearWeightCache, options: Required<CompileLayersOptions>): Program {
  const knownIds = new Set(known.map((t) => t.id));
  // Nodes to evaluate, in evaluation order: everything between the known slots and the outputs.
  const needed = new Set<number>();
  const visit = (t: SymbolicTensor) => {
    if (knownIds.has(t.id) || needed.has(t.id)) return;
    needed.add(t.id);
    for (const i of inboundNode(t).inputTensors) visit(i);
  };
  outputs.forEach(visit);
  const nodes: LayerNode[] = [];
  for (const t of split.order) {
    const node = inboundNode(t);
    if (needed.has(t.id) && !nodes.includes(node)) nodes.push(node);
  }

  // Identity layers (dropout at inference) add no step: their output is another name for their input.
  const alias = new Map<number, number>();
  const slot = (id: number): number => alias.get(id) ?? id;
  const readers = new Map<number, LayerNode[]>();
  for (const node of nodes) {
    if (IDENTITY_LAYERS.has(node.outboundLayer.getClassName()) && node.inputTensors.length === 1) {
      alias.set(node.outputTensors[0].id, slot(node.inputTensors[0].id));
      continue;
    }
    for (const i of node.inputTensors) readers.set(slot(i.id), [...(readers.get(slot(i.id)) ?? []), node]);
  }
  // A slot read by the caller (an output) or given by it must exist as a tensor: no fusing through it.
  const pinned = new Set([...known, ...outputs].map((t) => slot(t.id)));
  const soleReader = (id: number): LayerNode | undefined => {
    const r = readers.get(slot(id));
    return !pinned.has(slot(id)) && r?.length === 1 && r[0].inputTensors.length === 1 ? r[0] : undefined;
  };
  const layerOf = (node: LayerNode): Layer =>
    node.outputTensors[0].id === split.logits.tensor.id && split.logits.replacement ? split.logits.replacement : node.outboundLayer;

  const absorbed = new Set<LayerNode>();
  const steps: Step[] = [];
  for (const node of nodes) {
    if (absorbed.has(node) || alias.has(node.outputTensors[0].id)) continue;
    const layer = layerOf(node);
    const inputIds = node.inputTensors.map((t) => slot(t.id));
    const rank = node.inputTensors[0]?.rank ?? 0;
    const single = (name: string, run: (x: tf.Tensor) => tf.Tensor, outputs = node.outputTensors): Step => ({
      name,
      inputs: inputIds,
      outputs: outputs.map((t) => t.id),
      run: ([x]) => [run(x)],
    });

    const linear = node.inputTensors.length === 1 ? linearLayer(layer, rank) : undefined;
    if (linear) {
      const names = [layer.name];
      let out = node.outputTensors[0];
      let activation = ownActivation(layer);
      const bnNode = activation === LINEAR && options.foldBatchNorm ? soleReader(out.id) : undefined;
      const bn = bnNode ? batchNormParams(layerOf(bnNode), out.rank) : undefined;
      const bnLayer = bnNode && bn ? layerOf(bnNode) : undefined;
      if (bnNode && bn) {
        absorbed.add(bnNode);
        names.push(layerOf(bnNode).name);
        out = bnNode.outputTensors[0];
      }
      const actNode = activation === LINEAR && options.fuseActivations ? soleReader(out.id) : undefined;
      const absorbedActivation = actNode ? activationOfLayer(layerOf(actNode)) : undefined;
      if (actNode && absorbedActivation) {
        activation = absorbedActivation;
        absorbed.add(actNode);
        names.push(layerOf(actNode).name);
        out = actNode.outputTensors[0];
      }
      const pointwiseActivation = activation.kernel;
      if (mode === 'body' && options.pointwiseKernel && options.fuseActivations && pointwiseActivation && isPointwise(linear) && tf.getKernel(POINTWISE_CONV2D, tf.getBackend())) {
        const packed = cache.packed(layer, linear, bnLayer, bn);
        if (packed) {
          steps.push(single(names.join('+'), (x) => pointwiseConv2d(x as tf.Tensor4D, packed, pointwiseActivation), [out]));
          continue;
        }
      }
      const weights = mode === 'head' && linear.kind === 'dense' ? cache.withTransposedKernel(layer, linear, bnLayer, bn) : cache.folded(layer, linear, bnLayer, bn);
      const depthwiseKernel = mode === 'body' && options.depthwiseKernel && linear.kind === 'depthwise' ? activation.kernel : undefined;
      const op = linearOp(linear, weights, forMode(activation, mode, options), mode, options.fuseActivations, depthwiseKernel);
      steps.push(single(names.join('+'), op, [out]));
      continue;
    }
    steps.push(compileLayer(node, layer, inputIds, rank, (a) => forMode(a, mode, options), mode, single));
  }

  // Release each slot after its last reader; outputs and given slots belong to the caller.
  const lastRead = new Map<number, number>();
  steps.forEach((step, i) => {
    for (const id of step.inputs) lastRead.set(id, i);
    for (const id of step.outputs) if (!lastRead.has(id)) lastRead.set(id, i);
  });
  const release = steps.map(() => [] as number[]);
  for (const [id, i] of lastRead) if (!pinned.has(id)) release[i].push(id);
  return { steps, release: release.map((ids) => [...new Set(ids)]), alias };
}

/** A step for one layer that is not (part of) a linear layer. */
function compileLayer(
  node: LayerNode,
  layer: Layer,
  inputIds: number[],
  rank: number,
  inMode: (activation: Activation) => Activation,
  mode: Mode,
  single: (name: string, run: (x: tf.Tensor) => tf.Tensor) => Step,
): Step {
  const config = layer.getConfig() as LayerConfig;
  const channelsLast = (config.dataFormat ?? 'channelsLast') === 'channelsLast';
  const known = node.inputTensors.length === 1 ? activationOfLayer(layer) : undefined;
  if (known) {
    const activation = inMode(known);
    return single(layer.name, (x) => activation.apply(x));
  }
  const bn = node.inputTensors.length === 1 ? batchNormParams(layer, rank) : undefined;
  switch (layer.getClassName()) {
    case 'BatchNormalization':
      if (bn) return single(layer.name, (x) => tf.batchNorm(x, bn.mean, bn.variance, bn.beta, bn.gamma, bn.epsilon));
      break;
    case 'GlobalAveragePooling2D':
      if (!channelsLast || rank !== 4) break;
      return single(layer.name, (x) => (mode === 'head' ? spatialMeanWithGradient : spatialMean)(x as tf.Tensor4D));
    case 'GlobalMaxPooling2D':
      if (channelsLast && rank === 4) return single(layer.name, (x) => tf.max(x, [1, 2]));
      break;
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      if (!channelsLast || rank !== 4 || (config.padding !== 'same' && config.padding !== 'valid')) break;
      const poolSize = pair(config.poolSize, 2);
      const strides = pair(config.strides ?? config.poolSize, 2);
      const pool = layer.getClassName() === 'MaxPooling2D' ? tf.maxPool : tf.avgPool;
      return single(layer.name, (x) => pool(x as tf.Tensor4D, poolSize, strides, config.padding));
    }
    case 'ZeroPadding2D': {
      if (!channelsLast || rank !== 4) break;
      const [[top, bottom], [left, right]] = config.padding as [[number, number], [number, number]];
      return single(layer.name, (x) => tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]));
    }
    case 'Reshape': {
      const target = config.targetShape as number[];
      return single(layer.name, (x) => tf.reshape(x, [x.shape[0], ...target]));
    }
    case 'Flatten':
      return single(layer.name, (x) => tf.reshape(x, [x.shape[0], -1]));
    case 'Add':
    case 'Multiply': {
      // Pairwise from the left, as tfjs-layers does, so sums round the same way.
      const op = layer.getClassName() === 'Add' ? tf.add : tf.mul;
      return {
        name: layer.name,
        inputs: inputIds,
        outputs: [node.outputTensors[0].id],
        run: (inputs) => {
          let acc = op(inputs[0], inputs[1]);
          for (const x of inputs.slice(2)) {
            const next = op(acc, x);
            acc.dispose();
            acc = next;
          }
          return [acc];
        },
      };
    }
    case 'Concatenate': {
      const axis = (config.axis as number | undefined) ?? -1;
      return { name: layer.name, inputs: inputIds, outputs: [node.outputTensors[0].id], run: (inputs) => [tf.concat(inputs, axis)] };
    }
  }
  // Anything else runs as tfjs-layers runs it; its temporaries die with the program's scope.
  const callArgs = node.callArgs ?? {};
  return {
    name: `${layer.name} (${layer.getClassName()}, as is)`,
    inputs: inputIds,
    outputs: node.outputTensors.map((t) => t.id),
    run: (inputs) => {
      const result = layer.apply(inputs.length === 1 ? inputs[0] : inputs, callArgs) as tf.Tensor | tf.Tensor[];
      return Array.isArray(result) ? result : [result];
    },
  };
}

/** Runs a program from the given slots; returns `outputs` (fresh tensors the caller owns). */
function runProgram(program: Program, given: Iterable<readonly [number, tf.Tensor]>, outputs: number[]): tf.Tensor[] {
  return tf.tidy(() => {
    const values = new Map<number, tf.Tensor>(given);
    const givenIds = new Set(values.keys());
    program.steps.forEach((step, i) => {
      const inputs = step.inputs.map((id) => {
        const value = values.get(id);
        if (!value) throw new Error(`compiled model: ${step.name} reads a value that was never computed`);
        return value;
      });
      const results = step.run(inputs);
      // A layer run as is may hand back its input; two slots must never share one tensor.
      step.outputs.forEach((id, j) => values.set(id, inputs.includes(results[j]) ? tf.clone(results[j]) : results[j]));
      for (const id of program.release[i]) {
        values.get(id)?.dispose();
        values.delete(id);
      }
    });
    const returned = new Set<tf.Tensor>();
    return outputs.map((output) => {
      const id = program.alias.get(output) ?? output;
      const value = values.get(id)!;
      // Never hand back the caller's own tensor, nor the same tensor twice: the caller disposes each.
      const fresh = givenIds.has(id) || returned.has(value) ? tf.clone(value) : value;
      returned.add(value);
      return fresh;
    });
  });
}

/** Compiles `model` (weights are folded lazily, per split, and shared). */
export function compileLayersModel(model: tfl.LayersModel, options: CompileLayersOptions = {}): CompiledLayersModel {
  const settings: Required<CompileLayersOptions> = { foldBatchNorm: true, fuseActivations: true, swishKernel: true, depthwiseKernel: true, pointwiseKernel: true, ...options };
  const cache = new LinearWeightCache();
  return {
    expose(exposeOptions = {}) {
      const split = splitLayersGraph(model, exposeOptions);
      const { input, layerTensor, logits, context } = split;
      const bodyOutputs = [layerTensor, ...context];
      const body = compileProgram({ split, known: [input], outputs: bodyOutputs, mode: 'body' }, cache, settings);
      const head = compileProgram({ split, known: bodyOutputs, outputs: [logits.tensor], mode: 'head' }, cache, settings);
      const bodyOutputIds = bodyOutputs.map((t) => t.id);
      return {
        ...splitShapes(split),
        body(x) {
          const [activations, ...rest] = runProgram(body, [[input.id, x]], bodyOutputIds);
          return { activations: activations as tf.Tensor4D, context: new Map(context.map((t, i) => [t.id, rest[i]])) };
        },
        head(activations, headContext: HeadContext) {
          const [out] = runProgram(head, [[layerTensor.id, activations], ...headContext], [logits.tensor.id]);
          if (out.rank === 2) return out as tf.Tensor2D;
          const flat = tf.reshape(out, [out.shape[0], -1]) as tf.Tensor2D;
          out.dispose();
          return flat;
        },
      };
    },
    dispose: () => cache.dispose(),
  };
}
