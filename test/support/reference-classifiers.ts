/**
 * Small image classifiers written as TF Lite files the way TF's converter stores each quantisation, for
 * comparing our importer with LiteRT: one network (32×32 RGB → 10 classes) in
 *
 * - float32: float weights, float activations;
 * - float16: weights stored as FLOAT16 and turned into float32 by DEQUANTIZE operators in front of the ops
 *   that use them (TF's "float16 quantisation");
 * - int8: full-integer, int8 input and output, weights int8 symmetric per channel (conv filters along their
 *   output channels, FULLY_CONNECTED along its units), int32 biases at input scale · weight scale, activations
 *   int8 at ranges measured on `calibration` images (TF's post-training integer quantisation).
 *
 * The network covers the operators the MobileNet and EfficientNet-Lite families use: CONV_2D (stride 2,
 * SAME on an even size, fused RELU6), DEPTHWISE_CONV_2D, a residual ADD, PAD, MAX_POOL_2D, HARD_SWISH,
 * LOGISTIC, MUL, CONCATENATION, AVERAGE_POOL_2D, MEAN, FULLY_CONNECTED and SOFTMAX.
 *
 * Deterministic: the weights come from a fixed seed, and the int8 ranges are rounded outward to a coarse
 * grid, so the measured ranges' last bits cannot change the file.
 */
import { BuiltinOperator as Op } from '../../models/import/tflite/schema';
import { buildTflite, bytesOf, float16Bits, OptionsType, TensorType, type ModelSpec, type OperatorSpec, type TensorSpec } from './tflite-builder';

export const CLASSIFIER_SIZE = 32;
export const CLASSIFIER_CLASSES = 10;

const SAME = 0;
const VALID = 1;
const RELU6 = 3;

/** Deterministic values in [-1, 1) (a linear congruential generator, glibc's constants). */
function random(count: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return (state / 2147483648) * 2 - 1;
  });
}

/** A per-channel weight: int8 integers, one scale per channel along `dimension`, and the real values. */
interface Weight {
  shape: number[];
  dimension: number;
  q: number[];
  scale: number[];
  real: Float32Array;
}

function weight(shape: number[], dimension: number, seed: number, magnitude: number): Weight {
  const channels = shape[dimension];
  const inner = shape.slice(dimension + 1).reduce((a, b) => a * b, 1);
  const count = shape.reduce((a, b) => a * b, 1);
  const scale = random(channels, seed + 1).map((v) => Math.fround((magnitude * (1.25 + 0.75 * v)) / 127));
  const q = random(count, seed).map((v) => Math.round(v * 127));
  const real = Float32Array.from(q, (v, i) => v * scale[Math.floor(i / inner) % channels]);
  return { shape, dimension, q, scale, real };
}

const W = {
  stem: weight([8, 3, 3, 3], 0, 101, 0.4),
  stemBias: random(8, 102).map((v) => 0.1 * v),
  depthwise: weight([1, 3, 3, 8], 3, 103, 0.5),
  depthwiseBias: random(8, 104).map((v) => 0.1 * v),
  project: weight([8, 1, 1, 8], 0, 105, 0.5),
  projectBias: random(8, 106).map((v) => 0.1 * v),
  dense: weight([CLASSIFIER_CLASSES, 16], 0, 107, 1.5),
  denseBias: random(CLASSIFIER_CLASSES, 108).map((v) => 0.2 * v),
};

/** What the int8 file needs per activation tensor: its real range [min, max]. */
export type ActivationRanges = Record<string, [number, number]>;

/** Activation tensors, by name, in order: input first, probabilities last. */
const ACTIVATIONS: { name: string; shape: number[] }[] = [
  { name: 'image', shape: [1, CLASSIFIER_SIZE, CLASSIFIER_SIZE, 3] },
  { name: 'stem', shape: [1, 16, 16, 8] },
  { name: 'depthwise', shape: [1, 16, 16, 8] },
  { name: 'project', shape: [1, 16, 16, 8] },
  { name: 'residual', shape: [1, 16, 16, 8] },
  { name: 'padded', shape: [1, 17, 17, 8] },
  { name: 'max_pool', shape: [1, 8, 8, 8] },
  { name: 'hard_swish', shape: [1, 8, 8, 8] },
  { name: 'gate', shape: [1, 8, 8, 8] },
  { name: 'gated', shape: [1, 8, 8, 8] },
  { name: 'joined', shape: [1, 8, 8, 16] },
  { name: 'avg_pool', shape: [1, 4, 4, 16] },
  { name: 'features', shape: [1, 16] },
  { name: 'logits', shape: [1, CLASSIFIER_CLASSES] },
  { name: 'probabilities', shape: [1, CLASSIFIER_CLASSES] },
];

