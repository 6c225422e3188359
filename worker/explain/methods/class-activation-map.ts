/**
 * The map every CAM-family method shares: a ReLU of the channel-weighted sum of activations,
 * L = ReLU(Σ_k w_k A^k) (Selvaraju et al. 2017, eq. 2). Methods differ only in how they weigh channels.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * activations [n, h, w, k], weights [n, k] → maps [n, h, w], ReLU applied.
 */
export function weightedActivationMap(activations: tf.Tensor4D, weights: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [n, , , k] = activations.shape;
    const weighted = tf.mul(activations, tf.reshape(weights, [n, 1, 1, k]));
    return tf.relu(tf.sum(weighted, 3)) as tf.Tensor3D;
  });
}
