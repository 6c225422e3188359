/**
 * Grad-CAM computed by the split (body/head) path on WASM equals a reference computed independently on
 * the cpu backend by whole-model autodiff: the model is written out again in raw tf ops with a zero
 * perturbation δ added to the layer's activations, and ∂y_c/∂A is taken as ∂y_c/∂δ at δ = 0.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainClasses } from '../../../worker/explain/explain-classes';
import { exposeLayersModel } from '../../../worker/engine/expose-layers-model';
import { normalizeMinMax } from '../../../worker/explain/normalize';
import { initWasmBackend } from '../../../worker/runtime/wasm-workerd';
import { maxAbsDiff } from '../../support/arrays';

const SIZE = 24;
const CLASSES = 5;


type Variant = 'chain' | 'skip' | 'head-conv';

/**
 * conv(12, stride 2) → conv(12) "features" → [add(skip) | conv(8) "post" | nothing] → GAP → dense(5) → softmax.
 * "head-conv" puts a convolution after the Grad-CAM layer, whose gradient needs the WASM fallback kernels.
 */
function buildModel(variant: Variant): tfl.LayersModel {
  const input = tfl.input({ shape: [SIZE, SIZE, 3] });
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const c1 = tfl.layers.conv2d({ filters: 12, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(1), name: 'c1' }).apply(input) as tfl.SymbolicTensor;
  const features = tfl.layers.conv2d({ filters: 12, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(2), biasInitializer: 'ones', name: 'features' }).apply(c1) as tfl.SymbolicTensor;
  const merged =
    variant === 'skip'
      ? (tfl.layers.add({ name: 'skip' }).apply([features, c1]) as tfl.SymbolicTensor)
      : variant === 'head-conv'
        ? (tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', name: 'post-dw', depthwiseInitializer: init(4) }).apply(
            tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'post', kernelInitializer: init(5) }).apply(features),
          ) as tfl.SymbolicTensor)
        : features;
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(merged) as tfl.SymbolicTensor;
  // Mostly positive class weights, so that every class has a map that is not all zero after the ReLU.
  const classWeights = tfl.initializers.randomUniform({ minval: -0.5, maxval: 1, seed: 3 });
  const logits = tfl.layers.dense({ units: CLASSES, kernelInitializer: classWeights, name: 'logits' }).apply(pooled) as tfl.SymbolicTensor;
  const probs = tfl.layers.activation({ activation: 'softmax', name: 'probs' }).apply(logits) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: probs });
}

/** The same network in raw ops on the cpu backend; returns Grad-CAM of `target` at "features". */
function referenceGradCam(model: tfl.LayersModel, variant: Variant, x: number[], target: number): Float32Array {
  const weights = (name: string) => model.getLayer(name).getWeights().map((w) => tf.tensor(w.arraySync() as number[], w.shape));
  return tf.tidy(() => {
    const [k1, b1] = weights('c1');
    const [k2, b2] = weights('features');
    const [kd, bd] = weights('logits');
    const input = tf.tensor4d(x, [1, SIZE, SIZE, 3]);
    const c1 = tf.relu(tf.add(tf.conv2d(input, k1 as tf.Tensor4D, 2, 'same'), b1));
    const features = tf.relu(tf.add(tf.conv2d(c1 as tf.Tensor4D, k2 as tf.Tensor4D, 1, 'same'), b2)) as tf.Tensor4D;
    const score = (delta: tf.Tensor) => {
      const a = tf.add(features, delta);
      let merged = a;
      if (variant === 'skip') merged = tf.add(a, c1);
      if (variant === 'head-conv') {
        const [kp, bp] = weights('post');
        const [kdw, bdw] = weights('post-dw');
        const post = tf.add(tf.conv2d(a as tf.Tensor4D, kp as tf.Tensor4D, 1, 'same'), bp) as tf.Tensor4D;
        merged = tf.add(tf.depthwiseConv2d(post, kdw as tf.Tensor4D, 1, 'same'), bdw);
      }
      const logits = tf.add(tf.matMul(tf.mean(merged, [1, 2]), kd as tf.Tensor2D), bd);
      return tf.sum(tf.slice(logits, [0, target], [1, 1]));
    };
    const gradients = tf.grad(score)(tf.zerosLike(features));
    const w = tf.mean(gradients, [0, 1, 2]);
    return tf.relu(tf.sum(tf.mul(features, w), 3)).dataSync() as Float32Array;
  });
}

