/**
 * The one place that orchestrates an explanation: one body pass, the head's logits, the choice of
 * targets, then — for the methods that need it (methods/cam-method.ts) — one batched gradient through
 * the head for all targets, and the method's maps.
 * It owns every tensor it makes and leaves `tf.memory().numTensors` as it found it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { disposeBodyOutput, type ExposedModel } from '../engine/exposed-model';
import { DEFAULT_METHOD, METHODS, type MethodName } from './methods';
import { mapRange, type MapRange } from './normalize';

/** Which classes to explain: the k best-scoring ones, or the given output indices (in that order). */
export type TargetSelection = { top: number } | { classes: number[] };

export interface ExplainClassesOptions {
  targets: TargetSelection;
  /** How scores derive from logits (the manifest's output activation). */
  activation: 'softmax' | 'sigmoid' | 'none';
  method?: MethodName;
  /** Output indices that are not classes (e.g. a leading "background"): never picked as top-k. */
  ignoredOutputs?: number;
}

export interface ClassMap extends MapRange {
  /** Output index of the class. */
  index: number;
  score: number;
  logit: number;
  width: number;
  height: number;
  /** The raw map (ReLU applied, not normalised), row-major, at the layer's resolution. */
  values: Float32Array;
}

export interface ClassExplanations {
  /** Scores of all outputs (after the activation). */
  scores: Float32Array;
  explanations: ClassMap[];
}

function applyActivation(logits: tf.Tensor2D, activation: ExplainClassesOptions['activation']): tf.Tensor2D {
  if (activation === 'softmax') return tf.softmax(logits);
  if (activation === 'sigmoid') return tf.sigmoid(logits);
  return logits;
}

/** Indices of the k largest scores, best first (ties: lower index first), skipping the first `skip`. */
export function topIndices(scores: ArrayLike<number>, k: number, skip = 0): number[] {
  const indices = Array.from({ length: scores.length - skip }, (_, i) => i + skip);
  indices.sort((a, b) => scores[b] - scores[a] || a - b);
  return indices.slice(0, k);
}

export function explainClasses(model: ExposedModel, input: tf.Tensor4D, options: ExplainClassesOptions): ClassExplanations {
  const method = METHODS[options.method ?? DEFAULT_METHOD];
  const body = model.body(input);
  try {
    const { logitValues, scores } = tf.tidy(() => {
      const logits = model.head(body.activations, body.context);
      return { logitValues: logits.dataSync() as Float32Array, scores: applyActivation(logits, options.activation).dataSync() as Float32Array };
    });
    const classes = 'top' in options.targets
      ? topIndices(scores, options.targets.top, options.ignoredOutputs ?? 0)
      : options.targets.classes;
    for (const c of classes) {
      if (!Number.isInteger(c) || c < 0 || c >= scores.length) throw new RangeError(`class index ${c} is out of range`);
    }
    const maps = tf.tidy(() => {
      // A method of the activations alone maps them once: no backward pass, one map for every class.
      if (method.needs === 'activations') return method.map({ activations: body.activations });
      // One batch row per target: a single backward pass through the head yields every target's gradient.
      // Stacked with concat: the WASM backend's Tile kernel is much slower (npm run bench measured it).
      const repeat = <T extends tf.Tensor>(t: T): T => tf.concat(Array<T>(classes.length).fill(t));
      const activations = repeat(body.activations);
      const context = new Map([...body.context].map(([id, t]) => [id, repeat(t)]));
      // oneHot is built as int32 and cast: the WASM OneHot kernel writes int bits into float32 outputs.
      const selector = tf.cast(tf.oneHot(tf.tensor1d(classes, 'int32'), scores.length), 'float32');
      const targetScore = (a: tf.Tensor) => tf.sum(tf.mul(model.head(a as tf.Tensor4D, context), selector));
      const gradients = tf.grad(targetScore)(activations) as tf.Tensor4D;
      return method.map({ activations, gradients });
    });
    const [rows, height, width] = maps.shape;
    const values = maps.dataSync() as Float32Array;
    maps.dispose();
    const explanations = classes.map((index, i) => {
      const row = rows === 1 ? 0 : i;
      const map = values.slice(row * width * height, (row + 1) * width * height);
      return { index, score: scores[index], logit: logitValues[index], width, height, values: map, ...mapRange(map) };
    });
    return { scores, explanations };
  } finally {
    disposeBodyOutput(body);
  }
}
