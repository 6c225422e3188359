/**
 * The bytes of a small WebAssembly module that computes a pointwise (1×1, stride 1) convolution with its
 * bias and activation in one SIMD pass, over memory it imports (the TF.js WASM backend's own). A 1×1
 * convolution is a matrix product, pixels [m, k] times filter [k, n]; EfficientNet and MobileNet spend
 * most of their time there. TF.js runs it through XNNPACK, whose WASM SIMD kernel for x86 broadcasts
 * each input value by a lane shuffle, and the shuffles compete with the multiplies and adds for the same
 * execution ports; this one broadcasts straight from memory (`v128.load32_splat`), keeps a 4-pixel ×
 * 8-channel tile of sums in registers over the whole k loop, and applies the activation (swish too, which
 * XNNPACK has not) before the single store.
 *
 * Two builds: pointwise-conv.wasm multiplies and adds (WebAssembly 2.0 SIMD, everywhere);
 * pointwise-conv-fma.wasm does both in one `f32x4.relaxed_madd` (relaxed SIMD: a fused multiply-add where
 * the CPU has one, workerd and Chrome since V8 11.4, not Node 20), fewer instructions for the same sums to
 * float rounding. As swish.wasm, the bytes are written once (`npx tsx
 * worker/runtime/kernels/pointwise-conv-module.ts`) and a test checks that the files match.
 *
 * The export is `pointwiseConv(src, filter, bias, dst, m, k, n, activation)`: byte offsets of float32
 * arrays (pixels [m, k]; the filter packed as panels of 8 output channels, [⌈n/8⌉, k, 8]; the bias padded
 * to a multiple of 8; the output [m, n]), sizes with n a multiple of 4, and the activation's code
 * (fused-activation.ts: 0 linear, 1 ReLU, 2 ReLU6, 3 swish).
 */
import { fusedActivationInstructions } from './fused-activation-instructions';
import { POINTWISE_PANEL } from './pointwise-conv-kernel';
import { FunctionBuilder, I, incrementLocal, kernelModule, localGet, localSet, localTee, OP, setLocal, simd, v128Load, v128Store } from './wasm-encoding';

/** Output channels per panel (two f32x4) and pixels per tile in the main loop. */
const PANEL = POINTWISE_PANEL;
const TILE_ROWS = 4;

export interface PointwiseBuild {
  /** Multiply-add with relaxed SIMD's f32x4.relaxed_madd instead of f32x4.mul then f32x4.add. */
  fusedMultiplyAdd: boolean;
}

