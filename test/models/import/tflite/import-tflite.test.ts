/**
 * The TF Lite importer, operator by operator: each test writes a small .tflite, imports it, runs the
 * resulting GraphModel on the WASM backend and compares it with the same computation written directly in
 * TF.js ops (layouts converted with tf.transpose, not with the importer's code).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfconv from '@tensorflow/tfjs-converter';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifestForImport } from '../../../../models/import/imported-model';
import { importTflite, TfliteImportError, UnsupportedOperatorError } from '../../../../models/import/tflite/import-tflite';
import { BuiltinOperator as Op } from '../../../../models/import/tflite/schema';
import { explainClasses } from '../../../../worker/explain/explain-classes';
import { loadModel } from '../../../../worker/model/load-model';
import { memoryIOHandler } from '../../../../worker/model/memory-io-handler';
import { initWasmBackend } from '../../../../worker/runtime/wasm-node';
import {
  buildMetadata,
  buildTflite,
  bytesOf,
  float16Bits,
  floats,
  OptionsType,
  TensorType,
  zipArchive,
  type ModelSpec,
  type OperatorSpec,
  type TensorSpec,
} from '../../../support/tflite-builder';

const SAME = 0;
const VALID = 1;
const RELU = 1;
const RELU_N1_TO_1 = 2;
const RELU6 = 3;

/** Deterministic values in [-1, 1). */
function random(count: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return (state / 2147483648) * 2 - 1;
  });
}

function count(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * A model: input [1, h, w, 3] → `ops` (whose tensors follow the input's, index 1 on) → flattened to
 * [1, n] by a final RESHAPE, because the importer takes classifiers (outputs of shape [1, classes]).
 */
function model(h: number, w: number, tensors: TensorSpec[], ops: OperatorSpec[], last: number): ModelSpec {
  const all = [{ name: 'input', shape: [1, h, w, 3] }, ...tensors];
  const lastShape = all[last].shape;
  const flat = all.length;
  const flatShape = [1, count(lastShape)];
  all.push({ name: 'flat_shape', shape: [2], type: TensorType.INT32, data: bytesOf(flatShape, TensorType.INT32) });
  all.push({ name: 'flat', shape: flatShape });
  return {
    tensors: all,
    inputs: [0],
    outputs: [flat + 1],
    operators: [...ops, { op: Op.RESHAPE, inputs: [last, flat], outputs: [flat + 1] }],
  };
}

/** Imports `spec`, runs it on `x` and returns the flat output. */
async function run(spec: ModelSpec, x: tf.Tensor): Promise<Float32Array> {
  const imported = await importTflite(buildTflite(spec));
  const graph = await tfconv.loadGraphModel(memoryIOHandler(imported.files));
  const y = graph.execute({ [imported.input.name!]: x }, imported.output.name) as tf.Tensor;
  const values = (await y.data()) as Float32Array;
  y.dispose();
  graph.dispose();
  return values;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, digits = 4): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i], digits);
}

async function reference(compute: () => tf.Tensor): Promise<Float32Array> {
  const y = tf.tidy(compute);
  const values = (await y.data()) as Float32Array;
  y.dispose();
  return values;
}

