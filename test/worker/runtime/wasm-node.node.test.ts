import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { initWasmBackend } from '../../../worker/runtime/wasm-node';

it('starts the WASM SIMD backend in Node', async () => {
  await initWasmBackend();
  expect(tf.getBackend()).toBe('wasm');
  expect(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')).toBe(true);
  expect(Array.from(tf.tidy(() => tf.add(tf.tensor([1, 2]), tf.tensor([3, 4])).dataSync()))).toEqual([4, 6]);
});
