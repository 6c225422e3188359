import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { packPointwiseFilter, POINTWISE_CONV2D, pointwiseConv2d } from '../../../../worker/runtime/kernels/pointwise-conv-kernel';
import { pointwiseConvModuleBytes } from '../../../../worker/runtime/kernels/pointwise-conv-module';
import { initWasmBackend } from '../../../../worker/runtime/wasm-workerd';
import { maxAbsDiff } from '../../../support/arrays';
import { repoBytes } from '../../../support/files';
import { expectMatchesReference, POINTWISE_ACTIVATION_NAMES, reference } from './pointwise-conv-cases';

describe('the PointwiseConv2d kernel', () => {
  beforeAll(() => initWasmBackend());

  it('is registered for the wasm backend by the runtime', () => {
    expect(tf.getKernel(POINTWISE_CONV2D, 'wasm')).toBeDefined();
  });

  for (const activation of POINTWISE_ACTIVATION_NAMES) {
    it(`matches tf.conv2d + bias + ${activation} to 1e-5 relative, over tile and panel remainders (the fused multiply-add build)`, () => {
      expectMatchesReference(activation);
    });
  }

  it('computes the same on the cpu backend, from the same packed filter (the fallback)', async () => {
    const x = tf.randomNormal([1, 5, 5, 12], 0, 1, 'float32', 7) as tf.Tensor4D;
    const filter = tf.randomNormal([1, 1, 12, 20], 0, 1, 'float32', 8) as tf.Tensor4D;
    const bias = tf.randomNormal([20], 0, 1, 'float32', 9) as tf.Tensor1D;
    const packed = packPointwiseFilter(filter, bias)!;
    const onWasm = pointwiseConv2d(x, packed, 'swish');
    const expected = reference(x, filter, bias, 'swish').dataSync();
    expect(maxAbsDiff(onWasm.dataSync(), expected)).toBeLessThanOrEqual(1e-5);
    await tf.setBackend('cpu');
    try {
      expect(tf.getKernel(POINTWISE_CONV2D, 'cpu')).toBeUndefined();
      const onCpu = pointwiseConv2d(x, packed, 'swish');
      expect(maxAbsDiff(onCpu.dataSync(), expected)).toBeLessThanOrEqual(1e-5);
      onCpu.dispose();
    } finally {
      await tf.setBackend('wasm');
    }
    tf.dispose([x, filter, bias, packed.panels, packed.bias, onWasm]);
  });

  it('declines filters it does not compute: output channels not a multiple of 4, larger than 1×1', () => {
    const odd = tf.zeros([1, 1, 8, 6]) as tf.Tensor4D;
    const wide = tf.zeros([3, 3, 8, 8]) as tf.Tensor4D;
    expect(packPointwiseFilter(odd)).toBeUndefined();
    expect(packPointwiseFilter(wide)).toBeUndefined();
    tf.dispose([odd, wide]);
  });

  it('leaves its inputs as they were and allocates only its output', () => {
    const x = tf.randomUniform([1, 9, 9, 16], -6, 6, 'float32', 1) as tf.Tensor4D;
    const filter = tf.randomUniform([1, 1, 16, 12], -1, 1, 'float32', 2) as tf.Tensor4D;
    const packed = packPointwiseFilter(filter)!;
    const before = [x, packed.panels, packed.bias].map((t) => t.dataSync().slice());
    const tensors = tf.memory().numTensors;
    const y = pointwiseConv2d(x, packed, 'swish');
    expect(tf.memory().numTensors).toBe(tensors + 1);
    expect(y.shape).toEqual([1, 9, 9, 12]);
    [x, packed.panels, packed.bias].forEach((t, i) => expect(t.dataSync()).toEqual(before[i]));
    tf.dispose([x, filter, packed.panels, packed.bias, y]);
  });

  it('ships the modules its source describes (regenerate with `npx tsx worker/runtime/kernels/pointwise-conv-module.ts`)', async () => {
    expect(await repoBytes('worker/runtime/kernels/pointwise-conv.wasm')).toEqual(pointwiseConvModuleBytes({ fusedMultiplyAdd: false }));
    expect(await repoBytes('worker/runtime/kernels/pointwise-conv-fma.wasm')).toEqual(pointwiseConvModuleBytes({ fusedMultiplyAdd: true }));
  });
});
