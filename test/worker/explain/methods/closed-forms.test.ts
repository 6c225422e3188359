/**
 * At a global-average-pooling + dense head the gradient is known in closed form, ∂z_c/∂A_ijk = W_kc/HW,
 * so each method's map is too (cam-methods reference, §6.3): Grad-CAM = HiRes-CAM = ReLU(Σ_k W_kc/HW·A_k),
 * XGrad-CAM the same (its ε aside), Layer-CAM ReLU(Σ_k ReLU(W_kc)/HW·A_k), element-wise
 * Σ_k ReLU(W_kc·A_ijk)/HW. Checked on the default model (EfficientNet-Lite0), on a real photo, with the
 * activations and the dense weights read from the model itself: an oracle that needs no autodiff.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeBodyOutput } from '../../../../worker/engine/exposed-model';
import { explainClasses } from '../../../../worker/explain/explain-classes';
import type { MethodName } from '../../../../worker/explain/methods';
import { DEFAULT_IMAGE_LIMITS, decodeImage } from '../../../../worker/image';
import { loadModel, type LoadedModel } from '../../../../worker/model/load-model';
import { parseManifest, type ModelManifest } from '../../../../worker/model/manifest';
import { memoryIOHandler } from '../../../../worker/model/memory-io-handler';
import { toModelInput } from '../../../../worker/model/preprocess';
import { initWasmBackend } from '../../../../worker/runtime/wasm-workerd';
import { WORKING_MAX_SIDE } from '../../../../worker/service/explain-pixels';
import { maxAbsDiff } from '../../../support/arrays';
import { fixtureBytes, repoBytes } from '../../../support/files';

/** Relative to the map's largest value: float32 sums over 1280 channels in two orders. */
const TOLERANCE = 1e-4;

describe('closed forms at a global-pooling + dense head (EfficientNet-Lite0)', () => {
  let manifest: ModelManifest;
  let model: LoadedModel;
  let input: tf.Tensor4D;
  let activations: Float32Array;
  let kernel: Float32Array;
  let shape: [number, number, number];
  let classes: number;

  beforeAll(async () => {
    await initWasmBackend();
    manifest = parseManifest(JSON.parse(new TextDecoder().decode(await repoBytes('models/efficientnet-lite0/manifest.json'))));
    const files = new Map<string, Uint8Array>();
    for (const file of manifest.files) files.set(file.path, await repoBytes(`models/efficientnet-lite0/${file.path}`));
    model = await loadModel(manifest, files);
    const layers = await tfl.loadLayersModel(memoryIOHandler(files, manifest.modelFile));
    const dense = layers.getLayer('logits').getWeights()[0];
    kernel = dense.dataSync() as Float32Array;
    classes = dense.shape[1] as number;
    layers.dispose();
    const image = await decodeImage(await fixtureBytes('images/dog.jpg'), DEFAULT_IMAGE_LIMITS, { maxSide: WORKING_MAX_SIDE });
    input = toModelInput(image, manifest);
    const body = model.exposed.body(input);
    activations = body.activations.dataSync() as Float32Array;
    shape = model.exposed.layer.shape;
    disposeBodyOutput(body);
  });
  afterAll(() => {
    input.dispose();
    model.dispose();
  });

  /** Σ_k weight(W_kc)/HW·A_ijk, per pixel, ReLU'd; `term` replaces the product where it is not one. */
  function closedForm(c: number, term: (w: number, a: number) => number): Float32Array {
    const [h, w, k] = shape;
    const out = new Float32Array(h * w);
    for (let p = 0; p < h * w; p++) {
      let sum = 0;
      for (let ch = 0; ch < k; ch++) sum += term(kernel[ch * classes + c] / (h * w), activations[p * k + ch]);
      out[p] = Math.max(0, sum);
    }
    return out;
  }

  const cases: [MethodName, (w: number, a: number) => number][] = [
    ['grad-cam', (w, a) => w * a],
    ['hires-cam', (w, a) => w * a],
    ['xgrad-cam', (w, a) => w * a],
    ['layer-cam', (w, a) => Math.max(0, w) * a],
    ['grad-cam-elementwise', (w, a) => Math.max(0, w * a)],
  ];
  for (const [method, term] of cases) {
    it(`${method}: the engine's map is the closed form, for the top 3 classes`, () => {
      const { explanations } = explainClasses(model.exposed, input, { targets: { top: 3 }, activation: 'softmax', method });
      for (const map of explanations) {
        const expected = closedForm(map.index, term);
        const scale = Math.max(...expected);
        expect(scale).toBeGreaterThan(0);
        expect(maxAbsDiff(map.values, expected) / scale, `${method} class ${map.index}`).toBeLessThanOrEqual(TOLERANCE);
      }
    });
  }
});
