import * as tf from '@tensorflow/tfjs-core';
// Registers TF.js's gradients, as the worker's model loading does.
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { spatialMean, spatialMeanWithGradient } from '../../../worker/engine/spatial-mean';
import { initWasmBackend } from '../../../worker/runtime/wasm-workerd';
import { maxAbsDiff } from '../../support/arrays';

describe('spatialMean', () => {
  beforeAll(() => initWasmBackend());

  // A non-square map, a batch of 2, a 1×1 map.
  const shapes: [number, number, number, number][] = [[2, 7, 5, 12], [1, 1, 1, 8], [1, 8, 8, 3]];

  it('equals tf.mean over the spatial axes, with and without the gradient', () => {
    for (const shape of shapes) {
      const x = tf.randomNormal(shape, 0, 3, 'float32', shape[1]) as tf.Tensor4D;
      const expected = tf.mean(x, [1, 2]);
      for (const mean of [spatialMean, spatialMeanWithGradient]) {
        const y = mean(x);
        expect(y.shape).toEqual([shape[0], shape[3]]);
        expect(maxAbsDiff(y.dataSync(), expected.dataSync())).toBeLessThanOrEqual(1e-5);
        y.dispose();
      }
      tf.dispose([x, expected]);
    }
  });

  it("has tf.mean's gradient", () => {
    for (const shape of shapes) {
      const x = tf.randomNormal(shape, 0, 3, 'float32', 7) as tf.Tensor4D;
      const weights = tf.randomNormal([shape[0], shape[3]], 0, 1, 'float32', 8);
      const gradient = (mean: (t: tf.Tensor4D) => tf.Tensor) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(mean(t as tf.Tensor4D), weights)))(x);
      const [ours, reference] = [gradient(spatialMeanWithGradient), gradient((t) => tf.mean(t, [1, 2]))];
      expect(ours.shape).toEqual(shape);
      expect(maxAbsDiff(ours.dataSync(), reference.dataSync())).toBeLessThanOrEqual(1e-6);
      tf.dispose([x, weights, ours, reference]);
    }
  });
});
