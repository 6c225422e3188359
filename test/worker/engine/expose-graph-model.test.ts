/**
 * Grad-CAM on TF.js GraphModels, in workerd: small graphs written out here as model.json + weights, loaded
 * through the worker's loader (manifest format "tfjs-graph"), explained, and compared with Grad-CAM worked
 * out by hand for them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { explainClasses } from '../../../worker/explain/explain-classes';
import { LayerSelectionError } from '../../../worker/engine/exposed-model';
import { loadModel, type LoadedModel } from '../../../worker/model/load-model';
import { initWasmBackend } from '../../../worker/runtime/wasm-workerd';
import { manifestFor } from '../../support/models';

const H = 4;
const W = 4;
/** 1×1 conv 2 → 3 channels, its bias, the skip conv 2 → 3, the dense layer 3 → 2 and its bias. */
const W1 = [[0.5, -1, 2], [1.5, 0.25, -0.5]];
const B1 = [0.1, 0.2, -0.3];
const W3 = [[1, 0, -1], [0, 2, 1]];
const W2 = [[1, -2], [0.5, 1], [-1, 3]];
const B2 = [0.3, -0.1];

const b64 = (s: string) => btoa(s);
const floatT = { T: { type: 'DT_FLOAT' } };
const conv = (name: string, input: string, filter: string) => ({
  name, op: 'Conv2D', input: [input, filter],
  attr: { ...floatT, strides: { list: { i: ['1', '1', '1', '1'] } }, dilations: { list: { i: ['1', '1', '1', '1'] } }, padding: { s: b64('SAME') }, data_format: { s: b64('NHWC') } },
});
const constant = (name: string, dtype = 'DT_FLOAT') => ({ name, op: 'Const', attr: { dtype: { type: dtype } } });

/**
 * input → conv → bias → relu "feat" → [AddV2 with conv(input) "sum", when `skip`] → Mean over H, W →
 * MatMul → BiasAdd "logits" → Softmax "probabilities".
 */
function graphFiles(skip: boolean): Map<string, Uint8Array<ArrayBuffer>> {
  const pooled = skip ? 'sum' : 'feat';
  const nodes = [
    { name: 'image', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: String(H) }, { size: String(W) }, { size: '2' }] } } } },
    constant('w1'), constant('b1'), constant('w2'), constant('b2'), constant('axes', 'DT_INT32'),
    conv('conv', 'image', 'w1'),
    { name: 'biased', op: 'BiasAdd', input: ['conv', 'b1'], attr: floatT },
    { name: 'feat', op: 'Relu', input: ['biased'], attr: floatT },
    ...(skip ? [constant('w3'), conv('side', 'image', 'w3'), { name: 'sum', op: 'AddV2', input: ['feat', 'side'], attr: floatT }] : []),
    { name: 'gap', op: 'Mean', input: [pooled, 'axes'], attr: { keep_dims: { b: false }, Tidx: { type: 'DT_INT32' } } },
    { name: 'matmul', op: 'MatMul', input: ['gap', 'w2'], attr: { ...floatT, transpose_a: { b: false }, transpose_b: { b: false } } },
    { name: 'logits', op: 'BiasAdd', input: ['matmul', 'b2'], attr: floatT },
    { name: 'probabilities', op: 'Softmax', input: ['logits'], attr: floatT },
  ];
  const weights = [
    { name: 'w1', shape: [1, 1, 2, 3], dtype: 'float32', values: W1.flat() },
    { name: 'b1', shape: [3], dtype: 'float32', values: B1 },
    { name: 'w2', shape: [3, 2], dtype: 'float32', values: W2.flat() },
    { name: 'b2', shape: [2], dtype: 'float32', values: B2 },
    { name: 'axes', shape: [2], dtype: 'int32', values: [1, 2] },
    ...(skip ? [{ name: 'w3', shape: [1, 1, 2, 3], dtype: 'float32', values: W3.flat() }] : []),
  ];
  const data = new Uint8Array(weights.reduce((n, w) => n + 4 * w.values.length, 0));
  const view = new DataView(data.buffer);
  let at = 0;
  for (const w of weights) {
    for (const v of w.values) {
      if (w.dtype === 'int32') view.setInt32(at, v, true);
      else view.setFloat32(at, v, true);
      at += 4;
    }
  }
  const modelJson = {
    format: 'graph-model',
    modelTopology: { node: nodes, library: {}, versions: {} },
    weightsManifest: [{ paths: ['weights.bin'], weights: weights.map(({ name, shape, dtype }) => ({ name, shape, dtype })) }],
  };
  return new Map([
    ['model.json', new TextEncoder().encode(JSON.stringify(modelJson)) as Uint8Array<ArrayBuffer>],
    ['weights.bin', data],
  ]);
}

