import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { initWasmBackend } from '../../../worker/runtime/wasm-workerd';

describe('TF.js WASM backend in workerd', () => {
  it('initialises the SIMD build as the active backend, without falling back', async () => {
    await Promise.all([initWasmBackend(), initWasmBackend()]);
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.backend()).toBeInstanceOf(BackendWasm);
    expect(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')).toBe(true);
    // workerd has no threads: the SIMD binary runs on one.
    expect((tf.backend() as BackendWasm).wasm.tfjs.getThreadsCount()).toBe(1);
  });

  it('computes with WASM kernels', async () => {
    await initWasmBackend();
    const product = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).dataSync());
    expect(Array.from(product)).toEqual([17, 39]);
  });
});