describe('importTflite: operators', () => {
  beforeAll(() => initWasmBackend());

  it('CONV_2D: OHWI filters, stride 2 with TF "same" padding on an odd size, bias, fused RELU6', async () => {
    const filter = random(4 * 3 * 3 * 3, 1).map((v) => v * 2);
    const bias = random(4, 2);
    const spec = model(7, 7, [
      { name: 'w', shape: [4, 3, 3, 3], data: floats(filter) },
      { name: 'b', shape: [4], data: floats(bias) },
      { name: 'conv', shape: [1, 4, 4, 4] },
    ], [{
      op: Op.CONV_2D, inputs: [0, 1, 2], outputs: [3],
      options: { type: OptionsType.Conv2DOptions, fields: [[0, 'int8', SAME], [1, 'int32', 2], [2, 'int32', 2], [3, 'int8', RELU6], [4, 'int32', 1], [5, 'int32', 1]] },
    }], 3);
    const x = tf.tensor4d(random(7 * 7 * 3, 3).map((v) => v * 3), [1, 7, 7, 3]);
    const expected = await reference(() => {
      const hwio = tf.transpose(tf.tensor4d(filter, [4, 3, 3, 3]), [1, 2, 3, 0]) as tf.Tensor4D;
      return tf.relu6(tf.add(tf.conv2d(x, hwio, 2, 'same'), tf.tensor1d(bias)));
    });
    expectClose(await run(spec, x), expected);
    x.dispose();
  });

  it('CONV_2D with int8 per-channel weights and an int32 bias, on a uint8 input', async () => {
    // Two output channels, 1×1 kernel: channel 0 scale 0.5, channel 1 scale 0.25 (zero points 0).
    const q = [2, -4, 6, 8, 10, -12];
    const spec = model(2, 2, [
      { name: 'w', shape: [2, 1, 1, 3], type: TensorType.INT8, data: bytesOf(q, TensorType.INT8), quantization: { scale: [0.5, 0.25], zeroPoint: [0, 0], quantizedDimension: 0 } },
      { name: 'b', shape: [2], type: TensorType.INT32, data: bytesOf([100, -40], TensorType.INT32), quantization: { scale: [0.01, 0.005], zeroPoint: [0, 0] } },
      { name: 'conv', shape: [1, 2, 2, 2] },
    ], [{ op: Op.CONV_2D, inputs: [0, 1, 2], outputs: [3], options: { type: OptionsType.Conv2DOptions, fields: [[1, 'int32', 1], [2, 'int32', 1]] } }], 3);
    spec.tensors[0] = { name: 'input', shape: [1, 2, 2, 3], type: TensorType.UINT8, quantization: { scale: [1 / 64], zeroPoint: [100] } };
    const x = tf.tensor4d(random(12, 4), [1, 2, 2, 3]);
    // Dequantised by hand: w0 = [1, -2, 3], w1 = [2, 2.5, -3], b = [1, -0.2].
    const expected = await reference(() => tf.add(tf.matMul(tf.reshape(x, [4, 3]), tf.tensor2d([[1, 2], [-2, 2.5], [3, -3]])), tf.tensor1d([1, -0.2])));
    expectClose(await run(spec, x), expected);
    const imported = await importTflite(buildTflite(spec));
    expect(imported.preprocessing).toEqual({ mean: [100, 100, 100], std: [64, 64, 64] });
    x.dispose();
  });

  it('DEPTHWISE_CONV_2D with depth multiplier 2, VALID padding, bias and fused RELU', async () => {
    const filter = random(3 * 3 * 6, 5);
    const bias = random(6, 6);
    const spec = model(5, 6, [
      { name: 'w', shape: [1, 3, 3, 6], data: floats(filter) },
      { name: 'b', shape: [6], data: floats(bias) },
      { name: 'dw', shape: [1, 3, 4, 6] },
    ], [{
      op: Op.DEPTHWISE_CONV_2D, inputs: [0, 1, 2], outputs: [3],
      options: { type: OptionsType.DepthwiseConv2DOptions, fields: [[0, 'int8', VALID], [1, 'int32', 1], [2, 'int32', 1], [3, 'int32', 2], [4, 'int8', RELU]] },
    }], 3);
    const x = tf.tensor4d(random(5 * 6 * 3, 7), [1, 5, 6, 3]);
    const expected = await reference(() =>
      tf.relu(tf.add(tf.depthwiseConv2d(x, tf.reshape(tf.tensor1d(filter), [3, 3, 3, 2]) as tf.Tensor4D, 1, 'valid'), tf.tensor1d(bias))),
    );
    expectClose(await run(spec, x), expected);
    x.dispose();
  });

  it('FULLY_CONNECTED: [out, in] weights on a flattened 4-D input, with bias', async () => {
    const weights = random(5 * 12, 8);
    const bias = random(5, 9);
    const spec = model(2, 2, [
      { name: 'w', shape: [5, 12], data: floats(weights) },
      { name: 'b', shape: [5], data: floats(bias) },
      { name: 'fc', shape: [1, 5] },
    ], [{ op: Op.FULLY_CONNECTED, inputs: [0, 1, 2], outputs: [3], options: { type: OptionsType.FullyConnectedOptions, fields: [] } }], 3);
    const x = tf.tensor4d(random(12, 10), [1, 2, 2, 3]);
    const expected = await reference(() => tf.add(tf.matMul(tf.reshape(x, [1, 12]), tf.tensor2d(weights, [5, 12]), false, true), tf.tensor1d(bias)));
    expectClose(await run(spec, x), expected);
    x.dispose();
  });

  it('ADD, MUL and SUB with broadcast constants, fused RELU_N1_TO_1', async () => {
    const spec = model(2, 3, [
      { name: 'c1', shape: [1, 1, 1, 3], data: floats([0.5, -0.25, 2]) },
      { name: 'sum', shape: [1, 2, 3, 3] },
      { name: 'c2', shape: [3], data: floats([2, 3, -1]) },
      { name: 'product', shape: [1, 2, 3, 3] },
      { name: 'difference', shape: [1, 2, 3, 3] },
    ], [
      { op: Op.ADD, inputs: [0, 1], outputs: [2], options: { type: OptionsType.AddOptions, fields: [[0, 'int8', RELU_N1_TO_1]] } },
      { op: Op.MUL, inputs: [2, 3], outputs: [4], options: { type: OptionsType.MulOptions, fields: [] } },
      { op: Op.SUB, inputs: [4, 0], outputs: [5], options: { type: OptionsType.SubOptions, fields: [] } },
    ], 5);
    const x = tf.tensor4d(random(18, 11).map((v) => v * 2), [1, 2, 3, 3]);
    const expected = await reference(() => tf.sub(tf.mul(tf.clipByValue(tf.add(x, tf.tensor1d([0.5, -0.25, 2])), -1, 1), tf.tensor1d([2, 3, -1])), x));
    expectClose(await run(spec, x), expected);
    x.dispose();
  });

  it('AVERAGE_POOL_2D (SAME, padding not counted) and MAX_POOL_2D (VALID)', async () => {
    const spec = model(5, 5, [
      { name: 'avg', shape: [1, 3, 3, 3] },
      { name: 'max', shape: [1, 1, 1, 3] },
    ], [
      { op: Op.AVERAGE_POOL_2D, inputs: [0], outputs: [1], options: { type: OptionsType.Pool2DOptions, fields: [[0, 'int8', SAME], [1, 'int32', 2], [2, 'int32', 2], [3, 'int32', 2], [4, 'int32', 2]] } },
      { op: Op.MAX_POOL_2D, inputs: [1], outputs: [2], options: { type: OptionsType.Pool2DOptions, fields: [[0, 'int8', VALID], [1, 'int32', 2], [2, 'int32', 2], [3, 'int32', 3], [4, 'int32', 3], [5, 'int8', RELU]] } },
    ], 2);
    const x = tf.tensor4d(random(75, 12), [1, 5, 5, 3]);
    const expected = await reference(() => tf.relu(tf.maxPool(tf.avgPool(x, 2, 2, 'same'), 3, 2, 'valid')));
    expectClose(await run(spec, x), expected);
    x.dispose();
  });

  it('MEAN over the spatial axes, PAD and CONCATENATION', async () => {
    const spec = model(3, 4, [
      { name: 'paddings', shape: [4, 2], type: TensorType.INT32, data: bytesOf([0, 0, 1, 2, 2, 1, 0, 0], TensorType.INT32) },
      { name: 'padded', shape: [1, 6, 7, 3] },
      { name: 'doubled', shape: [1, 6, 7, 3] },
      { name: 'two', shape: [], data: floats([2]) },
      { name: 'joined', shape: [1, 6, 7, 6] },
      { name: 'axes', shape: [2], type: TensorType.INT32, data: bytesOf([1, 2], TensorType.INT32) },
      { name: 'mean', shape: [1, 6] },
    ], [
      { op: Op.PAD, inputs: [0, 1], outputs: [2] },
      { op: Op.MUL, inputs: [2, 4], outputs: [3] },
      { op: Op.CONCATENATION, inputs: [2, 3], outputs: [5], options: { type: OptionsType.ConcatenationOptions, fields: [[0, 'int32', -1]] } },
      { op: Op.MEAN, inputs: [5, 6], outputs: [7], options: { type: OptionsType.ReducerOptions, fields: [[0, 'bool', false]] } },
    ], 7);
    const x = tf.tensor4d(random(36, 13), [1, 3, 4, 3]);
    const expected = await reference(() => {
      const padded = tf.pad(x, [[0, 0], [1, 2], [2, 1], [0, 0]]);
      return tf.mean(tf.concat([padded, tf.mul(padded, 2)], 3), [1, 2]);
    });
    expectClose(await run(spec, x), expected);
    x.dispose();
  });

  it('HARD_SWISH, LOGISTIC, TANH, RELU6 and RELU', async () => {
    const spec = model(2, 2, [
      { name: 'scale', shape: [], data: floats([4]) },
      { name: 'wide', shape: [1, 2, 2, 3] },
      { name: 'hswish', shape: [1, 2, 2, 3] },
      { name: 'sigmoid', shape: [1, 2, 2, 3] },
      { name: 'tanh', shape: [1, 2, 2, 3] },
      { name: 'relu6', shape: [1, 2, 2, 3] },
      { name: 'relu', shape: [1, 2, 2, 3] },
      { name: 'joined', shape: [1, 2, 2, 15] },
    ], [
      { op: Op.MUL, inputs: [0, 1], outputs: [2] },
      { op: Op.HARD_SWISH, inputs: [2], outputs: [3] },
      { op: Op.LOGISTIC, inputs: [2], outputs: [4] },
      { op: Op.TANH, inputs: [2], outputs: [5] },
      { op: Op.RELU6, inputs: [2], outputs: [6] },
      { op: Op.RELU, inputs: [2], outputs: [7] },
      { op: Op.CONCATENATION, inputs: [3, 4, 5, 6, 7], outputs: [8], options: { type: OptionsType.ConcatenationOptions, fields: [[0, 'int32', 3]] } },
    ], 8);
    const x = tf.tensor4d(random(12, 14), [1, 2, 2, 3]);
    const expected = await reference(() => {
      const wide = tf.mul(x, 4);
      const hswish = tf.div(tf.mul(wide, tf.relu6(tf.add(wide, 3))), 6);
      return tf.concat([hswish, tf.sigmoid(wide), tf.tanh(wide), tf.relu6(wide), tf.relu(wide)], 3);
    });
    expectClose(await run(spec, x), expected);
    x.dispose();
  });

  it('SQUEEZE (given and implied dims), SOFTMAX with beta, and a softmax output found as such', async () => {
    const spec: ModelSpec = {
      tensors: [
        { name: 'input', shape: [1, 1, 1, 3] },
        { name: 'squeezed', shape: [1, 3] },
        { name: 'probabilities', shape: [1, 3] },
      ],
      inputs: [0],
      outputs: [2],
      operators: [
        { op: Op.SQUEEZE, inputs: [0], outputs: [1], options: { type: OptionsType.SqueezeOptions, fields: [[0, 'int32Vector', [1, 2]]] } },
        { op: Op.SOFTMAX, inputs: [1], outputs: [2], options: { type: OptionsType.SoftmaxOptions, fields: [[0, 'float32', 2]] } },
      ],
    };
    const x = tf.tensor4d([0.5, -1, 2], [1, 1, 1, 3]);
    const expected = await reference(() => tf.softmax(tf.mul(tf.tensor2d([[0.5, -1, 2]]), 2)));
    expectClose(await run(spec, x), expected);
    const imported = await importTflite(buildTflite(spec));
    expect(imported.output).toMatchObject({ activation: 'softmax', classes: 3, name: 'probabilities' });
    // Without squeeze_dims every 1-sized dimension but the batch one goes.
    spec.operators[0].options = { type: OptionsType.SqueezeOptions, fields: [] };
    expectClose(await run(spec, x), expected);
    x.dispose();
  });

  it('QUANTIZE and DEQUANTIZE are identities on real values; a float16 constant is read through DEQUANTIZE', async () => {
    const half = [0x3c00, 0xc000, 0x3800]; // 1, −2, 0.5
    const spec = model(1, 2, [
      { name: 'q', shape: [1, 1, 2, 3], type: TensorType.UINT8, quantization: { scale: [0.1], zeroPoint: [128] } },
      { name: 'dq', shape: [1, 1, 2, 3] },
      { name: 'c16', shape: [3], type: TensorType.FLOAT16, data: bytesOf(half, TensorType.FLOAT16) },
      { name: 'c32', shape: [3] },
      { name: 'sum', shape: [1, 1, 2, 3] },
    ], [
      { op: Op.QUANTIZE, inputs: [0], outputs: [1] },
      { op: Op.DEQUANTIZE, inputs: [1], outputs: [2] },
      { op: Op.DEQUANTIZE, inputs: [3], outputs: [4] },
      { op: Op.ADD, inputs: [2, 4], outputs: [5] },
    ], 5);
    const x = tf.tensor4d(random(6, 15), [1, 1, 2, 3]);
    const expected = await reference(() => tf.add(x, tf.tensor1d([1, -2, 0.5])));
    expectClose(await run(spec, x), expected);
    x.dispose();
  });

  it('float16 weights behind DEQUANTIZE feed CONV_2D as its filter and bias, as TF\'s float16 quantisation writes them', async () => {
    // Multiples of 1/8 and ±0.5: exact in float16, so the reference can use the same numbers.
    const filter = random(2 * 1 * 1 * 3, 16).map((v) => Math.round(v * 8) / 8);
    const spec = model(2, 2, [
      { name: 'w/float16', shape: [2, 1, 1, 3], type: TensorType.FLOAT16, data: bytesOf(filter.map(float16Bits), TensorType.FLOAT16) },
      { name: 'w', shape: [2, 1, 1, 3] },
      { name: 'b/float16', shape: [2], type: TensorType.FLOAT16, data: bytesOf([0.5, -0.5].map(float16Bits), TensorType.FLOAT16) },
      { name: 'b', shape: [2] },
      { name: 'conv', shape: [1, 2, 2, 2] },
    ], [
      { op: Op.DEQUANTIZE, inputs: [1], outputs: [2] },
      { op: Op.DEQUANTIZE, inputs: [3], outputs: [4] },
      { op: Op.CONV_2D, inputs: [0, 2, 4], outputs: [5], options: { type: OptionsType.Conv2DOptions, fields: [[1, 'int32', 1], [2, 'int32', 1]] } },
    ], 5);
    const x = tf.tensor4d(random(12, 17), [1, 2, 2, 3]);
    const expected = await reference(() => tf.add(tf.matMul(tf.reshape(x, [4, 3]), tf.tensor2d(filter, [2, 3]), false, true), tf.tensor1d([0.5, -0.5])));
    expectClose(await run(spec, x), expected);
    x.dispose();
  });
});

