import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNormAffine, foldBatchNorm, type BatchNormParams } from '../../../../worker/engine/compile/fold-batch-norm';
import { initWasmBackend } from '../../../../worker/runtime/wasm-workerd';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

function randomBatchNorm(channels: number, seed: number, withScaleAndCenter = true): BatchNormParams {
  return {
    mean: tf.randomUniform([channels], -0.5, 0.5, 'float32', seed),
    variance: tf.randomUniform([channels], 0.2, 2, 'float32', seed + 1),
    gamma: withScaleAndCenter ? tf.randomUniform([channels], 0.5, 1.5, 'float32', seed + 2) : undefined,
    beta: withScaleAndCenter ? tf.randomUniform([channels], -0.3, 0.3, 'float32', seed + 3) : undefined,
    epsilon: 1e-3,
  };
}

const batchNorm = (z: tf.Tensor, bn: BatchNormParams) => tf.batchNorm(z, bn.mean, bn.variance, bn.beta, bn.gamma, bn.epsilon);

describe('foldBatchNorm', () => {
  beforeAll(() => initWasmBackend());

  it('turns conv2d + bias, then batch norm, into one conv2d with a bias', () => {
    tf.tidy(() => {
      const x = tf.randomUniform([1, 9, 9, 4], -1, 1, 'float32', 1) as tf.Tensor4D;
      const kernel = tf.randomUniform([3, 3, 4, 6], -0.5, 0.5, 'float32', 2) as tf.Tensor4D;
      const bias = tf.randomUniform([6], -0.5, 0.5, 'float32', 3) as tf.Tensor1D;
      const bn = randomBatchNorm(6, 4);
      const expected = batchNorm(tf.add(tf.conv2d(x, kernel, 2, 'same'), bias), bn);
      const folded = foldBatchNorm('conv2d', kernel, bias, bn);
      const actual = tf.add(tf.conv2d(x, folded.kernel as tf.Tensor4D, 2, 'same'), folded.bias);
      expect(maxAbsDiff(actual, expected)).toBeLessThan(1e-5);
    });
  });

  it('scales a depthwise kernel per output channel (input channel × multiplier)', () => {
    tf.tidy(() => {
      const x = tf.randomUniform([1, 8, 8, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
      const kernel = tf.randomUniform([5, 5, 3, 2], -0.5, 0.5, 'float32', 6) as tf.Tensor4D;
      const bn = randomBatchNorm(6, 7);
      const expected = batchNorm(tf.depthwiseConv2d(x, kernel, 1, 'same'), bn);
      const folded = foldBatchNorm('depthwise', kernel, undefined, bn);
      const actual = tf.add(tf.depthwiseConv2d(x, folded.kernel as tf.Tensor4D, 1, 'same'), folded.bias);
      expect(maxAbsDiff(actual, expected)).toBeLessThan(1e-5);
    });
  });

  it('folds into a dense kernel, and handles batch norms without scale or centre', () => {
    tf.tidy(() => {
      const x = tf.randomUniform([2, 5], -1, 1, 'float32', 8) as tf.Tensor2D;
      const kernel = tf.randomUniform([5, 4], -1, 1, 'float32', 9) as tf.Tensor2D;
      const bn = randomBatchNorm(4, 10, false);
      const expected = batchNorm(tf.matMul(x, kernel), bn);
      const folded = foldBatchNorm('dense', kernel, undefined, bn);
      const actual = tf.add(tf.matMul(x, folded.kernel as tf.Tensor2D), folded.bias);
      expect(maxAbsDiff(actual, expected)).toBeLessThan(1e-5);
    });
  });

  it('gives the affine map y = z·scale + offset that TF.js batchNorm applies', () => {
    tf.tidy(() => {
      const z = tf.randomUniform([3, 7], -2, 2, 'float32', 11);
      const bn = randomBatchNorm(7, 12);
      const { scale, offset } = batchNormAffine(bn);
      expect(maxAbsDiff(tf.add(tf.mul(z, scale), offset), batchNorm(z, bn))).toBeLessThan(1e-5);
    });
  });

  it('leaves no tensors behind but the folded ones', () => {
    const bn = randomBatchNorm(6, 13);
    const kernel = tf.randomUniform([1, 1, 4, 6], -1, 1, 'float32', 14);
    const before = tf.memory().numTensors;
    const folded = foldBatchNorm('conv2d', kernel, undefined, bn);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([folded.kernel, folded.bias, kernel, bn.mean, bn.variance, bn.gamma!, bn.beta!]);
  });
});
