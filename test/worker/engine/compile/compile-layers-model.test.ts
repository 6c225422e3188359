/**
 * The compiled path (batch norm folded, fused kernels, op closures) gives the same maps as the plain
 * layer-by-layer path, on the real Tiny Darknet, on an EfficientNet-B0-topology model with random weights,
 * on the default model (EfficientNet-Lite0, on a real photo), on the scenes model when it is built, and on small models that exercise every fusion and fallback:
 * max |difference| ≤ 1e-3 on the raw maps, and also ≤ 1e-3 of the map's largest value (raw maps of
 * models with random weights are small, so the absolute bound alone would prove little). Min–max
 * normalised maps are not compared: a random network's map can be nearly flat, and normalising a flat map
 * magnifies float rounding without bound.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEfficientNetB0 } from '../../../../bench/efficientnet-b0';
import { compileLayersModel, type CompileLayersOptions } from '../../../../worker/engine/compile/compile-layers-model';
import { explainClasses, type ClassExplanations } from '../../../../worker/explain/explain-classes';
import { exposeLayersModel } from '../../../../worker/engine/expose-layers-model';
import { disposeBodyOutput, type ExposedModel } from '../../../../worker/engine/exposed-model';
import { DEFAULT_IMAGE_LIMITS, decodeImage } from '../../../../worker/image';
import { parseManifest } from '../../../../worker/model/manifest';
import { toModelInput } from '../../../../worker/model/preprocess';
import { WORKING_MAX_SIDE } from '../../../../worker/service/explain-pixels';
import { memoryIOHandler } from '../../../../worker/model/memory-io-handler';
import { DEPTHWISE_CONV2D_FUSED } from '../../../../worker/runtime/kernels/depthwise-conv-kernel';
import { POINTWISE_CONV2D } from '../../../../worker/runtime/kernels/pointwise-conv-kernel';
import { initWasmBackend } from '../../../../worker/runtime/wasm-workerd';
import { fixtureBytes, repoBytes } from '../../../support/files';
import { tinyDarknet } from '../../../support/models';
import { maxAbsDiff } from '../../../support/arrays';

const TOLERANCE = 1e-3;
/** The WASM gradient kernels that fall back to the cpu backend (runtime/wasm-gradient-kernels.ts). */
const CPU_FALLBACK_KERNELS = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'];


type Activation = 'softmax' | 'sigmoid' | 'none';

/** Explains the same input with both paths and checks logits, scores and every map. */
function expectSameExplanations(plain: ExposedModel, compiled: ExposedModel, input: tf.Tensor4D, activation: Activation, top = 3) {
  expect(compiled.layer).toEqual(plain.layer);
  expect(compiled.inputSize).toEqual(plain.inputSize);
  const explain = (model: ExposedModel): ClassExplanations => explainClasses(model, input, { targets: { top }, activation });
  const expected = explain(plain);
  const actual = explain(compiled);
  expect(actual.explanations.map((e) => e.index)).toEqual(expected.explanations.map((e) => e.index));
  let hottest = 0;
  actual.explanations.forEach((map, i) => {
    const reference = expected.explanations[i];
    expect(Math.abs(map.logit - reference.logit)).toBeLessThanOrEqual(TOLERANCE * Math.max(1, Math.abs(reference.logit)));
    const difference = maxAbsDiff(map.values, reference.values);
    expect(difference).toBeLessThanOrEqual(TOLERANCE);
    expect(difference).toBeLessThanOrEqual(TOLERANCE * reference.max);
    hottest = Math.max(hottest, reference.max);
  });
  // The comparison must not be of empty maps only.
  expect(hottest).toBeGreaterThan(0);
}