describe('importTflite: refusals', () => {
  const relu = (op: number | string): ModelSpec => model(2, 2, [{ name: 'y', shape: [1, 2, 2, 3] }], [{ op, inputs: [0], outputs: [1] }], 1);

  it('names every unsupported operator, builtin or custom', async () => {
    const spec = relu(23); // RESIZE_BILINEAR
    spec.operators.unshift({ op: 'MyCustomOp', inputs: [0], outputs: [0] });
    const error = await importTflite(buildTflite(spec)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedOperatorError);
    expect((error as Error).message).toMatch(/unsupported TF Lite operators: CUSTOM \(MyCustomOp\), RESIZE_BILINEAR/);
    expect((error as Error).message).toContain('CONV_2D');
  });

  it('refuses what is not a TF Lite model, and damaged ones, with a TfliteImportError', async () => {
    await expect(importTflite(new TextEncoder().encode('{"modelTopology": {}}'))).rejects.toThrow(/not a valid TF Lite model: the file identifier is not "TFL3"/);
    await expect(importTflite(new Uint8Array(3))).rejects.toThrow(TfliteImportError);
    const good = buildTflite(relu(Op.RELU));
    await expect(importTflite(good)).resolves.toBeDefined();
    // Cut short: the root table's offsets point past the end.
    await expect(importTflite(good.subarray(0, good.length / 2))).rejects.toThrow(TfliteImportError);
    // The root offset overwritten with a huge one.
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(0, 0x7fffff00, true);
    await expect(importTflite(bad)).rejects.toThrow(/lies outside the file/);
  });

  it('refuses models that are not image classifiers', async () => {
    const gray = relu(Op.RELU);
    gray.tensors[0] = { name: 'input', shape: [1, 2, 2, 1] };
    await expect(importTflite(buildTflite(gray))).rejects.toThrow(/expected \[1, height, width, 3\]/);
  });
});

