/**
 * The activations the compiler runs itself, by the names tfjs-layers serialises them as: each applied
 * alone (differentiably), and, where they have one, by the name TF.js's fused ops or the convolution
 * kernels of runtime/kernels know it by, so it can run inside the op before it. Any other activation runs
 * as the layer's own object.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FusedActivation } from '../../runtime/kernels/fused-activation';
import { swish } from '../../runtime/kernels/swish-kernel';
import type { Layer } from '../layers-graph';
import type { LayerConfig } from './layer-config';

export interface Activation {
  /** The name TF.js's fused kernels know it by, when they do. */
  fused?: tf.fused.Activation;
  leakyreluAlpha?: number;
  /** Applies it alone, differentiably; returns a new tensor (never `x`, except for linear). */
  apply(x: tf.Tensor): tf.Tensor;
  /** A faster way without a gradient, for the body. */
  applyForward?(x: tf.Tensor): tf.Tensor;
  /** The name the convolution kernels (PointwiseConv2d, DepthwiseConv2dBiasActivation) know it by, when they do. */
  kernel?: FusedActivation;
}

export const LINEAR: Activation = { fused: 'linear', kernel: 'linear', apply: (x) => x };

/** Activations by the name tfjs-layers serialises them as; others fall back to the layer's own object. */
const ACTIVATIONS: Record<string, Activation> = {
  linear: LINEAR,
  relu: { fused: 'relu', kernel: 'relu', apply: (x) => tf.relu(x) },
  relu6: { fused: 'relu6', kernel: 'relu6', apply: (x) => tf.relu6(x) },
  elu: { fused: 'elu', apply: (x) => tf.elu(x) },
  sigmoid: { fused: 'sigmoid', apply: (x) => tf.sigmoid(x) },
  tanh: { apply: (x) => tf.tanh(x) },
  softmax: { apply: (x) => tf.softmax(x) },
  swish: {
    kernel: 'swish',
    apply: (x) => {
      const gate = tf.sigmoid(x);
      const y = tf.mul(gate, x);
      gate.dispose();
      return y;
    },
    applyForward: swish,
  },
};

/** The activation a standalone activation layer applies, when the compiler can run it itself. */
export function activationOfLayer(layer: Layer): Activation | undefined {
  const config = layer.getConfig() as LayerConfig;
  switch (layer.getClassName()) {
    case 'Activation':
      return ACTIVATIONS[config.activation as string];
    case 'ReLU':
      if (config.maxValue == null) return ACTIVATIONS.relu;
      return config.maxValue === 6 ? ACTIVATIONS.relu6 : undefined;
    case 'LeakyReLU': {
      const alpha = (config.alpha as number | undefined) ?? 0.3;
      return { fused: 'leakyrelu', leakyreluAlpha: alpha, apply: (x) => tf.leakyRelu(x, alpha) };
    }
    case 'ELU':
      return (config.alpha ?? 1) === 1 ? ACTIVATIONS.elu : undefined;
    case 'Softmax':
      return config.axis === -1 || config.axis == null ? ACTIVATIONS.softmax : undefined;
    default:
      return undefined;
  }
}

/** The activation a Conv2D/DepthwiseConv2D/Dense applies itself. */
export function ownActivation(layer: Layer): Activation {
  const name = (layer.getConfig() as LayerConfig).activation as string | undefined;
  if (name === undefined) return LINEAR;
  const known = ACTIVATIONS[name];
  if (known) return known;
  const own = (layer as unknown as { activation: { apply(x: tf.Tensor): tf.Tensor } }).activation;
  return { apply: (x) => own.apply(x) };
}