/** The activations whose range calibration must measure (the others follow their input or are fixed). */
export const CALIBRATED_ACTIVATIONS = ['stem', 'depthwise', 'project', 'residual', 'hard_swish', 'gated', 'joined', 'features', 'logits'];

/** Activations that share one set of int8 parameters (see `quant` below). */
const SHARED_RANGE = ['residual', 'padded', 'max_pool', 'gated', 'joined', 'avg_pool'];

type Quantisation = 'float32' | 'float16' | 'int8';

/** int8 asymmetric parameters for [min, max], the range first widened to hold 0 and rounded outward to 1/16 of its power of two. */
function int8Params([min, max]: [number, number]): { scale: number[]; zeroPoint: number[] } {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  const unit = 2 ** (Math.ceil(Math.log2(Math.max(-lo, hi, 1e-6))) - 4);
  const scale = Math.fround((Math.ceil(hi / unit) * unit - Math.floor(lo / unit) * unit) / 255);
  return { scale: [scale], zeroPoint: [Math.round(-128 - Math.floor(lo / unit) * unit / scale)] };
}

/**
 * The classifier in one quantisation. `ranges` (int8 only) gives the measured range of each of
 * CALIBRATED_ACTIVATIONS, e.g. from the float32 file run on calibration images.
 */