describe('importTflite: metadata', () => {
  const labels = 'background\ncat\ndog\n';
  const spec = (appendix: Uint8Array, normalization?: { mean: number[]; std: number[] }): ModelSpec => ({
    ...model(1, 1, [], [], 0),
    metadata: buildMetadata({ name: 'Tiny classifier', description: 'three outputs', license: 'MIT', normalization, labelFile: 'labels.txt' }),
    appendix,
  });

  it('reads labels from the zip appended to the model, stored or deflated, and the input normalisation', async () => {
    const raw = new TextEncoder().encode(labels);
    const stored = await importTflite(buildTflite(spec(zipArchive([{ name: 'other.txt', raw: Uint8Array.of(1) }, { name: 'labels.txt', raw }]), { mean: [127.5], std: [128] })));
    expect(stored.labels).toEqual(['background', 'cat', 'dog']);
    expect(stored.preprocessing).toEqual({ mean: [127.5, 127.5, 127.5], std: [128, 128, 128] });
    expect(stored).toMatchObject({ name: 'Tiny classifier', description: 'three outputs', license: 'MIT' });

    const compressed = new Uint8Array(await new Response(new Blob([raw]).stream().pipeThrough(new CompressionStream('deflate-raw'))).arrayBuffer());
    const deflated = await importTflite(buildTflite(spec(zipArchive([{ name: 'labels.txt', raw, compressed }]))));
    expect(deflated.labels).toEqual(['background', 'cat', 'dog']);
    // No normalisation in the metadata of a float model: [-1, 1] is assumed, and said so.
    expect(deflated.preprocessing).toEqual({ mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] });
    expect(deflated.preprocessingSource).toMatch(/assumption/);
  });

  it('notes a label file the model does not pack instead of failing', async () => {
    const imported = await importTflite(buildTflite(spec(new Uint8Array(0))));
    expect(imported.labels).toBeUndefined();
    expect(imported.notes.join()).toMatch(/labels\.txt/);
  });
});

