/** The instructions the convolution modules apply their fused activation with (fused-activation.ts's codes). */
import { FUSED_ACTIVATIONS, type FusedActivation } from './fused-activation';
import { swishOnStack, type SwishLocals } from './swish-module';
import { I, localGet, localSet, OP, simd } from './wasm-encoding';

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
