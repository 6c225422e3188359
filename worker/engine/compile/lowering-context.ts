/**
 * What lowering a group into a step depends on besides the group itself, named once per program rather
 * than passed as positional flags: whether the program is a body or a head, whether bias and activation
 * fuse into the linear op, which forward-only kernels of runtime/kernels it may run, and the weights.
 */
import type { Activation } from './activations';
import type { LinearWeightCache } from './linear-weight-cache';

/**
 * Body programs run forward only, on fused ops and kernels; head programs are differentiated w.r.t. their
 * input and avoid them: fused convolutions' gradients compute the filter gradient too, and the kernels
 * have none.
 */
export type Mode = 'body' | 'head';

/** The forward-only kernels a program may run (each also needs its backend to have it registered). */
export interface KernelChoice {
  /** Swish as one pass (swish-kernel.ts). */
  swish: boolean;
  /** A depthwise convolution with its bias and activation as one pass (depthwise-conv-kernel.ts). */
  depthwise: boolean;
  /** A 1×1 convolution with its bias and activation as one pass, from packed filters (pointwise-conv-kernel.ts). */
  pointwise: boolean;
}

export interface LoweringContext {
  mode: Mode;
  /** Bias and a fusable activation run inside TF.js's fused op (the body only). */
  fuseActivations: boolean;
  kernels: KernelChoice;
  weights: LinearWeightCache;
}

/** The activation as the program runs it: the body may take a faster path without a gradient. */
export function activationInContext(activation: Activation, context: LoweringContext): Activation {
  return context.kernels.swish && activation.applyForward ? { ...activation, apply: activation.applyForward } : activation;
}
