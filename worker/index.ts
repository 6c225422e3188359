import * as tf from '@tensorflow/tfjs-core';
import { initWasmBackend } from './runtime/wasm-workerd';

export default {
  async fetch() {
    await initWasmBackend();
    const s = tf.tidy(() => tf.add(tf.tensor([1, 2]), tf.tensor([3, 4])).dataSync());
    return Response.json({ backend: tf.getBackend(), s: Array.from(s), simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') });
  },
} satisfies ExportedHandler;