async function load(skip: boolean, gradcamLayer = 'auto'): Promise<LoadedModel> {
  const files = graphFiles(skip);
  const manifest = await manifestFor(
    {
      id: skip ? 'graph-skip' : 'graph',
      task: 'classification',
      format: 'tfjs-graph',
      input: { width: W, height: H },
      preprocessing: { mean: [0, 0, 0], std: [1, 1, 1] },
      output: { activation: 'softmax', labelOffset: 0 },
      labels: ['zero', 'one'],
      gradcamLayer,
    },
    files,
  );
  return loadModel(manifest, files);
}

/** The input image [H, W, 2], deterministic. */
const PIXELS = Array.from({ length: H * W * 2 }, (_, i) => Math.sin(1.7 * i) * 2);

/** feat[i][j][k] = relu(Σ_c x_ijc W1_ck + B1_k); side likewise with W3 and no bias or relu. */
function byHand(skip: boolean) {
  const feat: number[][] = [];
  const side: number[][] = [];
  for (let p = 0; p < H * W; p++) {
    const x = [PIXELS[2 * p], PIXELS[2 * p + 1]];
    feat.push([0, 1, 2].map((k) => Math.max(0, x[0] * W1[0][k] + x[1] * W1[1][k] + B1[k])));
    side.push([0, 1, 2].map((k) => x[0] * W3[0][k] + x[1] * W3[1][k]));
  }
  const pooled = [0, 1, 2].map((k) => feat.reduce((s, f, p) => s + f[k] + (skip ? side[p][k] : 0), 0) / (H * W));
  const logits = [0, 1].map((c) => pooled.reduce((s, v, k) => s + v * W2[k][c], B2[c]));
  // ∂logit_c/∂feat_ijk = W2_kc / HW everywhere (mean pooling, then a linear layer), so the Grad-CAM
  // weight of channel k is W2_kc / HW and the map is relu(Σ_k W2_kc / HW · feat_ijk).
  const map = (c: number) => feat.map((f) => Math.max(0, f.reduce((s, v, k) => s + (W2[k][c] / (H * W)) * v, 0)));
  return { logits, map };
}

function explain(model: LoadedModel, layer?: string) {
  const exposed = layer ? model.exposeAt(layer) : model.exposed;
  const input = tf.tensor4d(PIXELS, [1, H, W, 2]);
  const result = explainClasses(exposed, input, { targets: { classes: [0, 1] }, activation: 'softmax' });
  input.dispose();
  return result;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i], 5);
}

describe('exposeGraphModel', () => {
  beforeAll(() => initWasmBackend());

  it('finds the input of the global Mean, strips the Softmax and reproduces Grad-CAM worked out by hand', async () => {
    const model = await load(false);
    expect(model.exposed.layer).toEqual({ name: 'feat', shape: [H, W, 3] });
    const reference = byHand(false);
    const result = explain(model);
    for (const [c, e] of result.explanations.entries()) {
      expect(e.logit).toBeCloseTo(reference.logits[c], 5);
      expectClose(e.values, reference.map(c));
    }
    const softmax = reference.logits.map((l) => Math.exp(l) / reference.logits.reduce((s, m) => s + Math.exp(m), 0));
    expectClose(result.scores, softmax);
    model.dispose();
  });

  it('hands the head what it reads from the body past the layer (a skip connection over it)', async () => {
    const model = await load(true);
    // The automatic layer is what the Mean pools: the sum after the skip connection.
    expect(model.exposed.layer.name).toBe('sum');
    const reference = byHand(true);
    const result = explain(model, 'feat');
    expect(model.exposeAt('feat').layer).toEqual({ name: 'feat', shape: [H, W, 3] });
    for (const [c, e] of result.explanations.entries()) {
      expect(e.logit).toBeCloseTo(reference.logits[c], 5);
      expectClose(e.values, reference.map(c));
    }
    model.dispose();
  });

  it('refuses unknown, constant and non-spatial nodes with a LayerSelectionError naming them', async () => {
    const model = await load(false);
    expect(() => model.exposeAt('nope')).toThrow(LayerSelectionError);
    expect(() => model.exposeAt('nope')).toThrow(/no node named "nope"/);
    expect(() => model.exposeAt('w1')).toThrow(/does not depend on the image/);
    expect(() => model.exposeAt('gap')).toThrow(/2-D output/);
    model.dispose();
  });

  it('leaves the tensor count unchanged over repeated explanations', async () => {
    const model = await load(true, 'feat');
    explain(model);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) explain(model);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
