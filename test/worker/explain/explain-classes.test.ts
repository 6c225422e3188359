import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { explainClasses, topIndices } from '../../../worker/explain/explain-classes';
import { exposeLayersModel } from '../../../worker/engine/expose-layers-model';
import { disposeBodyOutput, LayerSelectionError } from '../../../worker/engine/exposed-model';
import { normalizeMinMax } from '../../../worker/explain/normalize';
import { initWasmBackend } from '../../../worker/runtime/wasm-workerd';

function smallModel() {
  const input = tfl.input({ shape: [16, 16, 3] });
  const conv = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv', kernelInitializer: tfl.initializers.glorotUniform({ seed: 7 }) }).apply(input);
  const flat = tfl.layers.flatten().apply(conv);
  const out = tfl.layers.dense({ units: 3, activation: 'sigmoid', name: 'out', kernelInitializer: tfl.initializers.glorotUniform({ seed: 8 }) }).apply(flat);
  return tfl.model({ inputs: input, outputs: out as tfl.SymbolicTensor });
}

describe('explainClasses', () => {
  beforeAll(() => initWasmBackend());

  it('picks the top classes best first, skipping ignored leading outputs', () => {
    expect(topIndices([0.9, 0.1, 0.5, 0.7], 2)).toEqual([0, 3]);
    expect(topIndices([0.9, 0.1, 0.5, 0.7], 2, 1)).toEqual([3, 2]);
  });

  it('finds the last 4-D output when there is no global pooling, and strips a fused sigmoid', () => {
    const model = smallModel();
    const exposed = exposeLayersModel(model, { stripActivation: 'sigmoid' });
    expect(exposed.layer).toEqual({ name: 'conv', shape: [16, 16, 4] });
    const input = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const body = exposed.body(input);
    const logits = tf.tidy(() => exposed.head(body.activations, body.context).dataSync());
    disposeBodyOutput(body);
    const probs = tf.tidy(() => (model.predict(input) as tf.Tensor).dataSync());
    logits.forEach((l, i) => expect(1 / (1 + Math.exp(-l))).toBeCloseTo(probs[i], 5));
    input.dispose();
    model.dispose();
  });

  it('names unknown or non-spatial layers in its error', () => {
    const model = smallModel();
    expect(() => exposeLayersModel(model, { layer: 'nope' })).toThrow(LayerSelectionError);
    expect(() => exposeLayersModel(model, { layer: 'out' })).toThrow(/2-D output/);
    model.dispose();
  });

  it('leaves the tensor count where it found it and never returns NaN for flat maps', () => {
    const model = smallModel();
    const exposed = exposeLayersModel(model, { stripActivation: 'sigmoid' });
    const zeros = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      const result = explainClasses(exposed, zeros, { targets: { top: 3 }, activation: 'sigmoid' });
      expect(result.explanations).toHaveLength(3);
      for (const e of result.explanations) expect(normalizeMinMax(e.values).every((v) => Number.isFinite(v))).toBe(true);
    }
    expect(tf.memory().numTensors).toBe(before);
    zeros.dispose();
    model.dispose();
  });
});
