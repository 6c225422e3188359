/**
 * Model surgery for TF.js LayersModels, evaluated as tfjs-layers does: splits a model at its Grad-CAM
 * layer (split-layers-graph.ts) into a body and a head that run the model's own layers eagerly, so any
 * functional topology (skip connections, squeeze-and-excitation, shared layers) splits without
 * rebuilding it. compile/ gives the same split, faster.
 *
 * Example: `const exposed = exposeLayersModel(model, { layer: 'auto', stripActivation: 'softmax' })`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ExposedModel, HeadContext } from './exposed-model';
import { inboundNode, type SymbolicTensor } from './layers-graph';
import { splitLayersGraph, splitShapes, type ExposeLayersOptions } from './split-layers-graph';

/** Splits a single-input, single-output LayersModel at its Grad-CAM layer. */
export function exposeLayersModel(model: tfl.LayersModel, options: ExposeLayersOptions = {}): ExposedModel {
  const split = splitLayersGraph(model, options);
  const { input, layerTensor, logits, context: contextTensors } = split;

  const evaluate = (target: SymbolicTensor, values: Map<number, tf.Tensor>): tf.Tensor => {
    const known = values.get(target.id);
    if (known) return known;
    const node = inboundNode(target);
    const inputs = node.inputTensors.map((t) => evaluate(t, values));
    const layer = target.id === logits.tensor.id && logits.replacement ? logits.replacement : target.sourceLayer;
    const result = layer.apply(inputs.length === 1 ? inputs[0] : inputs, node.callArgs ?? {}) as tf.Tensor | tf.Tensor[];
    const results = Array.isArray(result) ? result : [result];
    node.outputTensors.forEach((t, i) => values.set(t.id, results[i]));
    const value = values.get(target.id);
    if (!value) throw new Error(`layer "${layer.name}" produced no output for ${target.name}`);
    return value;
  };

  return {
    ...splitShapes(split),
    body(x) {
      // Clones: the caller disposes what the body returns, which must never be the caller's own input.
      const [activations, ...rest] = tf.tidy(() => {
        const values = new Map<number, tf.Tensor>([[input.id, x]]);
        const kept = [layerTensor, ...contextTensors];
        return kept.map((t) => tf.clone(evaluate(t, values)));
      });
      return {
        activations: activations as tf.Tensor4D,
        context: new Map(contextTensors.map((t, i) => [t.id, rest[i]])),
      };
    },
    head(activations, context: HeadContext) {
      return tf.tidy(() => {
        const values = new Map<number, tf.Tensor>([[layerTensor.id, activations], ...context]);
        const out = evaluate(logits.tensor, values);
        return tf.reshape(out, [out.shape[0], -1]) as tf.Tensor2D;
      });
    },
  };
}
