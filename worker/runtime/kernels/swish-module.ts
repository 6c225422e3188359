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

export const SIMD = 0xfd;
/** Final SIMD opcodes (WebAssembly 2.0, "Vector Instructions" of the binary format). */
export const OP = {
  load: 0x00, store: 0x0b, i32x4Splat: 0x11, i32x4Shl: 0xab, f32x4Neg: 0xe1, f32x4Add: 0xe4, f32x4Sub: 0xe5,
  f32x4Mul: 0xe6, f32x4Div: 0xe7, f32x4Pmin: 0xea, f32x4Pmax: 0xeb,
} as const;

export function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

export function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

export const simd = (op: number) => [SIMD, ...uleb(op)];
export const localGet = (i: number) => [0x20, ...uleb(i)];
export const localSet = (i: number) => [0x21, ...uleb(i)];
export const localTee = (i: number) => [0x22, ...uleb(i)];
export const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
export const vector = (items: number[][]) => [...uleb(items.length), ...items.flat()];
export const name = (text: string) => [...uleb(text.length), ...new TextEncoder().encode(text)];

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
  const [SRC, DST, COUNT, END] = [0, 1, 2, 3];
  let next = 4;
  const v128 = () => next++;
  // Constants live in locals set once before the loop, so the loop does no splats.
  const constants: { local: number; bits: number }[] = [];
  const constant = (value: number) => {
    const bits = new Int32Array(new Float32Array([value]).buffer)[0];
    let entry = constants.find((c) => c.bits === bits);
    if (!entry) constants.push((entry = { local: v128(), bits }));
    return localGet(entry.local);
  };

  /** swish of the 4 floats at src + offset, stored at dst + offset. */
  const vectorAt = (offset: number): number[] => {
    const [X, N, S, S2, D] = [v128(), v128(), v128(), v128(), v128()];
    return [
      ...localGet(DST),
      ...localGet(SRC), ...simd(OP.load), 0x04, ...uleb(offset),
      ...swishOnStack({ x: X, n: N, s: S, s2: S2, d: D }, constant),
      ...simd(OP.store), 0x04, ...uleb(offset),
    ];
  };
  const loop = [
    ...vectorAt(0),
    ...vectorAt(16),
    // src += 32; dst += 32; continue while src < end
    ...localGet(DST), 0x41, ...sleb(32), 0x6a, ...localSet(DST),
    ...localGet(SRC), 0x41, ...sleb(32), 0x6a, ...localTee(SRC), ...localGet(END), 0x49, 0x0d, 0x00, // br_if 0 (loop)
  ];
  const setConstants = constants.flatMap(({ local, bits }) => [0x41, ...sleb(bits), ...simd(OP.i32x4Splat), ...localSet(local)]);
  const code = [
    // end = src + count·4
    ...localGet(SRC), ...localGet(COUNT), 0x41, ...sleb(2), 0x74, 0x6a, ...localSet(END),
    ...setConstants,
    0x02, 0x40, // block
    ...localGet(SRC), ...localGet(END), 0x4f, 0x0d, 0x00, // br_if 0 when src >= end (u32)
    0x03, 0x40, // loop
    ...loop,
    0x0b, // end loop
    0x0b, // end block
    0x0b, // end function
  ];
  const locals = vector([
    [1, 0x7f], // end: i32
    [...uleb(next - END - 1), 0x7b], // the rest: v128
  ]);
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

/** The module: imports env.memory, exports swish(src, dst, count). */
export function swishModuleBytes(): Uint8Array<ArrayBuffer> {
  const I32 = 0x7f;
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([[0x60, ...vector([[I32], [I32], [I32]]), 0x00]])), // type 0: (i32, i32, i32) → ()
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])), // memory, min 1 page
    ...section(3, vector([[0x00]])), // function 0 has type 0
    ...section(7, vector([[...name('swish'), 0x00, 0x00]])), // export function 0
    ...section(10, vector([swishBody()])),
  ];
  return new Uint8Array(bytes);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(new URL('./swish.wasm', import.meta.url), swishModuleBytes());
}
