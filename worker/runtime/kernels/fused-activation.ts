/**
 * The activations the convolution kernels (pointwise-conv, depthwise-conv) apply to their sums in
 * registers, before their single store: the code each module takes, the instructions that apply it, and
 * the same activation in TF.js ops for the fallbacks and the tests.
 */
import * as tf from '@tensorflow/tfjs-core';
import { swishOnStack, type SwishLocals } from './swish-module';
import { I, localGet, localSet, OP, simd } from './wasm-encoding';

/** The activations the modules apply, by the code they take them as. */
export const FUSED_ACTIVATIONS = { linear: 0, relu: 1, relu6: 2, swish: 3 } as const;
export type FusedActivation = keyof typeof FUSED_ACTIVATIONS;

/**
 * Instructions that apply the activation whose code is in local `code` to every f32x4 local of
 * `accumulators`: max(0, ·) for ReLU and ReLU6, then min(6, ·) for ReLU6, or swish.
 */
export function fusedActivationInstructions(code: number, accumulators: readonly number[], scratch: SwishLocals, constant: (value: number) => number[]): number[] {
  const each = (f: (a: number) => number[]) => accumulators.flatMap(f);
  const is = (name: FusedActivation) => [...localGet(code), ...I.const(FUSED_ACTIVATIONS[name]), ...I.eq];
  return [
    ...is('relu'), ...is('relu6'), ...I.or,
    ...I.if, ...each((a) => [...localGet(a), ...constant(0), ...simd(OP.f32x4Pmax), ...localSet(a)]), ...I.end,
    ...is('relu6'),
    ...I.if, ...each((a) => [...localGet(a), ...constant(6), ...simd(OP.f32x4Pmin), ...localSet(a)]), ...I.end,
    ...is('swish'),
    ...I.if, ...each((a) => [...localGet(a), ...swishOnStack(scratch, constant), ...localSet(a)]), ...I.end,
  ];
}

/** The activation in TF.js ops (swish as z·σ(z)): what the modules compute, for fallbacks and references. */
export function applyFusedActivation<T extends tf.Tensor>(z: T, activation: FusedActivation): T {
  switch (activation) {
    case 'linear':
      return z;
    case 'relu':
      return tf.relu(z);
    case 'relu6':
      return tf.relu6(z);
    case 'swish':
      return tf.mul(z, tf.sigmoid(z));
  }
}
