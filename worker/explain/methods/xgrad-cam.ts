/**
 * XGrad-CAM (Fu et al. 2020, eq. 8), as pytorch-grad-cam computes it: the gradient weighted by the
 * activation's share of its channel, w_k = Σ_ij g_ijk·A^k_ij / (Σ_ij A^k_ij + ε), ε = 1e-7;
 * map = ReLU(Σ_k w_k A^k). At a global-average-pooling head it equals Grad-CAM.
 */
import * as tf from '@tensorflow/tfjs-core';
import { weightedActivationMap } from './class-activation-map';
import { gradientsOf, type CamMethod } from './cam-method';

export const XGRAD_CAM_EPSILON = 1e-7;

export const XGRAD_CAM: CamMethod = {
  needs: 'gradients',
  family: 'weighted',
  map: (inputs) =>
    tf.tidy(() => {
      const { activations } = inputs;
      const weights = tf.div(tf.sum(tf.mul(gradientsOf(inputs), activations), [1, 2]), tf.add(tf.sum(activations, [1, 2]), XGRAD_CAM_EPSILON)) as tf.Tensor2D;
      return weightedActivationMap(activations, weights);
    }),
};
