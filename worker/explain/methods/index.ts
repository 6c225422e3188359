/**
 * The registry of explanation methods: each public name (the API's `method` option, part of the cache
 * key) and the pure function behind it, and the method used when none is asked for.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { gradCam } from './grad-cam';

/** A CAM-family method: activations and the target score's gradients, both [n, h, w, k] → maps [n, h, w]. */
export type CamMethod = (activations: tf.Tensor4D, gradients: tf.Tensor4D) => tf.Tensor3D;

/** Methods by their public name (the `method` option of the API). */
export const METHODS = {
  'grad-cam': gradCam,
} as const satisfies Record<string, CamMethod>;

export type MethodName = keyof typeof METHODS;
export const DEFAULT_METHOD: MethodName = 'grad-cam';
