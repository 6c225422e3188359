/**
 * A `tf.io.IOHandler` over files already in memory, so the same model loads from Workers KV, static
 * assets, a bundled import or the local disk: the caller fetches the bytes, TF.js only parses them.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The files of one model, by path relative to its `model.json`. */
export type ModelFiles = ReadonlyMap<string, Uint8Array>;

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? (bytes.buffer as ArrayBuffer)
    : (bytes.slice().buffer as ArrayBuffer);
}

/** An IOHandler that loads `modelFile` (a TF.js model.json) and the weight shards it names from `files`. */
export function memoryIOHandler(files: ModelFiles, modelFile = 'model.json'): tf.io.IOHandler {
  const read = (path: string): Uint8Array => {
    const bytes = files.get(path);
    if (!bytes) throw new Error(`model file "${path}" is missing`);
    return bytes;
  };
  return {
    async load() {
      const modelJson = JSON.parse(new TextDecoder().decode(read(modelFile))) as tf.io.ModelJSON;
      const folder = modelFile.includes('/') ? modelFile.slice(0, modelFile.lastIndexOf('/') + 1) : '';
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const shards = manifest.flatMap((group) => group.paths.map((p) => arrayBufferOf(read(folder + p))));
        return [tf.io.getWeightSpecs(manifest), tf.io.concatenateArrayBuffers(shards)];
      });
    },
  };
}
