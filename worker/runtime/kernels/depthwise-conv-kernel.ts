/**
 * `DepthwiseConv2dBiasActivation`, a kernel for TF.js's `wasm` backend: activation(depthwiseConv2d(x,
 * filter) + bias) in one pass of kernels/depthwise-conv.wasm over the backend's own memory (NHWC, depth
 * multiplier 1, no dilation, channels a multiple of 4; linear, ReLU, ReLU6 or swish). It has no gradient:
 * only the compiled body (engine/compile/) uses it, through `depthwiseConv2dFused`, which
 * returns undefined where the kernel does not apply so that the caller keeps its own path.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FUSED_ACTIVATIONS, type FusedActivation } from './fused-activation';
import { WasmBackendMemory } from './wasm-backend-memory';

export const DEPTHWISE_CONV2D_FUSED = 'DepthwiseConv2dBiasActivation';

type DepthwiseConvExport = (...args: number[]) => void;

export interface DepthwiseConv2dFusedOptions {
  strides: [number, number];
  pad: 'same' | 'valid';
  activation: FusedActivation;
}

/** Output size and leading padding of one axis, as TF computes them for 'same' and 'valid'. */
function axis(size: number, kernel: number, stride: number, pad: 'same' | 'valid'): { out: number; before: number } {
  if (pad === 'valid') return { out: Math.ceil((size - kernel + 1) / stride), before: 0 };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  return { out, before: Math.floor(total / 2) };
}

/** Registers the kernel for the `wasm` backend, compiled from `module` (depthwise-conv.wasm); idempotent. */
export function registerDepthwiseConv2dFusedKernel(module: WebAssembly.Module): void {
  if (tf.getKernel(DEPTHWISE_CONV2D_FUSED, 'wasm')) return;
  let run: DepthwiseConvExport | undefined;
  tf.registerKernel({
    kernelName: DEPTHWISE_CONV2D_FUSED,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, filter, bias } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo; bias: tf.TensorInfo };
      const { strides, pad, activation } = attrs as unknown as DepthwiseConv2dFusedOptions;
      const wasm = new WasmBackendMemory(backend);
      run ??= wasm.instantiate<DepthwiseConvExport>(module, 'depthwiseConv');
      const [batch, h, w, c] = x.shape;
      const [kh, kw] = filter.shape;
      const rows = axis(h, kh, strides[0], pad);
      const cols = axis(w, kw, strides[1], pad);
      const out = wasm.output([batch, rows.out, cols.out, c]);
      const [src, dst, filterAt, biasAt] = [wasm.offset(x), wasm.offset(out), wasm.offset(filter), wasm.offset(bias)];
      const imageIn = h * w * c * 4;
      const imageOut = rows.out * cols.out * c * 4;
      for (let n = 0; n < batch; n++) {
        run(src + n * imageIn, filterAt, biasAt, dst + n * imageOut, h, w, c, rows.out, cols.out, kh, kw, strides[0], strides[1], rows.before, cols.before, FUSED_ACTIVATIONS[activation]);
      }
      return out;
    },
  });
}

/**
 * activation(depthwiseConv2d(x, filter, strides, pad) + bias) in one pass, or undefined when the kernel is
 * not registered for the active backend or does not apply (channels not a multiple of 4, a depth
 * multiplier, an empty output).
 */
export function depthwiseConv2dFused(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, options: DepthwiseConv2dFusedOptions): tf.Tensor4D | undefined {
  const [, h, w, c] = x.shape;
  const [kh, kw, , multiplier] = filter.shape;
  if (x.dtype !== 'float32' || c % 4 !== 0 || multiplier !== 1 || !tf.getKernel(DEPTHWISE_CONV2D_FUSED, tf.getBackend())) return undefined;
  if (options.pad === 'valid' && (h < kh || w < kw)) return undefined;
  return tf.engine().runKernel(DEPTHWISE_CONV2D_FUSED, { x, filter, bias }, options as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
