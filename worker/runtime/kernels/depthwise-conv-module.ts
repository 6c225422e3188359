/**
 * The bytes of a small WebAssembly module that computes a depthwise convolution, its bias and its
 * activation (linear, ReLU, ReLU6 or swish) in one SIMD pass (NHWC, depth multiplier 1), over memory it
 * imports (the TF.js WASM backend's own). It is what the blocks of EfficientNet (swish) and of
 * EfficientNet-Lite and MobileNet (ReLU6) do after each expansion: TF.js runs swish as extra Sigmoid and
 * Multiply passes over the activation, and even its fused ReLU6 depthwise convolution (XNNPACK) is slower
 * than this loop on those shapes (`npm run bench`, "+ depthwise kernel"). As swish.wasm, the bytes are
 * written once to depthwise-conv.wasm (`npx tsx worker/runtime/kernels/depthwise-conv-module.ts`) and a
 * test checks that the file matches.
 *
 * The export is `depthwiseConv(src, filter, bias, dst, h, w, c, outH, outW, kh, kw, strideH, strideW,
 * padTop, padLeft, activation)`: byte offsets of float32 arrays (one image [h, w, c], the filter
 * [kh, kw, c], the bias [c], the output [outH, outW, c]), sizes with c a multiple of 4, and the
 * activation's code (fused-activation.ts). For each output pixel it clips the kh×kw window to the image
 * (the taps on padding add nothing), then for each 16 channels (4 at the end) keeps one f32x4 accumulator
 * per 4 channels in registers from the bias through every tap, applies the activation and stores once.
 * The padding is the caller's: TF's 'same' puts the odd pixel at the bottom and right
 * (pad_top = floor(total / 2)).
 */
import { fusedActivationInstructions } from './fused-activation-instructions';
import { FunctionBuilder, I, incrementLocal, kernelModule, localGet, localSet, localTee, OP, setLocal, simd, v128Load, v128Store } from './wasm-encoding';

/** Channels per accumulator group in the main loop: four f32x4 accumulators. */
const GROUP_VECTORS = 4;

