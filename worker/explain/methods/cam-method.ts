/**
 * The seam every explanation method plugs into (after pytorch-grad-cam's `uses_gradients` and its
 * weights/map split, fitted to the body/head split): a method declares what it needs, and
 * explain/explain-classes.ts computes only that.
 * - `activations`: the layer's activations alone; no backward pass, and the map is the same for every
 *   target (Eigen-CAM).
 * - `gradients`: the activations and each target's gradient w.r.t. them, from one batched backward pass
 *   through the head (the Grad-CAM kind).
 * Maps are raw: ReLU applied where the method's anchor applies it, not normalised.
 */
import type * as tf from '@tensorflow/tfjs-core';

export interface CamInputs {
  /** [n, h, w, k]: one row per target (or one row, for methods that need activations only). */
  activations: tf.Tensor4D;
  /** [n, h, w, k]: ∂y_target/∂activations, present when the method needs gradients. */
  gradients?: tf.Tensor4D;
}

export interface CamMethod {
  needs: 'activations' | 'gradients';
  /**
   * How the map is made: from channel or pixel weights (Grad-CAM's family), or as a principal component
   * (the Eigen methods, whose small eigenproblem per map costs more than the weighting).
   */
  family: 'weighted' | 'principal-component';
  /** activations (and gradients) → maps [n, h, w]. */
  map(inputs: CamInputs): tf.Tensor3D;
}

/** The gradients of a gradient method's inputs, or a clear error where the engine did not compute them. */
export function gradientsOf(inputs: CamInputs): tf.Tensor4D {
  if (!inputs.gradients) throw new Error('this method needs the gradients');
  return inputs.gradients;
}
