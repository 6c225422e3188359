/**
 * Folds an inference-mode batch normalisation into the linear layer before it. BN computes
 * y = (z − mean)·γ/√(var + ε) + β per channel (Ioffe & Szegedy 2015, alg. 2); with z = x∗W + b that is
 * x∗(W·s) + (b − mean)·s + β for s = γ/√(var + ε). The convolution then needs no separate BN pass, and
 * its bias and activation can run fused with it.
 *
 * Example: `const { kernel, bias } = foldBatchNorm('conv2d', kernel, undefined, bn)`; the caller owns both.
 */
import * as tf from '@tensorflow/tfjs-core';

/** A BatchNormalization layer's inference parameters (gamma and beta are absent when `scale`/`center` is off). */
export interface BatchNormParams {
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  gamma?: tf.Tensor1D;
  beta?: tf.Tensor1D;
  epsilon: number;
}

/**
 * How the layer's kernel lays out its output channels: a conv2d kernel is [kh, kw, in, out] and a dense
 * one [in, out] (channels last); a depthwise kernel is [kh, kw, in, multiplier], output channel
 * i·multiplier + m.
 */
export type FoldableKernel = 'conv2d' | 'depthwise' | 'dense';

export interface FoldedWeights {
  kernel: tf.Tensor;
  bias: tf.Tensor1D;
}

/** The per-channel affine map BN applies at inference: y = z·scale + offset. */
export function batchNormAffine(bn: BatchNormParams): { scale: tf.Tensor1D; offset: tf.Tensor1D } {
  return tf.tidy(() => {
    const inverseStd = tf.rsqrt(tf.add(bn.variance, bn.epsilon));
    const scale = (bn.gamma ? tf.mul(inverseStd, bn.gamma) : inverseStd) as tf.Tensor1D;
    const shifted = tf.neg(tf.mul(bn.mean, scale));
    const offset = (bn.beta ? tf.add(shifted, bn.beta) : shifted) as tf.Tensor1D;
    return { scale, offset };
  });
}

/** New kernel and bias equal to the layer followed by `bn`; the inputs are left untouched. */
export function foldBatchNorm(kind: FoldableKernel, kernel: tf.Tensor, bias: tf.Tensor1D | undefined, bn: BatchNormParams): FoldedWeights {
  return tf.tidy(() => {
    const { scale, offset } = batchNormAffine(bn);
    const [inChannels, multiplier] = kernel.shape.slice(-2);
    const channelScale = kind === 'depthwise' ? tf.reshape(scale, [inChannels, multiplier]) : scale;
    const folded = tf.mul(kernel, channelScale);
    const foldedBias = (bias ? tf.add(tf.mul(bias, scale), offset) : offset) as tf.Tensor1D;
    return { kernel: folded, bias: foldedBias };
  });
}
