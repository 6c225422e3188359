/**
 * Grad-CAM (Selvaraju et al. 2017, eq. 1): a channel's weight is the spatial mean of the class score's
 * gradient w.r.t. that channel, w_k = (1/HW) Σ_ij ∂y_c/∂A^k_ij. Pure function over tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { spatialMean } from '../../engine/spatial-mean';
import { weightedActivationMap } from './class-activation-map';
import { gradientsOf, type CamMethod } from './cam-method';

/** gradients [n, h, w, k] → channel weights [n, k]. */
export function gradCamWeights(gradients: tf.Tensor4D): tf.Tensor2D {
  return spatialMean(gradients);
}

/** activations and ∂y_c/∂activations, both [n, h, w, k] → Grad-CAM maps [n, h, w] (before normalisation). */
export function gradCam(activations: tf.Tensor4D, gradients: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => weightedActivationMap(activations, gradCamWeights(gradients)));
}

export const GRAD_CAM: CamMethod = { needs: 'gradients', family: 'weighted', map: (inputs) => gradCam(inputs.activations, gradientsOf(inputs)) };
