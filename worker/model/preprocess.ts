/**
 * From decoded pixels to the model's input tensor, entirely in TF.js kernels: no per-pixel JavaScript
 * (a measured 24–146 ms for a 1024×768 photo when done with typed-array copies).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelManifest } from './manifest';

export interface RgbPixels {
  width: number;
  height: number;
  /** Row-major RGB, 3 bytes per pixel. */
  data: Uint8Array;
}

/** Bilinear resize to the model input (half-pixel centres, as TF 2's `tf.image.resize`), then (x − mean) / std. */
export function toModelInput(image: RgbPixels, manifest: Pick<ModelManifest, 'input' | 'preprocessing'>): tf.Tensor4D {
  return tf.tidy(() => {
    const pixels = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
    const resized = tf.image.resizeBilinear(
      tf.cast(pixels, 'float32') as tf.Tensor3D,
      [manifest.input.height, manifest.input.width],
      false,
      true,
    );
    const { mean, std } = manifest.preprocessing;
    const normalized = tf.div(tf.sub(resized, tf.tensor1d(mean)), tf.tensor1d(std));
    return tf.expandDims(normalized, 0) as tf.Tensor4D;
  });
}
