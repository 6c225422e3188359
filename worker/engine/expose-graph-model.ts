/**
 * Model surgery for TF.js GraphModels (user graph models and imported TF Lite models alike): the
 * Grad-CAM layer is a graph node; the body executes the graph from the input to that node, the head
 * executes it from that node (fed with the activations) to the logits, and gradients flow through
 * `GraphModel.execute` like through any TF.js op.
 *
 * The automatic layer is the input of the last global pooling (Mean or Max over the spatial axes, or
 * AvgPool) before the output, else the last node with a 4-D output. A final Softmax/Sigmoid is stripped
 * (through any Identity nodes after it) so the head returns logits.
 *
 * Example: `exposeGraphModel(model, modelJson.modelTopology.node, { stripActivation: 'softmax' })`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfconv from '@tensorflow/tfjs-converter';
import { LayerSelectionError, type ExposedModel } from './exposed-model';

/** A node of the model.json's `modelTopology.node`, as far as the surgery needs it. */
export interface GraphTopologyNode {
  name: string;
  op: string;
  input?: string[];
}

export interface ExposeGraphOptions {
  /** A node name whose output is the Grad-CAM layer, or "auto". Default "auto". */
  layer?: string;
  /** The activation the model ends in, removed so the head returns logits (Selvaraju et al. 2017, §3). */
  stripActivation?: 'softmax' | 'sigmoid' | 'none';
  /** The input node; default the model's only input. */
  inputName?: string;
  /** The output node; default the model's only output. */
  outputName?: string;
  /** [height, width], used when the input node does not fix them. */
  inputSize?: [number, number];
}

const SPATIAL_REDUCTIONS = new Set(['Mean', 'Max']);
/** How many candidate nodes one probing run asks for when looking for the last 4-D output. */
const PROBE_BATCH = 16;

/** "name", "name:1" and "^name" (a control input) all refer to node "name". */
function nodeName(input: string): string {
  const name = input.startsWith('^') ? input.slice(1) : input;
  const colon = name.lastIndexOf(':');
  return colon > 0 && /^\d+$/.test(name.slice(colon + 1)) ? name.slice(0, colon) : name;
}

/** Every ancestor of `target` (itself included) in evaluation order, inputs first. */
function ancestorsInOrder(byName: ReadonlyMap<string, GraphTopologyNode>, target: string): GraphTopologyNode[] {
  const order: GraphTopologyNode[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: { node: GraphTopologyNode; next: number }[] = [];
  const push = (name: string) => {
    const node = byName.get(name);
    if (!node) throw new LayerSelectionError(`the graph refers to node "${name}", which it does not define`);
    if (state.has(name)) return;
    state.set(name, 'open');
    stack.push({ node, next: 0 });
  };
  push(target);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inputs = top.node.input ?? [];
    if (top.next < inputs.length) {
      push(nodeName(inputs[top.next++]));
    } else {
      stack.pop();
      state.set(top.node.name, 'done');
      order.push(top.node);
    }
  }
  return order;
}

function singleName(names: string[], what: string, given?: string): string {
  if (given) return nodeName(given);
  if (names.length !== 1) throw new LayerSelectionError(`the model has ${names.length} ${what}s; name the one to explain`);
  return nodeName(names[0]);
}

