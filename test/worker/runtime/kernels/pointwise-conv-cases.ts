/** The PointwiseConv2d kernel against TF.js's own ops, shared by the workerd and Node tests (one per build). */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { FUSED_ACTIVATIONS, type FusedActivation } from '../../../../worker/runtime/kernels/fused-activation';
import { packPointwiseFilter, pointwiseConv2d } from '../../../../worker/runtime/kernels/pointwise-conv-kernel';

export const POINTWISE_ACTIVATION_NAMES = Object.keys(FUSED_ACTIVATIONS) as FusedActivation[];

/** tf.conv2d + bias, then the activation by TF.js's own ops: what the kernel replaces. */
export function reference(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, activation: FusedActivation): tf.Tensor4D {
  return tf.tidy(() => {
    const z = tf.add(tf.conv2d(x, filter, 1, 'same'), bias) as tf.Tensor4D;
    if (activation === 'relu') return tf.relu(z);
    if (activation === 'relu6') return tf.relu6(z);
    if (activation === 'swish') return tf.mul(z, tf.sigmoid(z));
    return z;
  });
}

/**
 * [batch, h, w, k, n]: pixel counts that leave 0–3 pixels after the 4-pixel tiles (a batch of 2 counts
 * both images), input channels from 1 to 67, output channels that fill whole 8-channel panels (8, 24) or
 * end on a half panel (4, 12, 36).
 */
const CASES: [number, number, number, number, number][] = [
  [1, 1, 1, 1, 8],
  [1, 1, 3, 7, 4],
  [2, 3, 5, 16, 12],
  [1, 7, 7, 67, 36],
  [1, 6, 9, 24, 24],
  [2, 2, 1, 3, 8],
];

/** The kernel, as registered for the active backend, equals `reference` to 1e-5 relative on every case. */
export function expectMatchesReference(activation: FusedActivation): void {
  for (const [batch, h, w, k, n] of CASES) {
    const seed = h * 1000 + w * 100 + k * 10 + n;
    const x = tf.randomNormal([batch, h, w, k], 0, 2, 'float32', seed) as tf.Tensor4D;
    const filter = tf.randomNormal([1, 1, k, n], 0, 1, 'float32', seed + 1) as tf.Tensor4D;
    const bias = tf.randomNormal([n], 0, 1, 'float32', seed + 2) as tf.Tensor1D;
    const packed = packPointwiseFilter(filter, bias)!;
    const expected = reference(x, filter, bias, activation);
    const y = pointwiseConv2d(x, packed, activation);
    expect(y.shape).toEqual(expected.shape);
    const scale = Math.max(1, tf.max(tf.abs(expected)).dataSync()[0]);
    const diff = tf.max(tf.abs(tf.sub(y, expected))).dataSync()[0];
    expect(diff).toBeLessThanOrEqual(1e-5 * scale);
    // The activation really ran: ReLU6 clips, ReLU has no negatives.
    const [min, max] = [tf.min(y).dataSync()[0], tf.max(y).dataSync()[0]];
    if (activation === 'relu6') expect(max).toBeLessThanOrEqual(6);
    if (activation === 'relu' || activation === 'relu6') expect(min).toBeGreaterThanOrEqual(0);
    tf.dispose([x, filter, bias, packed.panels, packed.bias, expected, y]);
  }
}
