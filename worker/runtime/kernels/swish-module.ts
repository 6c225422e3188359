/**
 * The bytes of a tiny WebAssembly module that computes swish, y = x·σ(x) (Ramachandran et al. 2017), in
 * one SIMD pass over float32 arrays in memory it imports (the TF.js WASM backend's own). TF.js has no
 * swish kernel: x·σ(x) is a Sigmoid pass and a Multiply pass, and EfficientNet applies it after nearly
 * every convolution. workerd cannot compile WebAssembly at run time, so the bytes are written once to
 * swish.wasm (`npx tsx worker/runtime/kernels/swish-module.ts`) and imported like the backend's own
 * module; a test checks that the file matches this source.
 *
 * The export is `swish(src, dst, count)`: byte offsets of float32 arrays and a count that is a multiple
 * of 8. Per lane, swish(x) = x / (1 + e^z) with z = −x clamped to [−87, 88]: e^z = 2^n·exp(r) with
 * n = round(z·log2 e) (the rounding done by adding 1.5·2^23, which also leaves n + 127 in the low bits,
 * ready to shift into a float's exponent), r = z − n·ln 2, |r| ≤ ln 2 / 2, and exp(r) by a degree-5
 * polynomial. Relative error below 4e-6 against the exact function (most of it from rounding
 * n·ln 2 when |x| is large, where swish is within 1e-15 of 0 or of x anyway); x ≤ −88 gives ≈ x·e^−88.
 */

import { FunctionBuilder, I, kernelModule, localGet, localSet, localTee, OP, simd, sleb, v128Load, v128Store } from './wasm-encoding';

const LOG2E = 1.4426950408889634;
/**
 * exp(r) on |r| ≤ ln 2 / 2 by a degree-5 polynomial fitted for least maximum relative error (2.4e-7,
 * about the degree-7 Taylor polynomial's), c0 fixed to 1.
 */
const EXP_COEFFICIENTS = [1, 0.9999983906745911, 0.4999883770942688, 0.16670355200767517, 0.04192926362156868, 0.0081600621342659];
/** e^z is computed for z in [−87, 88], so that 2^n stays a normal float32 (n + 127 in [1, 254]). */
const MIN_EXPONENT = -87;
const MAX_EXPONENT = 88;
/** 1.5·2^23 + 127: adding it rounds to an integer and leaves n + 127 in the low mantissa bits. */
const MAGIC = 12582912 + 127;

/** Scratch v128 locals for `swishOnStack`. */
export interface SwishLocals {
  x: number;
  n: number;
  s: number;
  s2: number;
  d: number;
}

/**
 * Instructions that replace the f32x4 on top of the stack by its swish (see top), using five v128 locals
 * and `constant`, which pushes a splatted float32 constant (held in a local set before the loop).
 */
export function swishOnStack({ x: X, n: N, s: S, s2: S2, d: D }: SwishLocals, constant: (value: number) => number[]): number[] {
  const mul = simd(OP.f32x4Mul);
  const add = simd(OP.f32x4Add);
  const sub = simd(OP.f32x4Sub);
  // exp(r) with r = −s, as (c0 − c1 s) + s²((c2 − c3 s) + s²(c4 − c5 s))
  const pair = (even: number, odd: number) => [...localGet(S), ...constant(-odd), ...mul, ...constant(even), ...add];
  const [c0, c1, c2, c3, c4, c5] = EXP_COEFFICIENTS;
  return [
    // t = clamp(x, −MAX_EXPONENT, −MIN_EXPONENT): e^−t must stay a normal float32
    ...localTee(X),
    ...constant(-MAX_EXPONENT), ...simd(OP.f32x4Pmax), ...constant(-MIN_EXPONENT), ...simd(OP.f32x4Pmin), ...localTee(D),
    // n + MAGIC = −t·log2 e + MAGIC: the addition rounds n to an integer and leaves n + 127, the
    // exponent of 2^n, in the low mantissa bits
    ...constant(-LOG2E), ...mul, ...constant(MAGIC), ...add, ...localTee(N),
    // s = t + n·ln 2 = −r, where −t = n·ln 2 + r, |r| ≤ ln 2 / 2
    ...constant(MAGIC), ...sub, ...constant(Math.LN2), ...mul, ...localGet(D), ...add, ...localTee(S),
    ...localGet(S), ...mul, ...localSet(S2),
    ...pair(c0, c1),
    ...pair(c2, c3),
    ...pair(c4, c5),
    ...localGet(S2), ...mul, ...add,
    ...localGet(S2), ...mul, ...add,
    // e^−t = exp(r)·2^n; swish = x / (1 + e^−x)
    ...localGet(N), 0x41, ...sleb(23), ...simd(OP.i32x4Shl), ...mul, ...constant(1), ...add, ...localSet(D),
    ...localGet(X), ...localGet(D), ...simd(OP.f32x4Div),
  ];
}

/**
 * The function body: params src, dst, count (i32); an i32 local for the end, v128 locals for the rest.
 * Two vectors (8 floats) per iteration, each with its own locals. The loop is bound by instruction
 * count, so each vector costs 24 instructions: no NaN-exact min/max, no float→int conversion, no
 * negation (the polynomial takes −r), Estrin's scheme, and constants held in locals.
 */
function swishBody(): number[] {
  const [SRC, DST, COUNT] = [0, 1, 2];
  const f = new FunctionBuilder(3);
  const END = f.i32();
  // Constants live in locals set once before the loop, so the loop does no splats.
  const constant = (value: number) => f.constant(value);

  /** swish of the 4 floats at src + offset, stored at dst + offset. */
  const vectorAt = (offset: number): number[] => {
    const [X, N, S, S2, D] = [f.v128(), f.v128(), f.v128(), f.v128(), f.v128()];
    return [
      ...localGet(DST),
      ...localGet(SRC), ...v128Load(offset),
      ...swishOnStack({ x: X, n: N, s: S, s2: S2, d: D }, constant),
      ...v128Store(offset),
    ];
  };
  const loop = [
    ...vectorAt(0),
    ...vectorAt(16),
    // src += 32; dst += 32; continue while src < end
    ...localGet(DST), ...I.const(32), ...I.add, ...localSet(DST),
    ...localGet(SRC), ...I.const(32), ...I.add, ...localTee(SRC), ...localGet(END), ...I.ltU, ...I.brIf(0),
  ];
  return f.body([
    // end = src + count·4
    ...localGet(SRC), ...localGet(COUNT), ...I.const(2), ...I.shl, ...I.add, ...localSet(END),
    ...I.block,
    ...localGet(SRC), ...localGet(END), ...I.geU, ...I.brIf(0), // nothing to do when src >= end (u32)
    ...I.loop,
    ...loop,
    ...I.end, // loop
    ...I.end, // block
    ...I.end, // function
  ]);
}

/** The module: imports env.memory, exports swish(src, dst, count). */
export function swishModuleBytes(): Uint8Array<ArrayBuffer> {
  return kernelModule('swish', 3, swishBody());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(new URL('./swish.wasm', import.meta.url), swishModuleBytes());
}
