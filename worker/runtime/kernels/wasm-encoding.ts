/**
 * Just enough of the WebAssembly binary format (2.0, with SIMD) to write this folder's kernels as
 * TypeScript that emits their bytes: LEB128 numbers, opcodes, a function builder that numbers locals and
 * holds splatted float constants in locals, and the one module shape every kernel has (it imports the
 * TF.js backend's memory as env.memory and exports one function of i32 parameters).
 */

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

const I32 = 0x7f;
const V128 = 0x7b;

/** Core instructions used by the kernels ("Instructions" of the binary format). */
export const I = {
  block: [0x02, 0x40], loop: [0x03, 0x40], if: [0x04, 0x40], end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)], brIf: (depth: number) => [0x0d, ...uleb(depth)],
  select: [0x1b], const: (value: number) => [0x41, ...sleb(value)],
  eq: [0x46], ltS: [0x48], ltU: [0x49], gtS: [0x4a], gtU: [0x4b], leU: [0x4d], geS: [0x4e], geU: [0x4f],
  add: [0x6a], sub: [0x6b], mul: [0x6c], and: [0x71], or: [0x72], shl: [0x74],
} as const;

/** SIMD opcodes ("Vector Instructions"; relaxed_madd from the relaxed SIMD proposal), after the 0xfd prefix. */
export const OP = {
  load: 0x00, load32Splat: 0x09, store: 0x0b, i32x4Splat: 0x11, i32x4Shl: 0xab, f32x4Neg: 0xe1, f32x4Add: 0xe4,
  f32x4Sub: 0xe5, f32x4Mul: 0xe6, f32x4Div: 0xe7, f32x4Pmin: 0xea, f32x4Pmax: 0xeb, f32x4RelaxedMadd: 0x105,
} as const;

export const simd = (op: number) => [0xfd, ...uleb(op)];
export const localGet = (i: number) => [0x20, ...uleb(i)];
export const localSet = (i: number) => [0x21, ...uleb(i)];
export const localTee = (i: number) => [0x22, ...uleb(i)];
/** local = the values' instructions (which leave one value on the stack). */
export const setLocal = (local: number, ...value: (readonly number[])[]) => [...value.flat(), ...localSet(local)];
/** local += by (i32). */
export const incrementLocal = (local: number, by: readonly number[]) => [...localGet(local), ...by, ...I.add, ...localSet(local)];
/** v128.load / v128.store at a constant byte offset from the address on the stack (16-byte alignment hint). */
export const v128Load = (offset = 0) => [...simd(OP.load), 0x04, ...uleb(offset)];
export const v128Store = (offset = 0) => [...simd(OP.store), 0x04, ...uleb(offset)];

const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vector = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (text: string) => [...uleb(text.length), ...new TextEncoder().encode(text)];

/**
 * Numbers a function's locals after its parameters (all i32 ones first, then v128 ones: locals are
 * declared in those two runs) and keeps float32 constants, splatted once at entry, in v128 locals.
 */
export class FunctionBuilder {
  readonly #params: number;
  #next: number;
  #firstV128?: number;
  readonly #constants: { local: number; bits: number }[] = [];

  constructor(params: number) {
    this.#params = params;
    this.#next = params;
  }

  i32(): number {
    if (this.#firstV128 !== undefined) throw new Error('FunctionBuilder: every i32 local comes before the v128 ones');
    return this.#next++;
  }

  v128(): number {
    this.#firstV128 ??= this.#next;
    return this.#next++;
  }

  /** Pushes `value` splatted to f32x4 (held in a local set at entry). */
  constant(value: number): number[] {
    const bits = new Int32Array(new Float32Array([value]).buffer)[0];
    let entry = this.#constants.find((c) => c.bits === bits);
    if (!entry) this.#constants.push((entry = { local: this.v128(), bits }));
    return localGet(entry.local);
  }

  /** The function's code entry: its locals, the constants' set-up, then `code` (which ends with `end`). */
  body(code: number[]): number[] {
    const firstV128 = this.#firstV128 ?? this.#next;
    const locals = vector([
      [...uleb(firstV128 - this.#params), I32],
      [...uleb(this.#next - firstV128), V128],
    ]);
    const setConstants = this.#constants.flatMap(({ local, bits }) => [...I.const(bits), ...simd(OP.i32x4Splat), ...localSet(local)]);
    const body = [...locals, ...setConstants, ...code];
    return [...uleb(body.length), ...body];
  }
}

/** A module that imports env.memory and exports `exportName`, a function of `params` i32 parameters. */
export function kernelModule(exportName: string, params: number, body: number[]): Uint8Array<ArrayBuffer> {
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([[0x60, ...vector(Array.from({ length: params }, () => [I32])), 0x00]])), // type 0: (i32…) → ()
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])), // memory, at least 1 page
    ...section(3, vector([[0x00]])), // function 0 has type 0
    ...section(7, vector([[...name(exportName), 0x00, 0x00]])), // export function 0
    ...section(10, vector([body])),
  ];
  return new Uint8Array(bytes);
}