export function referenceClassifier(quantisation: Quantisation, ranges?: ActivationRanges): Uint8Array {
  const tensors: TensorSpec[] = [];
  const index = new Map<string, number>();
  const add = (spec: TensorSpec) => {
    index.set(spec.name, tensors.push(spec) - 1);
    return tensors.length - 1;
  };
  const operators: OperatorSpec[] = [];
  const int8 = quantisation === 'int8';
  if (int8 && !ranges) throw new Error('referenceClassifier: an int8 file needs the activation ranges');

  const quant = (name: string): TensorSpec['quantization'] => {
    if (!int8) return undefined;
    if (name === 'image') return { scale: [1 / 128], zeroPoint: [0] };
    // LiteRT's int8 LOGISTIC and SOFTMAX produce [0, 1) at 1/256, −128.
    if (name === 'gate' || name === 'probabilities') return { scale: [1 / 256], zeroPoint: [-128] };
    // Pooling and padding keep their input's parameters, and XNNPACK's int8 CONCATENATION wants its
    // inputs' and output's equal: that whole group shares one range.
    if (SHARED_RANGE.includes(name)) {
      const group = SHARED_RANGE.flatMap((n) => ranges![n] ?? []);
      return int8Params([Math.min(...group), Math.max(...group)]);
    }
    return int8Params(ranges![name]);
  };
  for (const a of ACTIVATIONS) add({ name: a.name, shape: a.shape, type: int8 ? TensorType.INT8 : TensorType.FLOAT32, quantization: quant(a.name) });
  const scaleOf = (name: string) => tensors[index.get(name)!].quantization!.scale[0];

  /** A weight as the quantisation stores it; returns the index the op reads. */
  const constant = (name: string, w: Weight): number => {
    if (quantisation === 'int8') {
      return add({ name, shape: w.shape, type: TensorType.INT8, data: bytesOf(w.q, TensorType.INT8), quantization: { scale: w.scale, zeroPoint: w.scale.map(() => 0), quantizedDimension: w.dimension } });
    }
    return floatConstant(name, w.shape, w.real);
  };
  const floatConstant = (name: string, shape: number[], values: ArrayLike<number>): number => {
    if (quantisation === 'float32') return add({ name, shape, data: bytesOf(values, TensorType.FLOAT32) });
    const half = add({ name: `${name}/float16`, shape, type: TensorType.FLOAT16, data: bytesOf(Array.from(values, float16Bits), TensorType.FLOAT16) });
    const full = add({ name, shape });
    operators.push({ op: Op.DEQUANTIZE, inputs: [half], outputs: [full] });
    return full;
  };
  const bias = (name: string, values: number[], input: string, w: Weight): number => {
    if (quantisation !== 'int8') return floatConstant(name, [values.length], values);
    const scale = w.scale.map((s) => Math.fround(scaleOf(input) * s));
    const q = values.map((v, c) => Math.round(v / scale[c]));
    return add({ name, shape: [values.length], type: TensorType.INT32, data: bytesOf(q, TensorType.INT32), quantization: { scale, zeroPoint: scale.map(() => 0), quantizedDimension: 0 } });
  };
  const ints = (name: string, shape: number[], values: number[]) => add({ name, shape, type: TensorType.INT32, data: bytesOf(values, TensorType.INT32) });
  const t = (name: string) => index.get(name)!;

  const stemW = constant('stem/filter', W.stem);
  const stemB = bias('stem/bias', W.stemBias, 'image', W.stem);
  operators.push({ op: Op.CONV_2D, inputs: [t('image'), stemW, stemB], outputs: [t('stem')], options: { type: OptionsType.Conv2DOptions, fields: [[0, 'int8', SAME], [1, 'int32', 2], [2, 'int32', 2], [3, 'int8', RELU6]] } });
  const dwW = constant('depthwise/filter', W.depthwise);
  const dwB = bias('depthwise/bias', W.depthwiseBias, 'stem', W.depthwise);
  operators.push({ op: Op.DEPTHWISE_CONV_2D, inputs: [t('stem'), dwW, dwB], outputs: [t('depthwise')], options: { type: OptionsType.DepthwiseConv2DOptions, fields: [[0, 'int8', SAME], [1, 'int32', 1], [2, 'int32', 1], [3, 'int32', 1], [4, 'int8', RELU6]] } });
  const pW = constant('project/filter', W.project);
  const pB = bias('project/bias', W.projectBias, 'depthwise', W.project);
  operators.push({ op: Op.CONV_2D, inputs: [t('depthwise'), pW, pB], outputs: [t('project')], options: { type: OptionsType.Conv2DOptions, fields: [[1, 'int32', 1], [2, 'int32', 1]] } });
  operators.push({ op: Op.ADD, inputs: [t('project'), t('stem')], outputs: [t('residual')], options: { type: OptionsType.AddOptions, fields: [] } });
  const paddings = ints('paddings', [4, 2], [0, 0, 0, 1, 0, 1, 0, 0]);
  operators.push({ op: Op.PAD, inputs: [t('residual'), paddings], outputs: [t('padded')] });
  operators.push({ op: Op.MAX_POOL_2D, inputs: [t('padded')], outputs: [t('max_pool')], options: { type: OptionsType.Pool2DOptions, fields: [[0, 'int8', VALID], [1, 'int32', 2], [2, 'int32', 2], [3, 'int32', 3], [4, 'int32', 3]] } });
  operators.push({ op: Op.HARD_SWISH, inputs: [t('max_pool')], outputs: [t('hard_swish')] });
  operators.push({ op: Op.LOGISTIC, inputs: [t('hard_swish')], outputs: [t('gate')] });
  operators.push({ op: Op.MUL, inputs: [t('hard_swish'), t('gate')], outputs: [t('gated')], options: { type: OptionsType.MulOptions, fields: [] } });
  operators.push({ op: Op.CONCATENATION, inputs: [t('gated'), t('max_pool')], outputs: [t('joined')], options: { type: OptionsType.ConcatenationOptions, fields: [[0, 'int32', 3]] } });
  operators.push({ op: Op.AVERAGE_POOL_2D, inputs: [t('joined')], outputs: [t('avg_pool')], options: { type: OptionsType.Pool2DOptions, fields: [[0, 'int8', SAME], [1, 'int32', 2], [2, 'int32', 2], [3, 'int32', 3], [4, 'int32', 3]] } });
  const axes = ints('axes', [2], [1, 2]);
  operators.push({ op: Op.MEAN, inputs: [t('avg_pool'), axes], outputs: [t('features')], options: { type: OptionsType.ReducerOptions, fields: [[0, 'bool', false]] } });
  const dW = constant('dense/weights', W.dense);
  const dB = bias('dense/bias', W.denseBias, 'features', W.dense);
  operators.push({ op: Op.FULLY_CONNECTED, inputs: [t('features'), dW, dB], outputs: [t('logits')], options: { type: OptionsType.FullyConnectedOptions, fields: [] } });
  operators.push({ op: Op.SOFTMAX, inputs: [t('logits')], outputs: [t('probabilities')], options: { type: OptionsType.SoftmaxOptions, fields: [[0, 'float32', 1]] } });

  const spec: ModelSpec = { tensors, inputs: [t('image')], outputs: [t('probabilities')], operators };
  return buildTflite(spec);
}
