/**
 * `DepthwiseConv2dSwish`, a kernel for TF.js's `wasm` backend: swish(depthwiseConv2d(x, filter) + bias) in
 * one pass of kernels/depthwise-swish.wasm over the backend's own memory (NHWC, depth multiplier 1, no
 * dilation, channels a multiple of 4). It has no gradient: only the compiled body
 * (explain/compile-layers-model.ts) uses it, through `depthwiseConv2dSwish`, which returns undefined where
 * the kernel does not apply so that the caller keeps its own path.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WasmBackendMemory } from './wasm-backend-memory';

export const DEPTHWISE_CONV2D_SWISH = 'DepthwiseConv2dSwish';

type DepthwiseSwishExport = (...args: number[]) => void;

export interface DepthwiseConv2dSwishOptions {
  strides: [number, number];
  pad: 'same' | 'valid';
}

/** Output size and leading padding of one axis, as TF computes them for 'same' and 'valid'. */
function axis(size: number, kernel: number, stride: number, pad: 'same' | 'valid'): { out: number; before: number } {
  if (pad === 'valid') return { out: Math.ceil((size - kernel + 1) / stride), before: 0 };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  return { out, before: Math.floor(total / 2) };
}

/** Registers the kernel for the `wasm` backend, compiled from `module` (depthwise-swish.wasm); idempotent. */
export function registerDepthwiseConv2dSwishKernel(module: WebAssembly.Module): void {
  if (tf.getKernel(DEPTHWISE_CONV2D_SWISH, 'wasm')) return;
  let run: DepthwiseSwishExport | undefined;
  tf.registerKernel({
    kernelName: DEPTHWISE_CONV2D_SWISH,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, filter, bias } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo; bias: tf.TensorInfo };
      const { strides, pad } = attrs as unknown as DepthwiseConv2dSwishOptions;
      const wasm = new WasmBackendMemory(backend);
      run ??= wasm.instantiate<DepthwiseSwishExport>(module, 'depthwiseSwish');
      const [batch, h, w, c] = x.shape;
      const [kh, kw] = filter.shape;
      const rows = axis(h, kh, strides[0], pad);
      const cols = axis(w, kw, strides[1], pad);
      const out = wasm.output([batch, rows.out, cols.out, c]);
      const [src, dst, filterAt, biasAt] = [wasm.offset(x), wasm.offset(out), wasm.offset(filter), wasm.offset(bias)];
      const imageIn = h * w * c * 4;
      const imageOut = rows.out * cols.out * c * 4;
      for (let n = 0; n < batch; n++) {
        run(src + n * imageIn, filterAt, biasAt, dst + n * imageOut, h, w, c, rows.out, cols.out, kh, kw, strides[0], strides[1], rows.before, cols.before);
      }
      return out;
    },
  });
}

/**
 * swish(depthwiseConv2d(x, filter, strides, pad) + bias) in one pass, or undefined when the kernel is not
 * registered for the active backend or does not apply (channels not a multiple of 4, a depth multiplier,
 * an empty output).
 */
export function depthwiseConv2dSwish(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, options: DepthwiseConv2dSwishOptions): tf.Tensor4D | undefined {
  const [, h, w, c] = x.shape;
  const [kh, kw, , multiplier] = filter.shape;
  if (x.dtype !== 'float32' || c % 4 !== 0 || multiplier !== 1 || !tf.getKernel(DEPTHWISE_CONV2D_SWISH, tf.getBackend())) return undefined;
  if (options.pad === 'valid' && (h < kh || w < kw)) return undefined;
  return tf.engine().runKernel(DEPTHWISE_CONV2D_SWISH, { x, filter, bias }, options as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
