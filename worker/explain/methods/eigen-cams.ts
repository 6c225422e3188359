/**
 * Eigen-CAM (Muhammad & Yeasin 2020): the activations' first principal component, ReLU'd. It needs no
 * gradient and is the same for every class. Eigen-Grad-CAM (pytorch-grad-cam's EigenGradCAM): the first
 * principal component of g⊙A, one per class. Sign rule: principal-projection.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { gradientsOf, type CamMethod } from './cam-method';
import { principalProjection } from './principal-projection';

export const EIGEN_CAM: CamMethod = {
  needs: 'activations',
  family: 'principal-component',
  map: ({ activations }) => tf.tidy(() => tf.relu(principalProjection(activations))),
};

export const EIGEN_GRAD_CAM: CamMethod = {
  needs: 'gradients',
  family: 'principal-component',
  map: (inputs) =>
    tf.tidy(() => {
      const terms = tf.mul(gradientsOf(inputs), inputs.activations) as tf.Tensor4D;
      return tf.relu(principalProjection(terms));
    }),
};
