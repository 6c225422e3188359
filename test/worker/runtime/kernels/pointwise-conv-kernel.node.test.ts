import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { POINTWISE_CONV2D } from '../../../../worker/runtime/kernels/pointwise-conv-kernel';
import { initWasmBackend } from '../../../../worker/runtime/wasm-node';
import { expectMatchesReference, POINTWISE_ACTIVATION_NAMES } from './pointwise-conv-cases';

describe('the PointwiseConv2d kernel in Node', () => {
  beforeAll(() => initWasmBackend());

  it('is registered for the wasm backend by the Node runtime', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel(POINTWISE_CONV2D, 'wasm')).toBeDefined();
  });

  // Where Node validates no relaxed SIMD (Node 20 without a flag), this runs the multiply-then-add build.
  for (const activation of POINTWISE_ACTIVATION_NAMES) {
    it(`matches tf.conv2d + bias + ${activation} to 1e-5 relative, over tile and panel remainders`, () => {
      expectMatchesReference(activation);
    });
  }
});
