/**
 * Reading a layer as tfjs-layers serialises it: its config dictionary and its weights by their Keras
 * names. The readers of layer-specs.ts, activations.ts and lower-layer.ts are built on these.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Layer } from '../layers-graph';

// Layer configs are plain serialisable dictionaries; each reader checks the fields it uses.
export type LayerConfig = Record<string, any>;

/** The layer's weight named `name` (e.g. "kernel", "moving_mean"), or undefined. */
export function weight(layer: Layer, name: string): tf.Tensor | undefined {
  return layer.weights.find((w) => w.originalName.endsWith(`/${name}`))?.read();
}

/** A Keras size or stride, given as one number or a pair, as a pair. */
export function pair(value: number | number[] | undefined, fallback: number): [number, number] {
  if (value === undefined || value === null) return [fallback, fallback];
  return typeof value === 'number' ? [value, value] : [value[0], value[1] ?? value[0]];
}
