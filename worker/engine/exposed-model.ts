/**
 * The engine's contract with the methods: a classifier split once at a layer into a body and a head
 * (keras-explainable's `expose`), what crosses between them, and the error a surgery throws when it cannot
 * split at the layer asked for. expose-layers-model.ts, expose-graph-model.ts and compile/ make one.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** Thrown by every surgery when the requested or automatic layer cannot be used; the message says why. */
export class LayerSelectionError extends Error {
  override name = 'LayerSelectionError';
}

/** The Grad-CAM layer a model was split at. */
export interface ExposedLayer {
  name: string;
  /** [height, width, channels] of the layer's activations for one image. */
  shape: [number, number, number];
}

/** What the body hands the head besides the activations: tensors the head needs that do not depend on them. */
export type HeadContext = ReadonlyMap<number, tf.Tensor>;

/** Result of running the body: the activations A of the exposed layer and the head's context. */
export interface BodyOutput {
  activations: tf.Tensor4D;
  context: HeadContext;
}

/**
 * A classifier split once at its Grad-CAM layer (keras-explainable's `expose`): `body` maps the
 * preprocessed input to the layer's activations, `head` maps activations to pre-activation class scores
 * (logits, before any softmax/sigmoid). Every method differentiates `head` only, never the whole model.
 */
export interface ExposedModel {
  layer: ExposedLayer;
  /** [height, width] the model takes. */
  inputSize: [number, number];
  /** Runs input → activations. The caller owns (and disposes) the returned tensors. */
  body(input: tf.Tensor4D): BodyOutput;
  /** Runs activations → logits [batch, classes]; differentiable w.r.t. `activations`. */
  head(activations: tf.Tensor4D, context: HeadContext): tf.Tensor2D;
}

/** Disposes what `body` returned. */
export function disposeBodyOutput(output: BodyOutput): void {
  output.activations.dispose();
  for (const t of output.context.values()) t.dispose();
}
