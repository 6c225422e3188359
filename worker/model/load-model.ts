/**
 * Turns a manifest and its files into a model ready to explain: the TF.js model, split once at its
 * Grad-CAM layer (see explain/expose-layers-model).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { exposeLayersModel } from '../explain/expose-layers-model';
import type { ExposedModel } from '../explain/exposed-model';
import type { ModelManifest } from './manifest';
import { memoryIOHandler, type ModelFiles } from './memory-io-handler';

export interface LoadedModel {
  manifest: ModelManifest;
  /** The model split at the manifest's Grad-CAM layer. */
  exposed: ExposedModel;
  /** Splits the model at another layer (a request's `layer` option). */
  exposeAt(layer: string): ExposedModel;
  dispose(): void;
}

export async function loadModel(manifest: ModelManifest, files: ModelFiles): Promise<LoadedModel> {
  if (manifest.format !== 'tfjs-layers') {
    throw new Error(`model ${manifest.id}: format ${manifest.format} is not supported yet`);
  }
  const model = await tfl.loadLayersModel(memoryIOHandler(files, manifest.modelFile));
  const stripActivation = manifest.output.activation;
  // Splits are cached per layer name: a split at the output layer copies that layer's weights.
  const splits = new Map<string, ExposedModel>();
  const exposeAt = (layer: string) => {
    let split = splits.get(layer);
    if (!split) {
      split = exposeLayersModel(model, { layer, stripActivation });
      splits.set(layer, split);
    }
    return split;
  };
  const exposed = exposeAt(manifest.gradcamLayer);
  const [height, width] = exposed.inputSize;
  if (height !== manifest.input.height || width !== manifest.input.width) {
    model.dispose();
    throw new Error(
      `model ${manifest.id}: its input is ${width}×${height}, the manifest says ${manifest.input.width}×${manifest.input.height}`,
    );
  }
  return { manifest, exposed, exposeAt, dispose: () => model.dispose() };
}

/** The scores the manifest's output activation derives from logits [n, classes]. */
export function scoresFromLogits(logits: tf.Tensor2D, activation: ModelManifest['output']['activation']): tf.Tensor2D {
  if (activation === 'softmax') return tf.softmax(logits);
  if (activation === 'sigmoid') return tf.sigmoid(logits);
  return tf.clone(logits);
}