function pointwiseBody({ fusedMultiplyAdd }: PointwiseBuild): number[] {
  const params = ['src', 'filter', 'bias', 'dst', 'm', 'k', 'n', 'activation'] as const;
  const p = Object.fromEntries(params.map((key, i) => [key, i])) as Record<(typeof params)[number], number>;
  const f = new FunctionBuilder(params.length);
  const i32Names = ['kBytes', 'nBytes', 'panelBytes', 'row', 'rowSrc', 'col', 'pb', 'pbias', 'pc', 'pa', 'paEnd', 'q'] as const;
  const l = Object.fromEntries(i32Names.map((key) => [key, f.i32()])) as Record<(typeof i32Names)[number], number>;
  const rowOffset = Array.from({ length: TILE_ROWS }, () => f.i32());
  const acc = Array.from({ length: TILE_ROWS }, () => [f.v128(), f.v128()]);
  const b = [f.v128(), f.v128()];
  const scratch = { x: f.v128(), n: f.v128(), s: f.v128(), s2: f.v128(), d: f.v128() };
  const constant = (value: number) => f.constant(value);
  const get = localGet;
  const set = setLocal;
  const increment = incrementLocal;
  const load = v128Load;
  const store = v128Store;
  /** v128.load32_splat: the float at the address, in all four lanes (4-byte alignment hint). */
  const splat = () => [...simd(OP.load32Splat), 0x02, 0x00];
  /** acc + x·b on the stack for `x` in a local; `fusedMultiplyAdd` picks the instructions. */
  const multiplyAdd = (acc: number, x: number, bv: number) =>
    fusedMultiplyAdd
      ? [...get(x), ...get(bv), ...get(acc), ...simd(OP.f32x4RelaxedMadd)]
      : [...get(x), ...get(bv), ...simd(OP.f32x4Mul), ...get(acc), ...simd(OP.f32x4Add)];
  /** Address of row r of the tile, from pa (the current k of row 0). */
  const rowAddress = (r: number) => (r === 0 ? get(l.pa) : [...get(l.pa), ...get(rowOffset[r]), ...I.add]);

  /** One k of the current tile: a row of the panel times each pixel's value, added to the sums. */
  const kStep = (rows: number): number[] => [
      ...get(l.q), ...load(0), ...localSet(b[0]),
      ...get(l.q), ...load(16), ...localSet(b[1]),
      ...acc.slice(0, rows).flatMap(([a0, a1], r) => [
        ...rowAddress(r), ...splat(), ...localSet(scratch.x),
        ...multiplyAdd(a0, scratch.x, b[0]), ...localSet(a0),
        ...multiplyAdd(a1, scratch.x, b[1]), ...localSet(a1),
      ]),
  ];
  /** One tile: `rows` pixels × one panel of 8 channels, from bias through every k to the store. */
  const tile = (rows: number): number[] => {
    const tileAcc = acc.slice(0, rows);
    return [
      ...tileAcc.flatMap(([a0, a1]) => [...get(l.pbias), ...load(0), ...localSet(a0), ...get(l.pbias), ...load(16), ...localSet(a1)]),
      ...set(l.pa, get(l.rowSrc)),
      ...set(l.paEnd, get(l.rowSrc), get(l.kBytes), I.add),
      ...set(l.q, get(l.pb)),
      ...I.loop,
      ...kStep(rows),
      ...increment(l.q, I.const(4 * PANEL)),
      ...get(l.pa), ...I.const(4), ...I.add, ...localTee(l.pa), ...get(l.paEnd), ...I.ltU, ...I.brIf(0),
      ...I.end,
      // activation on the sums, in registers
      ...fusedActivationInstructions(p.activation, tileAcc.flat(), scratch, constant),
      // store: the second half of the panel only where the output has it (n may end at a half panel)
      ...tileAcc.flatMap(([a0], r) => [...get(l.pc), ...(r ? [...get(l.nBytes), ...I.const(r), ...I.mul, ...I.add] : []), ...get(a0), ...store(0)]),
      ...get(l.col), ...I.const(PANEL), ...I.add, ...get(p.n), ...I.leU,
      ...I.if, ...tileAcc.flatMap(([, a1], r) => [...get(l.pc), ...(r ? [...get(l.nBytes), ...I.const(r), ...I.mul, ...I.add] : []), ...get(a1), ...store(16)]), ...I.end,
    ];
  };

  /** All panels for the `rows` pixels starting at `row`. */
  const panels = (rows: number): number[] => [
    ...set(l.rowSrc, get(p.src), get(l.row), get(l.kBytes), I.mul, I.add),
    ...set(l.pc, get(p.dst), get(l.row), get(l.nBytes), I.mul, I.add),
    ...set(l.pb, get(p.filter)),
    ...set(l.pbias, get(p.bias)),
    ...set(l.col, I.const(0)),
    ...I.loop,
    ...tile(rows),
    ...increment(l.pb, get(l.panelBytes)),
    ...increment(l.pbias, I.const(4 * PANEL)),
    ...increment(l.pc, I.const(4 * PANEL)),
    ...get(l.col), ...I.const(PANEL), ...I.add, ...localTee(l.col), ...get(p.n), ...I.ltU, ...I.brIf(0),
    ...I.end,
  ];

  /** Tiles of `rows` pixels while that many remain. */
  const rowLoop = (rows: number): number[] => [
    ...I.block, ...I.loop,
    ...get(l.row), ...I.const(rows), ...I.add, ...get(p.m), ...I.gtU, ...I.brIf(1),
    ...panels(rows),
    ...increment(l.row, I.const(rows)),
    ...I.br(0),
    ...I.end, ...I.end,
  ];

  const code = [
    ...set(l.kBytes, get(p.k), I.const(2), I.shl),
    ...rowOffset.flatMap((local, r) => set(local, get(l.kBytes), I.const(r), I.mul)),
    ...set(l.nBytes, get(p.n), I.const(2), I.shl),
    ...set(l.panelBytes, get(l.kBytes), I.const(PANEL), I.mul),
    ...set(l.row, I.const(0)),
    ...rowLoop(TILE_ROWS),
    ...rowLoop(1),
    ...I.end, // function
  ];
  return f.body(code);
}

/** The module: imports env.memory, exports pointwiseConv (8 i32 parameters, see top). */
export function pointwiseConvModuleBytes(build: PointwiseBuild): Uint8Array<ArrayBuffer> {
  return kernelModule('pointwiseConv', 8, pointwiseBody(build));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(new URL('./pointwise-conv.wasm', import.meta.url), pointwiseConvModuleBytes({ fusedMultiplyAdd: false }));
  writeFileSync(new URL('./pointwise-conv-fma.wasm', import.meta.url), pointwiseConvModuleBytes({ fusedMultiplyAdd: true }));
}
