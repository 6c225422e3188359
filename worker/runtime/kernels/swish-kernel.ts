/**
 * `Swish`, a kernel for TF.js's `wasm` backend: y = x·σ(x) in one pass of kernels/swish.wasm over the
 * backend's own memory, where TF.js would run a Sigmoid pass and then a Multiply pass. It has no
 * gradient: only forward-only code (the compiled body, engine/compile/) uses it, through
 * `swish`, which falls back to x·σ(x) on any other backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WasmBackendMemory } from './wasm-backend-memory';

export const SWISH = 'Swish';

type SwishExport = (src: number, dst: number, count: number) => void;

/** Registers the kernel for the `wasm` backend, compiled from `module` (swish.wasm); idempotent. */
export function registerSwishKernel(module: WebAssembly.Module): void {
  if (tf.getKernel(SWISH, 'wasm')) return;
  let run: SwishExport | undefined;
  tf.registerKernel({
    kernelName: SWISH,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { x } = inputs as { x: tf.TensorInfo };
      const wasm = new WasmBackendMemory(backend);
      run ??= wasm.instantiate<SwishExport>(module, 'swish');
      const out = wasm.output([...x.shape]);
      const size = tf.util.sizeFromShape(x.shape);
      const [src, dst] = [wasm.offset(x), wasm.offset(out)];
      const vectorized = size - (size % 8);
      if (vectorized > 0) run(src, dst, vectorized);
      // The module works eight values at a time; the last 0–7 are done here.
      const heap = wasm.heapF32;
      for (let i = vectorized; i < size; i++) {
        const v = heap[src / 4 + i];
        heap[dst / 4 + i] = v / (1 + Math.exp(-v));
      }
      return out;
    },
  });
}

/** x·σ(x): one pass where the Swish kernel is registered for the active backend, two elsewhere. */
export function swish(x: tf.Tensor): tf.Tensor {
  if (x.dtype === 'float32' && tf.getKernel(SWISH, tf.getBackend())) return tf.engine().runKernel(SWISH, { x }) as tf.Tensor;
  return tf.tidy(() => tf.mul(tf.sigmoid(x), x));
}
