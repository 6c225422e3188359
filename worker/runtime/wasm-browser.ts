/**
 * Starts TF.js's WASM backend in a browser (a page or a dedicated worker), for the viewer's private mode.
 * The package's own initialisation works there: it fetches the binary from `wasmPaths` (the viewer's
 * build copies them next to the page) and picks the threaded SIMD build when the context may share
 * memory — SharedArrayBuffer, which browsers grant only to cross-origin isolated contexts — else the
 * SIMD build, else the plain one. The gradient kernels the WASM backend lacks are registered as in
 * workerd and Node, so a head through a convolution explains here too. The one-pass swish, depthwise
 * and pointwise kernels (runtime/kernels) are not: their modules import an unshared memory, which the
 * threaded build's shared memory cannot satisfy, so compiled models take TF.js's ops and x·σ(x) here (the
 * kernels are within 4e-6 of them).
 *
 * Thread count: tfjs-backend-wasm 4.22 caps its pool at `navigator.hardwareConcurrency / 2` (its
 * backend.cc assumes two hardware threads per core), read once when the module starts, so a two-core
 * machine never runs threaded whatever `setThreadsCount` says. While the module starts, this module
 * shows it twice the wanted count, so the count asked for is the count used.
 *
 * @example
 *   const backend = await initWasmBackend({ wasmPaths: '/tfjs/' });   // { build: 'threaded-simd', threads: 4 }
 *   await initWasmBackend({ wasmPaths: '/tfjs/', threads: false });     // SIMD alone (one thread)
 */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from './wasm-gradient-kernels';

export interface BrowserWasmOptions {
  /** URL prefix of the folder holding tfjs-backend-wasm's `*.wasm` files, with a trailing "/". */
  wasmPaths: string;
  /** False: the SIMD build even where threads are possible (to compare, or to spare the battery). Default true. */
  threads?: boolean;
  /**
   * Threads of the threaded build, at most MAX_THREADS. Default: half the logical cores the browser
   * reports, as TF.js chooses, but at least two where it reports two or more.
   */
  threadsCount?: number;
}

/** Which binary runs and with how many threads (1 unless `build` is `threaded-simd`). */
export interface BrowserWasmBackend {
  build: 'threaded-simd' | 'simd' | 'plain';
  threads: number;
}

/** The pthread pool tfjs-backend-wasm 4.22's threaded build is compiled with (Emscripten PTHREAD_POOL_SIZE). */
export const MAX_THREADS = 8;

let ready: Promise<BrowserWasmBackend> | undefined;

function defaultThreadsCount(): number {
  const cores = navigator.hardwareConcurrency || 1;
  return cores < 2 ? 1 : Math.max(2, Math.floor(cores / 2));
}

/** Runs `start` while `navigator.hardwareConcurrency` reads `cores` (an own property shadowing the getter). */
async function withLogicalCores<T>(cores: number, start: () => Promise<T>): Promise<T> {
  Object.defineProperty(navigator, 'hardwareConcurrency', { value: cores, configurable: true });
  try {
    return await start();
  } finally {
    delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

/** Makes `wasm` the active TF.js backend; idempotent (the first call's options win). */
export function initWasmBackend(options: BrowserWasmOptions): Promise<BrowserWasmBackend> {
  ready ??= (async () => {
    registerWasmGradientKernels();
    if (options.threads === false) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    const wanted = Math.min(MAX_THREADS, Math.max(1, options.threadsCount ?? defaultThreadsCount()));
    setThreadsCount(wanted);
    setWasmPaths(options.wasmPaths);
    const ok = await withLogicalCores(2 * wanted, () => tf.setBackend('wasm'));
    if (!ok || tf.getBackend() !== 'wasm') throw new Error('TF.js WASM backend failed to initialise in this browser');
    const [simd, threads] = await Promise.all([
      tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') as Promise<boolean>,
      tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') as Promise<boolean>,
    ]);
    const build = simd && threads ? 'threaded-simd' : simd ? 'simd' : 'plain';
    return { build, threads: getThreadsCount() } satisfies BrowserWasmBackend;
  })().catch((error) => {
    ready = undefined;
    throw error;
  });
  return ready;
}
