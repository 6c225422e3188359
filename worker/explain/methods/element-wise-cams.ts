/**
 * The CAMs that weigh each pixel of each channel by its own gradient instead of a channel mean, as
 * pytorch-grad-cam computes them (all ReLU after the channel sum):
 * - HiRes-CAM (Draelos & Carin 2020, eq. 3): map = Σ_k g_ijk·A^k_ij; equal to Grad-CAM at a
 *   global-average-pooling head, different at earlier layers;
 * - Grad-CAM element-wise (pytorch-grad-cam's GradCAMElementWise): map = Σ_k ReLU(g_ijk·A^k_ij);
 * - Layer-CAM (Jiang et al. 2021, eq. 5): map = Σ_k ReLU(g_ijk)·A^k_ij.
 */
import * as tf from '@tensorflow/tfjs-core';
import { gradientsOf, type CamMethod } from './cam-method';

function elementWise(term: (activations: tf.Tensor4D, gradients: tf.Tensor4D) => tf.Tensor): CamMethod {
  return {
    needs: 'gradients',
    family: 'weighted',
    map: (inputs) => tf.tidy(() => tf.relu(tf.sum(term(inputs.activations, gradientsOf(inputs)), 3)) as tf.Tensor3D),
  };
}

export const HIRES_CAM = elementWise((a, g) => tf.mul(g, a));
export const GRAD_CAM_ELEMENTWISE = elementWise((a, g) => tf.relu(tf.mul(g, a)));
export const LAYER_CAM = elementWise((a, g) => tf.mul(tf.relu(g), a));