function depthwiseConvBody(): number[] {
  const params = ['src', 'filter', 'bias', 'dst', 'h', 'w', 'c', 'outH', 'outW', 'kh', 'kw', 'strideH', 'strideW', 'padTop', 'padLeft', 'activation'] as const;
  const p = Object.fromEntries(params.map((key, i) => [key, i])) as Record<(typeof params)[number], number>;
  const f = new FunctionBuilder(params.length);
  const i32Names = ['cs', 'rowBytes', 'filterRowBytes', 'oy', 'ox', 'iy0', 'ix0', 'ky0', 'ky1', 'kx0', 'tapBytes', 'base', 'filterBase', 'cb', 'psRow', 'pfRow', 'ps', 'pf', 'pEnd', 'ky'] as const;
  const l = Object.fromEntries(i32Names.map((key) => [key, f.i32()])) as Record<(typeof i32Names)[number], number>;
  const acc = Array.from({ length: GROUP_VECTORS }, () => f.v128());
  const scratch = { x: f.v128(), n: f.v128(), s: f.v128(), s2: f.v128(), d: f.v128() };
  const constant = (value: number) => f.constant(value);
  const get = localGet;
  const set = setLocal;
  /** max(0, local) and min(a, b) by `select` (signed). */
  const max0 = (value: readonly number[]) => [...value, ...I.const(0), ...value, ...I.const(0), ...I.gtS, ...I.select];
  const min = (a: readonly number[], b: readonly number[]) => [...a, ...b, ...a, ...b, ...I.ltS, ...I.select];
  const increment = incrementLocal;
  const load = v128Load;
  const store = v128Store;

  /** `vectors` f32x4 accumulators over channels cb … cb + 4·vectors − 1 of the current output pixel. */
  const channelGroup = (vectors: number): number[] => {
    const lanes = acc.slice(0, vectors);
    return [
      ...lanes.flatMap((a, i) => [...get(p.bias), ...get(l.cb), ...I.add, ...load(16 * i), ...localSet(a)]),
      ...set(l.psRow, get(l.base), get(l.cb), I.add),
      ...set(l.pfRow, get(l.filterBase), get(l.cb), I.add),
      ...set(l.ky, get(l.ky0)),
      ...I.loop, // rows of the window
      ...set(l.ps, get(l.psRow)),
      ...set(l.pf, get(l.pfRow)),
      ...set(l.pEnd, get(l.psRow), get(l.tapBytes), I.add),
      ...I.loop, // taps of the row
      ...lanes.flatMap((a, i) => [...get(a), ...get(l.ps), ...load(16 * i), ...get(l.pf), ...load(16 * i), ...simd(OP.f32x4Mul), ...simd(OP.f32x4Add), ...localSet(a)]),
      ...increment(l.pf, get(l.cs)),
      ...get(l.ps), ...get(l.cs), ...I.add, ...localTee(l.ps), ...get(l.pEnd), ...I.ltU, ...I.brIf(0),
      ...I.end,
      ...increment(l.psRow, get(l.rowBytes)),
      ...increment(l.pfRow, get(l.filterRowBytes)),
      ...get(l.ky), ...I.const(1), ...I.add, ...localTee(l.ky), ...get(l.ky1), ...I.ltS, ...I.brIf(0),
      ...I.end,
      ...fusedActivationInstructions(p.activation, lanes, scratch, constant),
      ...lanes.flatMap((a, i) => [...get(p.dst), ...get(a), ...store(16 * i)]),
    ];
  };
  /** Loops over channel groups of `vectors` vectors while a whole group remains. */
  const channelLoop = (vectors: number): number[] => [
    ...I.block, ...I.loop,
    ...get(l.cb), ...I.const(16 * vectors), ...I.add, ...get(l.cs), ...I.gtS, ...I.brIf(1),
    ...channelGroup(vectors),
    ...increment(l.cb, I.const(16 * vectors)),
    ...increment(p.dst, I.const(16 * vectors)),
    ...I.br(0),
    ...I.end, ...I.end,
  ];

  const code = [
    ...set(l.cs, get(p.c), I.const(2), I.shl),
    ...set(l.rowBytes, get(p.w), get(l.cs), I.mul),
    ...set(l.filterRowBytes, get(p.kw), get(l.cs), I.mul),
    ...set(l.oy, I.const(0)),
    ...I.loop, // output rows
    ...set(l.iy0, get(l.oy), get(p.strideH), I.mul, get(p.padTop), I.sub),
    ...set(l.ky0, max0([...I.const(0), ...get(l.iy0), ...I.sub])),
    ...set(l.ky1, min(get(p.kh), [...get(p.h), ...get(l.iy0), ...I.sub])),
    ...set(l.ox, I.const(0)),
    ...I.loop, // output columns
    ...set(l.ix0, get(l.ox), get(p.strideW), I.mul, get(p.padLeft), I.sub),
    ...set(l.kx0, max0([...I.const(0), ...get(l.ix0), ...I.sub])),
    ...set(l.tapBytes, min(get(p.kw), [...get(p.w), ...get(l.ix0), ...I.sub]), get(l.kx0), I.sub, get(l.cs), I.mul),
    // base = src + ((iy0 + ky0)·w + ix0 + kx0)·cs: the first tap inside the image, channel 0
    ...set(l.base, get(p.src), get(l.iy0), get(l.ky0), I.add, get(p.w), I.mul, get(l.ix0), I.add, get(l.kx0), I.add, get(l.cs), I.mul, I.add),
    ...set(l.filterBase, get(p.filter), get(l.ky0), get(p.kw), I.mul, get(l.kx0), I.add, get(l.cs), I.mul, I.add),
    ...set(l.cb, I.const(0)),
    ...channelLoop(GROUP_VECTORS),
    ...channelLoop(1),
    ...get(l.ox), ...I.const(1), ...I.add, ...localTee(l.ox), ...get(p.outW), ...I.ltS, ...I.brIf(0),
    ...I.end,
    ...get(l.oy), ...I.const(1), ...I.add, ...localTee(l.oy), ...get(p.outH), ...I.ltS, ...I.brIf(0),
    ...I.end,
    ...I.end, // function
  ];
  return f.body(code);
}

/** The module: imports env.memory, exports depthwiseConv (16 i32 parameters, see top). */
export function depthwiseConvModuleBytes(): Uint8Array<ArrayBuffer> {
  return kernelModule('depthwiseConv', 16, depthwiseConvBody());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(new URL('./depthwise-conv.wasm', import.meta.url), depthwiseConvModuleBytes());
}