describe('Grad-CAM against whole-model autodiff on the cpu backend', () => {
  beforeAll(async () => {
    await initWasmBackend();
  });
  afterAll(async () => {
    await tf.setBackend('wasm');
  });

  const DESCRIPTIONS: Record<Variant, string> = {
    chain: 'on a plain chain',
    skip: 'with a skip connection over the layer',
    'head-conv': 'with convolutions in the head (WASM fallback gradient kernels)',
  };
  for (const variant of ['chain', 'skip', 'head-conv'] as const) {
    it(`matches the reference ${DESCRIPTIONS[variant]}`, async () => {
      await tf.setBackend('wasm');
      const model = buildModel(variant);
      const x = Array.from({ length: SIZE * SIZE * 3 }, (_, i) => Math.sin(i * 0.37) * 0.5 + 0.5);
      const exposed = exposeLayersModel(model, { layer: 'features', stripActivation: 'softmax' });
      const input = tf.tensor4d(x, [1, SIZE, SIZE, 3]);
      const result = explainClasses(exposed, input, { targets: { classes: [0, 2, 4] }, activation: 'softmax' });
      input.dispose();
      // Reference scores from the unmodified model, including its softmax.
      const probs = tf.tidy(() => (model.predict(tf.tensor4d(x, [1, SIZE, SIZE, 3])) as tf.Tensor).dataSync());

      await tf.setBackend('cpu');
      let hottest = 0;
      for (const explanation of result.explanations) {
        const reference = referenceGradCam(model, variant, x, explanation.index);
        expect(explanation.values.length).toBe((SIZE / 2) * (SIZE / 2));
        expect(maxAbsDiff(normalizeMinMax(explanation.values), normalizeMinMax(reference))).toBeLessThanOrEqual(1e-3);
        hottest = Math.max(hottest, ...reference);
        expect(explanation.score).toBeCloseTo(probs[explanation.index], 5);
      }
      // Some class's map may be all zero after the ReLU, but the comparison must not be of empty maps only.
      expect(hottest).toBeGreaterThan(1e-3);
      await tf.setBackend('wasm');
      model.dispose();
    });
  }

  it('equals CAM from the dense weights when the head is global average pooling + dense', async () => {
    await tf.setBackend('wasm');
    const model = buildModel('chain');
    const exposed = exposeLayersModel(model, { stripActivation: 'softmax' });
    expect(exposed.layer.name).toBe('features');
    const x = Array.from({ length: SIZE * SIZE * 3 }, (_, i) => Math.cos(i * 0.11));
    const input = tf.tensor4d(x, [1, SIZE, SIZE, 3]);
    const result = explainClasses(exposed, input, { targets: { top: CLASSES }, activation: 'softmax' });
    // CAM (Zhou et al. 2016): M_c = Σ_k W_{k,c} A_k, here with the same ReLU Grad-CAM applies.
    const cams = tf.tidy(() => {
      const features = tfl.model({ inputs: model.inputs, outputs: model.getLayer('features').output }).predict(input) as tf.Tensor4D;
      const [kernel] = model.getLayer('logits').getWeights();
      return result.explanations.map((e) => {
        const column = tf.reshape(tf.slice(kernel, [0, e.index], [-1, 1]), [-1]);
        return tf.relu(tf.sum(tf.mul(features, column), 3)).dataSync() as Float32Array;
      });
    });
    input.dispose();
    result.explanations.forEach((e, i) => {
      expect(maxAbsDiff(normalizeMinMax(e.values), normalizeMinMax(cams[i]))).toBeLessThanOrEqual(1e-3);
    });
    // Different classes give different maps (a map that ignored the target would not).
    expect(maxAbsDiff(normalizeMinMax(result.explanations[0].values), normalizeMinMax(result.explanations[1].values))).toBeGreaterThan(0.05);
    model.dispose();
  });
});
