import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { toModelInput } from '../../../worker/model/preprocess';
import { initWasmBackend } from '../../../worker/runtime/wasm-workerd';

describe('toModelInput', () => {
  beforeAll(() => initWasmBackend());

  it("equals TF.js's own bilinear resize (half-pixel centres) followed by the manifest's normalisation", () => {
    const [width, height] = [37, 23];
    const data = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 97 + (i >> 5) * 13) % 256);
    const manifest = { input: { width: 16, height: 12 }, preprocessing: { mean: [127.5, 100, 0] as [number, number, number], std: [127.5, 50, 255] as [number, number, number] } };
    const ours = toModelInput({ width, height, data }, manifest);
    const reference = tf.tidy(() => {
      const resized = tf.image.resizeBilinear(tf.tensor3d(data, [height, width, 3], 'float32'), [12, 16], false, true);
      return tf.div(tf.sub(resized, tf.tensor1d(manifest.preprocessing.mean)), tf.tensor1d(manifest.preprocessing.std));
    });
    expect(ours.shape).toEqual([1, 12, 16, 3]);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.reshape(ours, [12, 16, 3]), reference))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-4);
    tf.dispose([ours, reference]);
  });
});