/** Splits a GraphModel at its Grad-CAM node. `nodes` is the model.json's `modelTopology.node`. */
export function exposeGraphModel(model: tfconv.GraphModel, nodes: readonly GraphTopologyNode[], options: ExposeGraphOptions = {}): ExposedModel {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const inputName = singleName(model.inputs.map((i) => i.name), 'input', options.inputName);
  const outputName = singleName(model.outputs.map((o) => o.name), 'output', options.outputName);
  const weights = model.weights;
  const firstInput = (node: GraphTopologyNode) => nodeName(node.input?.[0] ?? '');

  // The logits: the output, or what its final activation (seen through Identity nodes) is applied to.
  let logitsName = outputName;
  const strip = options.stripActivation ?? 'none';
  for (let node = byName.get(outputName); node; node = byName.get(firstInput(node))) {
    if ((strip === 'softmax' && node.op === 'Softmax') || (strip === 'sigmoid' && node.op === 'Sigmoid')) {
      logitsName = firstInput(node);
      break;
    }
    if (node.op !== 'Identity') break;
  }

  const order = ancestorsInOrder(byName, logitsName);
  if (!order.some((n) => n.name === inputName)) throw new LayerSelectionError(`the output does not depend on the input "${inputName}"`);
  const isConstant = (n: GraphTopologyNode) => n.op === 'Const' || weights[n.name] !== undefined;
  // Nodes whose value depends on the image (the rest are constants the executor folds in on its own).
  const variable = new Set<string>();
  for (const n of order) {
    if (n.name === inputName || (n.input ?? []).some((i) => variable.has(nodeName(i)))) variable.add(n.name);
  }

  const inputShape = model.inputs.find((i) => nodeName(i.name) === inputName)?.shape;
  const [inputHeight, inputWidth] =
    inputShape && inputShape.length === 4 && inputShape[1] > 0 && inputShape[2] > 0 ? [inputShape[1], inputShape[2]] : options.inputSize ?? [0, 0];
  if (!(inputHeight > 0 && inputWidth > 0)) throw new LayerSelectionError('the model does not fix its input size and none was given');

  const inputChannels = inputShape && inputShape[3] > 0 ? inputShape[3] : 3;
  const probe = (names: string[]): number[][] =>
    tf.tidy(() => {
      const x = tf.zeros([1, inputHeight, inputWidth, inputChannels]);
      const out = model.execute({ [inputName]: x }, names);
      return (Array.isArray(out) ? out : [out]).map((t) => t.shape);
    });

  const isSpatialPooling = (n: GraphTopologyNode): boolean => {
    if (n.op === 'AvgPool') return true;
    if (!SPATIAL_REDUCTIONS.has(n.op)) return false;
    const axes = weights[nodeName(n.input?.[1] ?? '')];
    if (!axes) return false;
    const values = [...axes[0].dataSync()].map((a) => (a < 0 ? a + 4 : a)).sort();
    return values.length === 2 && values[0] === 1 && values[1] === 2;
  };

  const findAutoLayer = (): string => {
    for (let i = order.length - 1; i >= 0; i--) {
      if (isSpatialPooling(order[i]) && variable.has(firstInput(order[i]))) return firstInput(order[i]);
    }
    const candidates = order.filter((n) => variable.has(n.name) && n.name !== inputName).reverse();
    for (let start = 0; start < candidates.length; start += PROBE_BATCH) {
      const batch = candidates.slice(start, start + PROBE_BATCH).map((n) => n.name);
      const shapes = probe(batch);
      const found = shapes.findIndex((s) => s.length === 4);
      if (found >= 0) return batch[found];
    }
    throw new LayerSelectionError('the model has no 4-D node to explain');
  };

  const requested = options.layer ?? 'auto';
  let layerName: string;
  if (requested === 'auto') {
    layerName = findAutoLayer();
  } else {
    layerName = nodeName(requested);
    const node = byName.get(layerName);
    if (!node || !order.includes(node)) {
      const pools = order.filter((n) => variable.has(n.name) && !isConstant(n)).slice(-8).map((n) => n.name);
      throw new LayerSelectionError(`no node named "${requested}" feeds the output; nodes near the output: ${pools.join(', ')}`);
    }
    if (!variable.has(layerName)) throw new LayerSelectionError(`node "${requested}" does not depend on the image`);
  }

  // Nodes the head recomputes: those downstream of the layer on the way to the logits.
  const downstream = new Set<string>([layerName]);
  for (const n of order) if ((n.input ?? []).some((i) => downstream.has(nodeName(i)))) downstream.add(n.name);
  // Image-dependent values the head reads without recomputing them (e.g. a skip connection over the layer).
  const context = new Set<string>();
  for (const n of order) {
    if (!downstream.has(n.name) || n.name === layerName) continue;
    for (const i of n.input ?? []) {
      if (!downstream.has(nodeName(i)) && variable.has(nodeName(i))) context.add(i.startsWith('^') ? i.slice(1) : i);
    }
  }
  const contextNames = [...context];

  const [layerShape] = probe([layerName]);
  if (layerShape.length !== 4) {
    throw new LayerSelectionError(`node "${layerName}" has a ${layerShape.length}-D output; Grad-CAM needs a 4-D one`);
  }
  const [, height, width, channels] = layerShape;

  return {
    layer: { name: layerName, shape: [height, width, channels] },
    inputSize: [inputHeight, inputWidth],
    body(x) {
      const out = model.execute({ [inputName]: x }, [layerName, ...contextNames]);
      // The caller disposes what the body returns, which must never be the caller's own input.
      const [activations, ...rest] = (Array.isArray(out) ? out : [out]).map((t) => (t === x ? tf.clone(t) : t));
      return { activations: activations as tf.Tensor4D, context: new Map(rest.map((t, i) => [i, t])) };
    },
    head(activations, context) {
      return tf.tidy(() => {
        const feeds: tf.NamedTensorMap = { [layerName]: activations };
        contextNames.forEach((name, i) => {
          const value = context.get(i);
          if (!value) throw new Error(`the head's context lacks "${name}"`);
          feeds[name] = value;
        });
        const out = model.execute(feeds, logitsName) as tf.Tensor;
        return tf.reshape(out, [out.shape[0], -1]) as tf.Tensor2D;
      });
    },
  };
}
