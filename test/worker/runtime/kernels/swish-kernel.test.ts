import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SWISH, swish } from '../../../../worker/runtime/kernels/swish-kernel';
import { swishModuleBytes } from '../../../../worker/runtime/kernels/swish-module';
import { initWasmBackend } from '../../../../worker/runtime/wasm-workerd';
import { repoBytes } from '../../../support/files';

/** x·σ(x) in float64, the reference. */
const exact = (x: number) => x / (1 + Math.exp(-x));

describe('the Swish kernel', () => {
  beforeAll(() => initWasmBackend());

  it('is registered for the wasm backend by the runtime', () => {
    expect(tf.getKernel(SWISH, 'wasm')).toBeDefined();
  });

  it('matches x·σ(x) to 4e-6 relative over the float range, including the tail past the last 4 lanes', () => {
    const values = [0, -0, 1e-30, -1e-30, 0.5, -0.5, 3, -3, 20, -20, 87, -87, 88.5, -88.5, 100, -100, 1e30, -1e30];
    for (let i = 0; i < 4001; i++) values.push(-40 + i * 0.02);
    const x = tf.tensor1d(values);
    const y = swish(x);
    const out = y.dataSync();
    values.forEach((v, i) => {
      const expected = exact(v);
      // Far below −88, the result is x·e^−88 rather than 0: within 1e-8 of it.
      expect(Math.abs(out[i] - expected)).toBeLessThanOrEqual(4e-6 * Math.abs(expected) + 1e-8);
    });
    tf.dispose([x, y]);
  });

  it('leaves its input as it was and allocates only its output', () => {
    const x = tf.randomUniform([1, 7, 7, 13], -6, 6, 'float32', 1);
    const before = x.dataSync().slice();
    const tensors = tf.memory().numTensors;
    const y = swish(x);
    expect(tf.memory().numTensors).toBe(tensors + 1);
    expect(y.shape).toEqual(x.shape);
    expect(x.dataSync()).toEqual(before);
    tf.dispose([x, y]);
  });

  it('ships the module its source describes (regenerate with `npx tsx worker/runtime/kernels/swish-module.ts`)', async () => {
    expect(await repoBytes('worker/runtime/kernels/swish.wasm')).toEqual(swishModuleBytes());
  });
});