describe('importTflite: an EfficientNet-Lite-shaped int8 model', () => {
  beforeAll(() => initWasmBackend());

  /**
   * int8 input → QUANTIZE → CONV_2D (per-channel, RELU6) → DEPTHWISE_CONV_2D (per-channel along dim 3,
   * RELU6) → ADD (residual) → MEAN over H, W → FULLY_CONNECTED (per-channel) → SOFTMAX → DEQUANTIZE.
   */
  function liteModel(): ModelSpec {
    const q8 = (n: number, seed: number) => random(n, seed).map((v) => Math.round(v * 100));
    const act = { scale: [0.05], zeroPoint: [-10] };
    return {
      tensors: [
        { name: 'images', shape: [1, 8, 8, 3], type: TensorType.INT8, quantization: { scale: [1 / 128], zeroPoint: [-1] } },
        { name: 'quantized', shape: [1, 8, 8, 3], type: TensorType.INT8, quantization: act },
        { name: 'stem/w', shape: [4, 3, 3, 3], type: TensorType.INT8, data: bytesOf(q8(108, 21), TensorType.INT8), quantization: { scale: [0.01, 0.02, 0.015, 0.005], zeroPoint: [0, 0, 0, 0], quantizedDimension: 0 } },
        { name: 'stem/b', shape: [4], type: TensorType.INT32, data: bytesOf([10, -20, 30, 0], TensorType.INT32), quantization: { scale: [0.0005, 0.001, 0.00075, 0.00025], zeroPoint: [0, 0, 0, 0] } },
        { name: 'stem/relu6', shape: [1, 4, 4, 4], type: TensorType.INT8, quantization: act },
        { name: 'dw/w', shape: [1, 3, 3, 4], type: TensorType.INT8, data: bytesOf(q8(36, 22), TensorType.INT8), quantization: { scale: [0.02, 0.01, 0.03, 0.02], zeroPoint: [0, 0, 0, 0], quantizedDimension: 3 } },
        { name: 'dw/relu6', shape: [1, 4, 4, 4], type: TensorType.INT8, quantization: act },
        { name: 'block/add', shape: [1, 4, 4, 4], type: TensorType.INT8, quantization: act },
        { name: 'axes', shape: [2], type: TensorType.INT32, data: bytesOf([1, 2], TensorType.INT32) },
        { name: 'pool', shape: [1, 4], type: TensorType.INT8, quantization: act },
        { name: 'fc/w', shape: [5, 4], type: TensorType.INT8, data: bytesOf(q8(20, 23), TensorType.INT8), quantization: { scale: [0.01, 0.02, 0.01, 0.02, 0.01], zeroPoint: [0, 0, 0, 0, 0], quantizedDimension: 0 } },
        { name: 'logits', shape: [1, 5], type: TensorType.INT8, quantization: { scale: [0.1], zeroPoint: [0] } },
        { name: 'probabilities_int8', shape: [1, 5], type: TensorType.INT8, quantization: { scale: [1 / 256], zeroPoint: [-128] } },
        { name: 'probabilities', shape: [1, 5] },
      ],
      inputs: [0],
      outputs: [13],
      operators: [
        { op: Op.QUANTIZE, inputs: [0], outputs: [1] },
        { op: Op.CONV_2D, inputs: [1, 2, 3], outputs: [4], options: { type: OptionsType.Conv2DOptions, fields: [[1, 'int32', 2], [2, 'int32', 2], [3, 'int8', RELU6]] } },
        { op: Op.DEPTHWISE_CONV_2D, inputs: [4, 5, -1], outputs: [6], options: { type: OptionsType.DepthwiseConv2DOptions, fields: [[1, 'int32', 1], [2, 'int32', 1], [3, 'int32', 1], [4, 'int8', RELU6]] } },
        { op: Op.ADD, inputs: [6, 4], outputs: [7] },
        { op: Op.MEAN, inputs: [7, 8], outputs: [9] },
        { op: Op.FULLY_CONNECTED, inputs: [9, 10, -1], outputs: [11] },
        { op: Op.SOFTMAX, inputs: [11], outputs: [12], options: { type: OptionsType.SoftmaxOptions, fields: [[0, 'float32', 1]] } },
        { op: Op.DEQUANTIZE, inputs: [12], outputs: [13] },
      ],
    };
  }

  it('imports with int8 preprocessing, splits at the input of the MEAN and explains every class', async () => {
    const imported = await importTflite(buildTflite(liteModel()));
    // An int8 input is fed pixel − 128: real = (pixel − 128 − (−1)) / 128.
    expect(imported.preprocessing).toEqual({ mean: [127, 127, 127], std: [128, 128, 128] });
    expect(imported.output).toMatchObject({ activation: 'softmax', classes: 5 });
    const manifest = await manifestForImport(imported, { id: 'lite', labels: ['a', 'b', 'c', 'd', 'e'] });
    const model = await loadModel(manifest, imported.files);
    expect(model.exposed.layer).toEqual({ name: 'block/add', shape: [4, 4, 4] });
    // The residual branch the ADD reads from before the layer is the head's context, and both splits agree.
    const input = tf.tensor4d(random(8 * 8 * 3, 24), [1, 8, 8, 3]);
    const before = tf.memory().numTensors;
    const result = explainClasses(model.exposed, input, { targets: { top: 5 }, activation: 'softmax' });
    const early = explainClasses(model.exposeAt('stem/relu6'), input, { targets: { top: 5 }, activation: 'softmax' });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.scores.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expectClose(early.scores, result.scores, 5);
    for (const e of [...result.explanations, ...early.explanations]) expect(e.values.every(Number.isFinite)).toBe(true);
    input.dispose();
    model.dispose();
  });
});

