/**
 * `PointwiseConv2d`, a kernel for TF.js's `wasm` backend: activation(x ∗ W + b) for a 1×1, stride-1
 * convolution in one pass of kernels/pointwise-conv.wasm over the backend's own memory, with the filter
 * packed once, at load time, into the panels the module reads (`packPointwiseFilter`). It has no
 * gradient: only the compiled body (engine/compile/) uses it, through `pointwiseConv2d`,
 * which falls back to TF.js's own ops on any other backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyFusedActivation, FUSED_ACTIVATIONS, type FusedActivation } from './fused-activation';
import { WasmBackendMemory } from './wasm-backend-memory';

export const POINTWISE_CONV2D = 'PointwiseConv2d';


type PointwiseExport = (src: number, filter: number, bias: number, dst: number, m: number, k: number, n: number, activation: number) => void;

/** Output channels per panel of the packed filter: the module's tile is two f32x4 wide. */
export const POINTWISE_PANEL = 8;

/** A 1×1 filter and its bias as the module reads them; the caller owns (and disposes) both tensors. */
export interface PackedPointwiseFilter {
  /** [⌈n/8⌉, k, 8]: panels of 8 output channels, zero-padded. */
  panels: tf.Tensor3D;
  /** [8·⌈n/8⌉], zero-padded. */
  bias: tf.Tensor1D;
  inChannels: number;
  outChannels: number;
}

/**
 * Packs a [1, 1, k, n] filter and its bias (zeros when absent) into panels, or returns undefined when the
 * module cannot compute the convolution (n not a multiple of 4, a filter larger than 1×1, not float32).
 */
export function packPointwiseFilter(filter: tf.Tensor4D, bias?: tf.Tensor1D): PackedPointwiseFilter | undefined {
  const [kh, kw, k, n] = filter.shape;
  if (kh !== 1 || kw !== 1 || k < 1 || n < 4 || n % 4 !== 0 || filter.dtype !== 'float32') return undefined;
  const padded = Math.ceil(n / POINTWISE_PANEL) * POINTWISE_PANEL;
  return tf.tidy(() => {
    const matrix = tf.pad(tf.reshape(filter, [k, n]), [[0, 0], [0, padded - n]]);
    const panels = tf.transpose(tf.reshape(matrix, [k, padded / POINTWISE_PANEL, POINTWISE_PANEL]), [1, 0, 2]) as tf.Tensor3D;
    const paddedBias = tf.pad(bias ?? tf.zeros([n]), [[0, padded - n]]) as tf.Tensor1D;
    return { panels, bias: paddedBias, inChannels: k, outChannels: n };
  });
}

/** The filter and bias back as TF.js's convolution takes them (the fallback off the wasm backend). */
function unpack({ panels, bias, inChannels, outChannels }: PackedPointwiseFilter): { filter: tf.Tensor4D; bias: tf.Tensor1D } {
  const matrix = tf.reshape(tf.transpose(panels, [1, 0, 2]), [inChannels, -1]);
  return {
    filter: tf.reshape(tf.slice(matrix, [0, 0], [inChannels, outChannels]), [1, 1, inChannels, outChannels]),
    bias: tf.slice(bias, 0, outChannels),
  };
}

/** Registers the kernel for the `wasm` backend, compiled from `module` (pointwise-conv.wasm); idempotent. */
export function registerPointwiseConv2dKernel(module: WebAssembly.Module): void {
  if (tf.getKernel(POINTWISE_CONV2D, 'wasm')) return;
  let run: PointwiseExport | undefined;
  tf.registerKernel({
    kernelName: POINTWISE_CONV2D,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, panels, bias } = inputs as { x: tf.TensorInfo; panels: tf.TensorInfo; bias: tf.TensorInfo };
      const { outChannels, activation } = attrs as unknown as { outChannels: number; activation: FusedActivation };
      const wasm = new WasmBackendMemory(backend);
      run ??= wasm.instantiate<PointwiseExport>(module, 'pointwiseConv');
      const [batch, h, w, k] = x.shape;
      const out = wasm.output([batch, h, w, outChannels]);
      // A 1×1 convolution of every image is one product: all pixels of the batch are rows.
      const pixels = batch * h * w;
      if (pixels > 0) run(wasm.offset(x), wasm.offset(panels), wasm.offset(bias), wasm.offset(out), pixels, k, outChannels, FUSED_ACTIVATIONS[activation]);
      return out;
    },
  });
}

/**
 * activation(x ∗ filter + bias) for a packed 1×1 filter: one pass of the module where the kernel is
 * registered for the active backend, TF.js's own ops elsewhere.
 */
export function pointwiseConv2d(x: tf.Tensor4D, packed: PackedPointwiseFilter, activation: FusedActivation): tf.Tensor4D {
  if (x.shape[3] !== packed.inChannels) throw new Error(`pointwiseConv2d: input has ${x.shape[3]} channels, the filter ${packed.inChannels}`);
  if (x.dtype === 'float32' && tf.getKernel(POINTWISE_CONV2D, tf.getBackend())) {
    const attrs = { outChannels: packed.outChannels, activation };
    return tf.engine().runKernel(POINTWISE_CONV2D, { x, panels: packed.panels, bias: packed.bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  return tf.tidy(() => {
    const { filter, bias } = unpack(packed);
    return applyFusedActivation(tf.add(tf.conv2d(x, filter, 1, 'valid'), bias), activation);
  });
}
