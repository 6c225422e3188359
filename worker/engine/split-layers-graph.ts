/**
 * The one model-surgery step for TF.js LayersModels: finds the Grad-CAM layer (named, or automatically the
 * input of the last global pooling, else the last 4-D output), where the model's final activation sits,
 * and what crosses from body to head. Both the eager evaluation (expose-layers-model.ts) and the compiled
 * programs (compile/compile-layers-model.ts) split through it.
 *
 * Example: `const split = splitLayersGraph(model, { layer: 'auto', stripActivation: 'softmax' })`.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { LayerSelectionError, type ExposedModel } from './exposed-model';
import { inboundNode, topologicalOrder, type Layer, type SymbolicTensor } from './layers-graph';

export interface ExposeLayersOptions {
  /** A layer name whose (first) output is the Grad-CAM layer, or "auto". Default "auto". */
  layer?: string;
  /**
   * The activation the model ends in, removed so the head returns logits: Grad-CAM differentiates the
   * pre-softmax (or pre-sigmoid) score (Selvaraju et al. 2017, §3).
   */
  stripActivation?: 'softmax' | 'sigmoid' | 'none';
}

const GLOBAL_POOLING = new Set(['GlobalAveragePooling2D', 'GlobalMaxPooling2D']);

function isInput(t: SymbolicTensor): boolean {
  return t.sourceLayer.getClassName() === 'InputLayer';
}

/** The automatic Grad-CAM layer: the input of the last global pooling, else the last 4-D output. */
function findAutoLayer(order: SymbolicTensor[]): SymbolicTensor | undefined {
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i];
    if (GLOBAL_POOLING.has(t.sourceLayer.getClassName())) {
      const [input] = inboundNode(t).inputTensors;
      if (input.rank === 4) return input;
    }
  }
  for (let i = order.length - 1; i >= 0; i--) {
    if (order[i].rank === 4 && !isInput(order[i])) return order[i];
  }
  return undefined;
}

function findNamedLayer(model: tfl.LayersModel, order: SymbolicTensor[], name: string): SymbolicTensor {
  const matches = order.filter((t) => t.sourceLayer.name === name);
  if (matches.length === 0) {
    const known = model.layers.filter((l) => l.inboundNodes[0]?.outputTensors[0]?.rank === 4).map((l) => l.name);
    throw new LayerSelectionError(`no layer named "${name}"; 4-D layers: ${known.slice(-8).join(', ')}`);
  }
  const [tensor] = matches;
  if (tensor.rank !== 4) {
    throw new LayerSelectionError(`layer "${name}" has a ${tensor.rank}-D output; Grad-CAM needs a 4-D one`);
  }
  return tensor;
}

/** A copy of `layer` without its final activation, sharing its weights. */
function withoutActivation(layer: Layer): Layer {
  const config = { ...layer.getConfig(), activation: 'linear' };
  const Ctor = layer.constructor as new (config: unknown) => Layer;
  const copy = new Ctor(config);
  copy.build(layer.inboundNodes[0].inputTensors[0].shape);
  copy.setWeights(layer.getWeights());
  return copy;
}

/** Where the model's final activation sits, and the layer to evaluate instead of the last one. */
function logitsOutput(output: SymbolicTensor, activation: string): { tensor: SymbolicTensor; replacement?: Layer } {
  if (activation === 'none') return { tensor: output };
  const layer = output.sourceLayer;
  const config = layer.getConfig() as { activation?: string };
  if (layer.getClassName() === 'Activation' || layer.getClassName() === 'Softmax') {
    if (config.activation === activation || layer.getClassName() === 'Softmax') {
      return { tensor: inboundNode(output).inputTensors[0] };
    }
  }
  if (config.activation === activation) return { tensor: output, replacement: withoutActivation(layer) };
  // The model already outputs logits; the manifest's activation turns them into scores.
  return { tensor: output };
}

/** Where a LayersModel's graph splits: what the body computes and what the head reads. */
export interface LayersGraphSplit {
  input: SymbolicTensor;
  /** The Grad-CAM layer's output: the body's result, the head's input. */
  layerTensor: SymbolicTensor;
  /** The tensor holding the logits, and the layer to evaluate in place of its own (activation removed). */
  logits: { tensor: SymbolicTensor; replacement?: Layer };
  /** Every tensor the logits depend on, in evaluation order (inputs first). */
  order: SymbolicTensor[];
  /** Body-side tensors the head reads directly besides the layer (e.g. a skip connection over it). */
  context: SymbolicTensor[];
}

/** What a split exposes of its shapes: the Grad-CAM layer's name and [h, w, c], the input's [h, w]. */
export function splitShapes({ input, layerTensor }: LayersGraphSplit): Pick<ExposedModel, 'layer' | 'inputSize'> {
  const [, height, width, channels] = layerTensor.shape as number[];
  const [, inputHeight, inputWidth] = input.shape as number[];
  return { layer: { name: layerTensor.sourceLayer.name, shape: [height, width, channels] }, inputSize: [inputHeight, inputWidth] };
}

/** Finds the Grad-CAM layer (see `ExposeLayersOptions`) and what crosses from body to head. */
export function splitLayersGraph(model: tfl.LayersModel, options: ExposeLayersOptions = {}): LayersGraphSplit {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new LayerSelectionError('only models with one input and one output can be explained');
  }
  const [input] = model.inputs;
  const logits = logitsOutput(model.outputs[0], options.stripActivation ?? 'none');
  const order = topologicalOrder([logits.tensor]);
  const requested = options.layer ?? 'auto';
  const layerTensor = requested === 'auto' ? findAutoLayer(order) : findNamedLayer(model, order, requested);
  if (!layerTensor) throw new LayerSelectionError('the model has no 4-D layer to explain');

  // Tensors downstream of the layer are recomputed by the head; the rest are the body's business.
  const downstream = new Set<number>([layerTensor.id]);
  for (const t of order) {
    if (inboundNode(t).inputTensors.some((i) => downstream.has(i.id))) downstream.add(t.id);
  }
  if (!downstream.has(logits.tensor.id)) {
    throw new LayerSelectionError(`layer "${layerTensor.sourceLayer.name}" does not feed the model's output`);
  }
  const contextIds = new Set<number>();
  for (const t of order) {
    if (!downstream.has(t.id) || t.id === layerTensor.id) continue;
    for (const i of inboundNode(t).inputTensors) if (!downstream.has(i.id)) contextIds.add(i.id);
  }
  const context = order.filter((t) => contextIds.has(t.id));
  return { input, layerTensor, logits, order, context };
}