describe('importTflite: gradients', () => {
  beforeAll(() => initWasmBackend());

  it('differentiates every emitted op on WASM when it sits in the Grad-CAM head', async () => {
    const spec: ModelSpec = {
      tensors: [
        { name: 'input', shape: [1, 6, 6, 3] },
        { name: 'w', shape: [4, 1, 1, 3], data: floats(random(12, 31)) },
        { name: 'features', shape: [1, 6, 6, 4] },
        { name: 'paddings', shape: [4, 2], type: TensorType.INT32, data: bytesOf([0, 0, 1, 1, 1, 1, 0, 0], TensorType.INT32) },
        { name: 'padded', shape: [1, 8, 8, 4] },
        { name: 'maxed', shape: [1, 4, 4, 4] },
        { name: 'dw', shape: [1, 3, 3, 4], data: floats(random(36, 32)) },
        { name: 'depthwise', shape: [1, 4, 4, 4] },
        { name: 'hswish', shape: [1, 4, 4, 4] },
        { name: 'sigmoid', shape: [1, 4, 4, 4] },
        { name: 'tanh', shape: [1, 4, 4, 4] },
        { name: 'joined', shape: [1, 4, 4, 12] },
        { name: 'averaged', shape: [1, 2, 2, 12] },
        { name: 'offset', shape: [12], data: floats(random(12, 33)) },
        { name: 'clipped', shape: [1, 2, 2, 12] },
        { name: 'axes', shape: [2], type: TensorType.INT32, data: bytesOf([1, 2], TensorType.INT32) },
        { name: 'pooled', shape: [1, 1, 1, 12] },
        { name: 'squeezed', shape: [1, 12] },
        { name: 'fc', shape: [3, 12], data: floats(random(36, 34)) },
        { name: 'logits', shape: [1, 3] },
        { name: 'probabilities', shape: [1, 3] },
      ],
      inputs: [0],
      outputs: [20],
      operators: [
        { op: Op.CONV_2D, inputs: [0, 1, -1], outputs: [2], options: { type: OptionsType.Conv2DOptions, fields: [[1, 'int32', 1], [2, 'int32', 1], [3, 'int8', RELU]] } },
        { op: Op.PAD, inputs: [2, 3], outputs: [4] },
        { op: Op.MAX_POOL_2D, inputs: [4], outputs: [5], options: { type: OptionsType.Pool2DOptions, fields: [[1, 'int32', 2], [2, 'int32', 2], [3, 'int32', 2], [4, 'int32', 2]] } },
        { op: Op.DEPTHWISE_CONV_2D, inputs: [5, 6, -1], outputs: [7], options: { type: OptionsType.DepthwiseConv2DOptions, fields: [[1, 'int32', 1], [2, 'int32', 1], [3, 'int32', 1], [4, 'int8', RELU6]] } },
        { op: Op.HARD_SWISH, inputs: [7], outputs: [8] },
        { op: Op.LOGISTIC, inputs: [8], outputs: [9] },
        { op: Op.TANH, inputs: [8], outputs: [10] },
        { op: Op.CONCATENATION, inputs: [8, 9, 10], outputs: [11], options: { type: OptionsType.ConcatenationOptions, fields: [[0, 'int32', 3]] } },
        { op: Op.AVERAGE_POOL_2D, inputs: [11], outputs: [12], options: { type: OptionsType.Pool2DOptions, fields: [[1, 'int32', 2], [2, 'int32', 2], [3, 'int32', 2], [4, 'int32', 2]] } },
        { op: Op.ADD, inputs: [12, 13], outputs: [14], options: { type: OptionsType.AddOptions, fields: [[0, 'int8', RELU_N1_TO_1]] } },
        { op: Op.MEAN, inputs: [14, 15], outputs: [16], options: { type: OptionsType.ReducerOptions, fields: [[0, 'bool', true]] } },
        { op: Op.SQUEEZE, inputs: [16], outputs: [17] },
        { op: Op.FULLY_CONNECTED, inputs: [17, 18, -1], outputs: [19] },
        { op: Op.SOFTMAX, inputs: [19], outputs: [20], options: { type: OptionsType.SoftmaxOptions, fields: [[0, 'float32', 1]] } },
      ],
    };
    const imported = await importTflite(buildTflite(spec));
    const manifest = await manifestForImport(imported, { id: 'ops', labels: ['a', 'b', 'c'], layer: 'features' });
    const model = await loadModel(manifest, imported.files);
    expect(model.exposed.layer).toEqual({ name: 'features', shape: [6, 6, 4] });
    const input = tf.tensor4d(random(108, 35).map((v) => v * 3), [1, 6, 6, 3]);
    const result = explainClasses(model.exposed, input, { targets: { top: 3 }, activation: 'softmax' });
    for (const e of result.explanations) expect(e.values.every(Number.isFinite)).toBe(true);
    // A class whose map is negative everywhere is all zeros after the ReLU; not every class is.
    expect(Math.max(...result.explanations.map((e) => e.max))).toBeGreaterThan(0);
    input.dispose();
    model.dispose();
  });
});
