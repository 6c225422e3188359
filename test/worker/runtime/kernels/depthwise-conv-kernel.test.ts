import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEPTHWISE_CONV2D_FUSED, depthwiseConv2dFused } from '../../../../worker/runtime/kernels/depthwise-conv-kernel';
import { depthwiseConvModuleBytes } from '../../../../worker/runtime/kernels/depthwise-conv-module';
import { FUSED_ACTIVATIONS, type FusedActivation } from '../../../../worker/runtime/kernels/fused-activation';
import { initWasmBackend } from '../../../../worker/runtime/wasm-workerd';
import { repoBytes } from '../../../support/files';

const ACTIVATIONS = Object.keys(FUSED_ACTIVATIONS) as FusedActivation[];

/** tf.depthwiseConv2d + bias, then the activation by TF.js's own ops: what the kernel replaces. */
function reference(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, stride: number, pad: 'same' | 'valid', activation: FusedActivation): tf.Tensor4D {
  return tf.tidy(() => {
    const z = tf.add(tf.depthwiseConv2d(x, filter, stride, pad), bias) as tf.Tensor4D;
    if (activation === 'relu') return tf.relu(z);
    if (activation === 'relu6') return tf.relu6(z);
    if (activation === 'swish') return tf.mul(z, tf.sigmoid(z));
    return z;
  });
}

describe('the DepthwiseConv2dBiasActivation kernel', () => {
  beforeAll(() => initWasmBackend());

  it('is registered for the wasm backend by the runtime', () => {
    expect(tf.getKernel(DEPTHWISE_CONV2D_FUSED, 'wasm')).toBeDefined();
  });

  // Odd and even sizes put the 'same' padding's odd pixel at the bottom/right; 1×1 and 2×3 images are
  // smaller than the window; 4, 12 and 40 channels exercise the 16-channel groups and the 4-channel tail.
  const sizes: [number, number][] = [[7, 7], [8, 8], [9, 6], [6, 11], [1, 1], [2, 3]];
  for (const kernel of [3, 5]) {
    for (const stride of [1, 2]) {
      for (const pad of ['same', 'valid'] as const) {
        it(`matches tf.depthwiseConv2d + bias + each activation to 1e-4 relative: ${kernel}×${kernel}, stride ${stride}, '${pad}'`, () => {
          for (const [h, w] of sizes) {
            if (pad === 'valid' && (h < kernel || w < kernel)) continue;
            for (const [channels, activation] of [4, 12, 40].flatMap((c) => ACTIVATIONS.map((act) => [c, act] as const))) {
              const seed = h * 1000 + w * 100 + channels;
              const x = tf.randomNormal([2, h, w, channels], 0, 2, 'float32', seed) as tf.Tensor4D;
              const filter = tf.randomNormal([kernel, kernel, channels, 1], 0, 1, 'float32', seed + 1) as tf.Tensor4D;
              const bias = tf.randomNormal([channels], 0, 1, 'float32', seed + 2) as tf.Tensor1D;
              const expected = reference(x, filter, bias, stride, pad, activation);
              const y = depthwiseConv2dFused(x, filter, bias, { strides: [stride, stride], pad, activation })!;
              expect(y.shape).toEqual(expected.shape);
              const scale = Math.max(1, tf.max(tf.abs(expected)).dataSync()[0]);
              const diff = tf.max(tf.abs(tf.sub(y, expected))).dataSync()[0];
              expect(diff, `${h}×${w}×${channels} ${activation}`).toBeLessThanOrEqual(1e-4 * scale);
              tf.dispose([x, filter, bias, expected, y]);
            }
          }
        });
      }
    }
  }

  it('declines what it does not compute: channels not a multiple of 4, a depth multiplier', () => {
    const x6 = tf.zeros([1, 5, 5, 6]) as tf.Tensor4D;
    const x4 = tf.zeros([1, 5, 5, 4]) as tf.Tensor4D;
    const filter6 = tf.zeros([3, 3, 6, 1]) as tf.Tensor4D;
    const filterTimes2 = tf.zeros([3, 3, 4, 2]) as tf.Tensor4D;
    const [bias6, bias8] = [tf.zeros([6]) as tf.Tensor1D, tf.zeros([8]) as tf.Tensor1D];
    const options = { strides: [1, 1] as [number, number], pad: 'same' as const, activation: 'relu6' as const };
    expect(depthwiseConv2dFused(x6, filter6, bias6, options)).toBeUndefined();
    expect(depthwiseConv2dFused(x4, filterTimes2, bias8, options)).toBeUndefined();
    tf.dispose([x6, x4, filter6, filterTimes2, bias6, bias8]);
  });

  it('leaves its inputs as they were and allocates only its output', () => {
    const x = tf.randomUniform([1, 9, 9, 16], -6, 6, 'float32', 1) as tf.Tensor4D;
    const filter = tf.randomUniform([5, 5, 16, 1], -1, 1, 'float32', 2) as tf.Tensor4D;
    const bias = tf.randomUniform([16], -1, 1, 'float32', 3) as tf.Tensor1D;
    const before = [x, filter, bias].map((t) => t.dataSync().slice());
    const tensors = tf.memory().numTensors;
    const y = depthwiseConv2dFused(x, filter, bias, { strides: [2, 2], pad: 'same', activation: 'swish' })!;
    expect(tf.memory().numTensors).toBe(tensors + 1);
    expect(y.shape).toEqual([1, 5, 5, 16]);
    [x, filter, bias].forEach((t, i) => expect(t.dataSync()).toEqual(before[i]));
    tf.dispose([x, filter, bias, y]);
  });

  it('ships the module its source describes (regenerate with `npx tsx worker/runtime/kernels/depthwise-conv-module.ts`)', async () => {
    expect(await repoBytes('worker/runtime/kernels/depthwise-conv.wasm')).toEqual(depthwiseConvModuleBytes());
  });
});
