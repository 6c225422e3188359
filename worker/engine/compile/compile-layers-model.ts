/**
 * Compiles a TF.js LayersModel, split at its Grad-CAM layer, into plain programs of TF.js ops: the same
 * `ExposedModel` as `exposeLayersModel` (same split, same layer names, same maps to float rounding) at a
 * fraction of the cost. At load time it
 *  - folds each inference-mode BatchNormalization into the convolution or dense layer before it
 *    (fold-batch-norm.ts);
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
 * The head stays differentiable without the WASM backend's missing gradient kernels (lowering-context.ts).
 * A layer the compiler does not know runs through its own `apply`, so any model compiles.
 *
 * The stages, one file each: read the nodes (layer-specs.ts), plan what fuses (fusion-plan.ts, pure),
 * lower each group to a step (lower-linear.ts, lower-layer.ts) with the weights it runs with
 * (linear-weight-cache.ts), then run the program (program.ts).
 *
 * Example: `const compiled = compileLayersModel(model); const exposed = compiled.expose({ layer: 'auto' })`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ExposedModel, HeadContext } from '../exposed-model';
import { inboundNode, topologicalOrder, type LayerNode, type SymbolicTensor } from '../layers-graph';
import { splitLayersGraph, splitShapes, type ExposeLayersOptions, type LayersGraphSplit } from '../split-layers-graph';
import { planFusion } from './fusion-plan';
import { readLayerNode } from './layer-specs';
import { LinearWeightCache } from './linear-weight-cache';
import { lowerLayer } from './lower-layer';
import { lowerLinear } from './lower-linear';
import type { LoweringContext, Mode } from './lowering-context';
import { releaseSchedule, runProgram, type Program } from './program';

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

interface ProgramSpec {
  split: LayersGraphSplit;
  /** Slots given when the program runs. */
  known: SymbolicTensor[];
  outputs: SymbolicTensor[];
  mode: Mode;
}

/** How a program of `mode` lowers: a head, which is differentiated, uses no fused op and no kernel. */
function loweringContext(mode: Mode, options: Required<CompileLayersOptions>, weights: LinearWeightCache): LoweringContext {
  const body = mode === 'body';
  return {
    mode,
    weights,
    fuseActivations: body && options.fuseActivations,
    kernels: {
      swish: body && options.swishKernel,
      depthwise: body && options.depthwiseKernel,
      // The pointwise kernel runs the bias and activation with the convolution: a fusion too.
      pointwise: body && options.pointwiseKernel && options.fuseActivations,
    },
  };
}

/** Compiles what `outputs` need from `known`, layer by layer, fusing where no one else reads in between. */
function compileProgram({ split, known, outputs, mode }: ProgramSpec, weights: LinearWeightCache, options: Required<CompileLayersOptions>): Program {
  // The nodes between the known slots and the outputs, in the split's evaluation order, each once.
  const needed = new Set(topologicalOrder(outputs, new Set(known.map((t) => t.id))).map((t) => t.id));
  const nodes = new Set<LayerNode>();
  for (const t of split.order) if (needed.has(t.id)) nodes.add(inboundNode(t));
  const layerOf = (node: LayerNode) =>
    node.outputTensors[0].id === split.logits.tensor.id && split.logits.replacement ? split.logits.replacement : node.outboundLayer;

  const slots = { given: known.map((t) => t.id), read: outputs.map((t) => t.id) };
  const plan = planFusion([...nodes].map((node) => readLayerNode(node, layerOf(node))), slots, options);
  const context = loweringContext(mode, options, weights);
  const steps = plan.groups.map((group) => (group.kind === 'linear' ? lowerLinear(group, context) : lowerLayer(group, context)));
  return { steps, release: releaseSchedule(steps, plan.pinned), alias: plan.alias };
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
