/**
 * A TF.js model's float32 weights stored as float16 (the weights manifest's `quantization: { dtype:
 * "float16" }`, which TF.js's loader widens back to float32): half the bytes to store, read from KV and
 * hash, and the same float32 engine once loaded. Round-to-nearest-even by @petamoriken/float16.
 *
 * Example: `const half = toFloat16Weights(await layersModelFiles(model))` (model.json + weights.bin).
 */
import { Float16Array } from '@petamoriken/float16';
import type * as tf from '@tensorflow/tfjs-core';

/** The files with every float32 weight of `weights.bin` as float16; model.json's manifest says so. */
export function toFloat16Weights(files: ReadonlyMap<string, Uint8Array>, modelFile = 'model.json'): Map<string, Uint8Array> {
  const modelJson = JSON.parse(new TextDecoder().decode(files.get(modelFile))) as tf.io.ModelJSON;
  const [group, ...others] = modelJson.weightsManifest;
  if (others.length > 0 || group.paths.length !== 1) throw new Error('expected one weights file');
  const source = files.get(group.paths[0]);
  if (!source) throw new Error(`${group.paths[0]} is missing`);
  const floats = new Float32Array(source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength));
  const half = new Uint16Array(floats.length);
  let offset = 0;
  const weights = group.weights.map((spec) => {
    if (spec.dtype !== 'float32' || spec.quantization) throw new Error(`${spec.name}: only plain float32 weights are stored as float16`);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    half.set(new Uint16Array(Float16Array.from(floats.subarray(offset, offset + size)).buffer), offset);
    offset += size;
    return { ...spec, quantization: { dtype: 'float16' as const } };
  });
  if (offset !== floats.length) throw new Error(`the weights manifest covers ${offset} of ${floats.length} values`);
  const json = { ...modelJson, weightsManifest: [{ ...group, weights }] };
  return new Map([
    [modelFile, new TextEncoder().encode(JSON.stringify(json))],
    [group.paths[0], new Uint8Array(half.buffer)],
  ]);
}

/** Whether a TF.js model's weights manifest stores any weight as float16 (the references then round theirs the same way). */
export function storesFloat16(model: { manifest: { modelFile: string }; files: ReadonlyMap<string, Uint8Array> }): boolean {
  const json = JSON.parse(new TextDecoder().decode(model.files.get(model.manifest.modelFile))) as tf.io.ModelJSON;
  return json.weightsManifest.some((g) => g.weights.some((w) => w.quantization?.dtype === 'float16'));
}
