/**
 * From decoded pixels to the model's input tensor. The bilinear resize samples the decoded RGB directly
 * into the (small) input buffer, normalising on the way: JavaScript touches only the model's
 * input pixels (224² × 3 for most models), and the full-size image never enters TF.js (a 12-megapixel
 * photo as an int32 tensor alone would be 144 MB, more than an isolate has).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RgbImage } from '../image/rgb-image';
import type { ModelManifest } from './manifest';

/** Source coordinates of output sample i with half-pixel centres (TF 2's `tf.image.resize`, bilinear). */
function bilinearTaps(sourceSize: number, targetSize: number) {
  const low = new Int32Array(targetSize);
  const high = new Int32Array(targetSize);
  const frac = new Float32Array(targetSize);
  const scale = sourceSize / targetSize;
  for (let i = 0; i < targetSize; i++) {
    const at = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), sourceSize - 1);
    low[i] = Math.floor(at);
    high[i] = Math.min(low[i] + 1, sourceSize - 1);
    frac[i] = at - low[i];
  }
  return { low, high, frac };
}

/** Bilinear resize to the model input, then (x − mean) / std per channel, as a [1, h, w, 3] float32 tensor. */
export function toModelInput(image: RgbImage, manifest: Pick<ModelManifest, 'input' | 'preprocessing'>): tf.Tensor4D {
  const { width, height } = manifest.input;
  const { mean, std } = manifest.preprocessing;
  const xs = bilinearTaps(image.width, width);
  const ys = bilinearTaps(image.height, height);
  const src = image.data;
  const rowStride = image.width * 3;
  const out = new Float32Array(width * height * 3);
  let o = 0;
  for (let y = 0; y < height; y++) {
    const top = ys.low[y] * rowStride;
    const bottom = ys.high[y] * rowStride;
    const wy = ys.frac[y];
    for (let x = 0; x < width; x++) {
      const left = xs.low[x] * 3;
      const right = xs.high[x] * 3;
      const wx = xs.frac[x];
      for (let c = 0; c < 3; c++, o++) {
        const upper = src[top + left + c] + (src[top + right + c] - src[top + left + c]) * wx;
        const lower = src[bottom + left + c] + (src[bottom + right + c] - src[bottom + left + c]) * wx;
        out[o] = (upper + (lower - upper) * wy - mean[c]) / std[c];
      }
    }
  }
  return tf.tensor4d(out, [1, height, width, 3]);
}