function randomizeBatchNorms(model: tfl.LayersModel, seed: number) {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const weights = layer.getWeights();
    const values = weights.map((w, i) => {
      // gamma, beta, moving mean, moving variance (variance kept positive).
      const [low, high] = i === weights.length - 1 ? [0.5, 1.5] : [-0.5, 1];
      return tf.randomUniform(w.shape, low, high, 'float32', seed++);
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}

function randomInput(size: number, seed: number, [low, high] = [-1, 1]): tf.Tensor4D {
  return tf.randomUniform([1, size, size, 3], low, high, 'float32', seed) as tf.Tensor4D;
}

describe('compileLayersModel', () => {
  beforeAll(() => initWasmBackend());
  afterAll(() => expect(tf.memory().numTensors).toBeLessThan(10_000));

  it('equals the plain path on the real Tiny Darknet', async () => {
    const { manifest, files } = await tinyDarknet();
    const model = await tfl.loadLayersModel(memoryIOHandler(files, manifest.modelFile));
    const compiled = compileLayersModel(model);
    const split = { stripActivation: 'softmax' as const };
    const input = randomInput(224, 1, [0, 1]);
    expectSameExplanations(exposeLayersModel(model, split), compiled.expose(split), input, 'softmax');
    input.dispose();
    compiled.dispose();
    model.dispose();
  });

  it('equals the plain path on an EfficientNet-B0 topology with random weights, with no CPU fallback kernels', async () => {
    const model = buildEfficientNetB0();
    const compiled = compileLayersModel(model);
    const split = { stripActivation: 'softmax' as const };
    const exposed = compiled.expose(split);
    expect(exposed.layer).toEqual({ name: 'top_activation', shape: [7, 7, 1280] });
    const input = randomInput(224, 2);
    expectSameExplanations(exposeLayersModel(model, split), exposed, input, 'softmax');

    // B0's head is global average pooling + dense: its gradient needs none of the WASM fallbacks.
    const profile = await tf.profile(() => {
      explainClasses(exposed, input, { targets: { top: 3 }, activation: 'softmax' });
    });
    expect(profile.kernels.map((k) => k.name).filter((name) => CPU_FALLBACK_KERNELS.includes(name))).toEqual([]);
    // Each of B0's 16 blocks runs its depthwise convolution, bias and swish as one kernel.
    expect(profile.kernels.filter((k) => k.name === DEPTHWISE_CONV2D_FUSED)).toHaveLength(16);
    // 1×1 convolutions as one pass with their bias and activation: 15 expansions, 16 projections, the top
    // convolution and the 12 squeeze convolutions with a multiple of 4 channels (4 have 6 or 10; the
    // sigmoid excitations stay TF.js's).
    expect(profile.kernels.filter((k) => k.name === POINTWISE_CONV2D)).toHaveLength(44);

    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) explainClasses(exposed, input, { targets: { top: 2 }, activation: 'softmax' });
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
    compiled.dispose();
    model.dispose();
  }, 120_000);

  it('equals the plain path on the scenes model (compact-efficientnet), when it has been built', async (context) => {
    let manifestBytes: Uint8Array;
    try {
      manifestBytes = await repoBytes('models/compact-efficientnet/manifest.json');
    } catch {
      context.skip();
      return;
    }
    const manifest = parseManifest(JSON.parse(new TextDecoder().decode(manifestBytes)));
    const files = new Map<string, Uint8Array>();
    for (const file of manifest.files) files.set(file.path, await repoBytes(`models/compact-efficientnet/${file.path}`));
    const model = await tfl.loadLayersModel(memoryIOHandler(files, manifest.modelFile));
    const compiled = compileLayersModel(model);
    const split = { layer: manifest.gradcamLayer, stripActivation: manifest.output.activation };
    const input = randomInput(manifest.input.width, 3);
    expectSameExplanations(exposeLayersModel(model, split), compiled.expose(split), input, manifest.output.activation);
    input.dispose();
    compiled.dispose();
    model.dispose();
  });

  it('equals the plain path on EfficientNet-Lite0 (the default model) on a real photo, its convolutions on the pointwise and depthwise kernels', async () => {
    const manifest = parseManifest(JSON.parse(new TextDecoder().decode(await repoBytes('models/efficientnet-lite0/manifest.json'))));
    const files = new Map<string, Uint8Array>();
    for (const file of manifest.files) files.set(file.path, await repoBytes(`models/efficientnet-lite0/${file.path}`));
    const model = await tfl.loadLayersModel(memoryIOHandler(files, manifest.modelFile));
    const compiled = compileLayersModel(model);
    const split = { layer: manifest.gradcamLayer, stripActivation: manifest.output.activation };
    const exposed = compiled.expose(split);
    const image = await decodeImage(await fixtureBytes('images/dog.jpg'), DEFAULT_IMAGE_LIMITS, { maxSide: WORKING_MAX_SIDE });
    const input = toModelInput(image, manifest);
    expectSameExplanations(exposeLayersModel(model, split), exposed, input, manifest.output.activation, 5);
    // 15 expansions, 16 projections and the top convolution: every 1×1 convolution of Lite0, ReLU6 fused.
    const profile = await tf.profile(() => {
      explainClasses(exposed, input, { targets: { top: 3 }, activation: 'softmax' });
    });
    expect(profile.kernels.filter((k) => k.name === POINTWISE_CONV2D)).toHaveLength(32);
    // Its 16 depthwise convolutions with their bias and ReLU6, each one pass of the depthwise kernel.
    expect(profile.kernels.filter((k) => k.name === DEPTHWISE_CONV2D_FUSED)).toHaveLength(16);
    expect(profile.kernels.map((k) => k.name).filter((name) => CPU_FALLBACK_KERNELS.includes(name))).toEqual([]);
    input.dispose();
    compiled.dispose();
    model.dispose();
  }, 120_000);

  /**
   * conv → BN → relu6 │ depthwise(×2) → BN → leaky ReLU │ SE gate → conv → BN │ add │ dropout │ concat with
   * an unsupported layer (UpSampling2D after pooling) │ 1×1 conv → BN → relu6 │ conv (elu) "features" │ conv → BN → PReLU in the head │
   * GAP │ dense (relu) │ dense (sigmoid).
   */
  function everyPatternModel(): tfl.LayersModel {
    let seed = 100;
    const init = () => tfl.initializers.glorotUniform({ seed: seed++ });
    const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) => layer.apply(x) as tfl.SymbolicTensor;
    const input = tfl.input({ shape: [16, 16, 3] });
    let x = apply(tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: init(), name: 'stem' }), input);
    x = apply(tfl.layers.batchNormalization({ name: 'stem_bn' }), x);
    x = apply(tfl.layers.reLU({ maxValue: 6, name: 'stem_relu6' }), x);
    let y = apply(tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', depthwiseInitializer: init(), name: 'dw' }), x);
    y = apply(tfl.layers.batchNormalization({ name: 'dw_bn' }), y);
    y = apply(tfl.layers.leakyReLU({ alpha: 0.2, name: 'dw_leaky' }), y);
    let gate = apply(tfl.layers.globalAveragePooling2d({ name: 'se_squeeze' }), y);
    gate = apply(tfl.layers.reshape({ targetShape: [1, 1, 16] }), gate);
    gate = apply(tfl.layers.conv2d({ filters: 16, kernelSize: 1, activation: 'sigmoid', kernelInitializer: init(), name: 'se_expand' }), gate);
    y = apply(tfl.layers.multiply({ name: 'se_excite' }), [y, gate]);
    y = apply(tfl.layers.conv2d({ filters: 8, kernelSize: 1, padding: 'same', useBias: false, kernelInitializer: init(), name: 'project' }), y);
    y = apply(tfl.layers.batchNormalization({ name: 'project_bn' }), y);
    x = apply(tfl.layers.add({ name: 'residual' }), [x, y]);
    x = apply(tfl.layers.dropout({ rate: 0.3, name: 'drop' }), x);
    const pooled = apply(tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }), x);
    const upsampled = apply(tfl.layers.upSampling2d({ size: [2, 2], name: 'upsample' }), pooled);
    x = apply(tfl.layers.concatenate({ name: 'concat' }), [x, upsampled]);
    // Its own seed, so that the layers after it keep the weights the splits below were chosen with.
    const mixInit = tfl.initializers.glorotUniform({ seed: 1 });
    x = apply(tfl.layers.conv2d({ filters: 12, kernelSize: 1, useBias: false, kernelInitializer: mixInit, name: 'mix' }), x);
    x = apply(tfl.layers.batchNormalization({ name: 'mix_bn' }), x);
    x = apply(tfl.layers.reLU({ maxValue: 6, name: 'mix_relu6' }), x);
    x = apply(tfl.layers.conv2d({ filters: 12, kernelSize: 3, padding: 'same', activation: 'elu', kernelInitializer: init(), name: 'features' }), x);
    x = apply(tfl.layers.conv2d({ filters: 10, kernelSize: 3, padding: 'same', kernelInitializer: init(), name: 'head_conv' }), x);
    x = apply(tfl.layers.batchNormalization({ name: 'head_bn' }), x);
    x = apply(tfl.layers.prelu({ sharedAxes: [1, 2], alphaInitializer: tfl.initializers.constant({ value: 0.1 }), name: 'head_prelu' }), x);
    x = apply(tfl.layers.globalAveragePooling2d({ name: 'gap' }), x);
    x = apply(tfl.layers.dense({ units: 9, activation: 'relu', kernelInitializer: init(), name: 'hidden' }), x);
    const out = apply(tfl.layers.dense({ units: 5, activation: 'sigmoid', kernelInitializer: init(), name: 'out' }), x);
    const model = tfl.model({ inputs: input, outputs: out });
    randomizeBatchNorms(model, 7);
    return model;
  }

  const OPTION_SETS: Record<string, CompileLayersOptions> = {
    'every optimisation': {},
    'no folding, fusing or swish kernels': { foldBatchNorm: false, fuseActivations: false, swishKernel: false, depthwiseKernel: false, pointwiseKernel: false },
    'everything but the pointwise kernel': { pointwiseKernel: false },
    'folding without fusing': { fuseActivations: false },
  };
  for (const [name, options] of Object.entries(OPTION_SETS)) {
    it(`equals the plain path with ${name}, at every kind of split`, () => {
      const model = everyPatternModel();
      const compiled = compileLayersModel(model, options);
      const input = randomInput(16, 4);
      // At the named conv (the head holds conv → BN → PReLU), at a BN output, at a conv whose BN then
      // cannot be folded, and at a layer inside the residual branch (a skip connection crosses the split).
      for (const layer of ['features', 'stem_bn', 'project', 'dw_leaky']) {
        const split = { layer, stripActivation: 'sigmoid' as const };
        expectSameExplanations(exposeLayersModel(model, split), compiled.expose(split), input, 'sigmoid');
      }
      input.dispose();
      compiled.dispose();
      model.dispose();
    });
  }

  it('runs a batch of several images', async () => {
    const model = everyPatternModel();
    const compiled = compileLayersModel(model);
    const split = { layer: 'features', stripActivation: 'sigmoid' as const };
    const plain = exposeLayersModel(model, split);
    const exposed = compiled.expose(split);
    const batch = tf.concat([randomInput(16, 5), randomInput(16, 6)]) as tf.Tensor4D;
    const logits = (m: ExposedModel) =>
      tf.tidy(() => {
        const body = m.body(batch);
        const out = m.head(body.activations, body.context).dataSync();
        disposeBodyOutput(body);
        return out;
      });
    expect(maxAbsDiff(logits(exposed), logits(plain))).toBeLessThanOrEqual(1e-5);
    // Both 1×1 convolutions ('project', linear; 'mix', ReLU6 on a half panel) ran as PointwiseConv2d,
    // over the pixels of both images at once.
    const profile = await tf.profile(() => logits(exposed));
    const pointwise = profile.kernels.filter((k) => k.name === POINTWISE_CONV2D);
    expect(pointwise.map((k) => k.outputShapes[0])).toEqual([[2, 8, 8, 8], [2, 8, 8, 12]]);
    batch.dispose();
    compiled.dispose();
    model.dispose();
  });

  it('leaves the tensor count where it found it', () => {
    const model = everyPatternModel();
    const compiled = compileLayersModel(model);
    const exposed = compiled.expose({ layer: 'features', stripActivation: 'sigmoid' });
    const input = randomInput(16, 8);
    explainClasses(exposed, input, { targets: { top: 2 }, activation: 'sigmoid' });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) explainClasses(exposed, input, { targets: { top: 3 }, activation: 'sigmoid' });
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
    compiled.dispose();
    model.dispose();
  });
});
