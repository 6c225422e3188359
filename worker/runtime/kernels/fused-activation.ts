/**
 * The activations the convolution kernels (pointwise-conv, depthwise-conv) apply to their sums in
 * registers, before their single store: the code each module takes, and the same activation in TF.js ops
 * for the fallbacks. The instructions that apply them are fused-activation-instructions.ts's (module
 * generation only: the runtime never imports the encoder).
 */
import * as tf from '@tensorflow/tfjs-core';

/** The activations the modules apply, by the code they take them as. */
export const FUSED_ACTIVATIONS = { linear: 0, relu: 1, relu6: 2, swish: 3 } as const;
export type FusedActivation = keyof typeof FUSED_ACTIVATIONS;

/** The activation in TF.js ops (swish as z·σ(z)): what the modules compute, for fallbacks and references. */
export function applyFusedActivation<T extends tf.Tensor>(z: T, activation: FusedActivation): T {
  switch (activation) {
    case 'linear':
      return z;
    case 'relu':
      return tf.relu(z);
    case 'relu6':
      return tf.relu6(z);
    case 'swish':
      return tf.mul(z, tf.sigmoid(z));
  }
}
