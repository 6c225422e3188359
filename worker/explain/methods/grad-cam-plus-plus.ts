/**
 * Grad-CAM++ (Chattopadhyay et al. 2018, eq. 19), as pytorch-grad-cam computes it: the second and third
 * derivatives of exp(S_c) reduce, for piecewise-linear heads, to powers of the first gradient g, so
 *   α_ijk = g² / (2g² + S_k·g³ + ε), ε = 1e-6, and α = 0 where g = 0;
 *   w_k = Σ_ij ReLU(g_ijk)·α_ijk;   map = ReLU(Σ_k w_k A^k),
 * with S_k = Σ_ij A^k_ij. The ε is the anchor's and is kept exactly: at a global-pooling head |g| is
 * small enough for it to matter.
 */
import * as tf from '@tensorflow/tfjs-core';
import { weightedActivationMap } from './class-activation-map';
import { gradientsOf, type CamMethod } from './cam-method';

export const GRAD_CAM_PLUS_PLUS_EPSILON = 1e-6;

export function gradCamPlusPlusWeights(activations: tf.Tensor4D, gradients: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const g2 = tf.square(gradients);
    const g3 = tf.mul(g2, gradients);
    const sums = tf.sum(activations, [1, 2], true);
    const alpha = tf.div(g2, tf.add(tf.add(tf.mul(g2, 2), tf.mul(sums, g3)), GRAD_CAM_PLUS_PLUS_EPSILON));
    const kept = tf.where(tf.notEqual(gradients, 0), alpha, tf.zerosLike(alpha));
    return tf.sum(tf.mul(tf.relu(gradients), kept), [1, 2]) as tf.Tensor2D;
  });
}

export const GRAD_CAM_PLUS_PLUS: CamMethod = {
  needs: 'gradients',
  family: 'weighted',
  map: (inputs) => tf.tidy(() => weightedActivationMap(inputs.activations, gradCamPlusPlusWeights(inputs.activations, gradientsOf(inputs)))),
};
