/**
 * Starts TF.js's WASM backend (SIMD build) inside workerd.
 *
 * workerd refuses to compile WebAssembly from bytes, so the package's own `init()` (which fetches and
 * compiles the `.wasm`) aborts there. A `WebAssembly.Module` imported through wrangler's CompiledWasm rule
 * may be instantiated, so we hand the package's Emscripten glue an `instantiateWasm` hook that does
 * exactly that, then wire the same exports `backend_wasm.js`'s `init()` wires. Nothing else in the
 * worker knows how the backend was started.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerDepthwiseConv2dFusedKernel } from './kernels/depthwise-conv-kernel';
import depthwiseConvWasm from './kernels/depthwise-conv.wasm';
import { registerPointwiseConv2dKernel } from './kernels/pointwise-conv-kernel';
// workerd's V8 has relaxed SIMD (since 11.4): the fused multiply-add build.
import pointwiseConvWasm from './kernels/pointwise-conv-fma.wasm';
import { registerSwishKernel } from './kernels/swish-kernel';
import swishWasm from './kernels/swish.wasm';
import { registerWasmGradientKernels } from './wasm-gradient-kernels';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import createWasmBackendModule from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js';
import simdWasm from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm';

const BACKEND = 'wasm';

type EmscriptenImports = WebAssembly.Imports;
type ReceiveInstance = (instance: WebAssembly.Instance, module: WebAssembly.Module) => void;

async function instantiateBackend(): Promise<BackendWasm> {
  // The glue's types describe the finished backend module, not the raw Emscripten one we wire here.
  const module: any = await (createWasmBackendModule as unknown as (config: object) => Promise<unknown>)({
    instantiateWasm(imports: EmscriptenImports, receive: ReceiveInstance) {
      WebAssembly.instantiate(simdWasm, imports).then((instance) => receive(instance, simdWasm));
      return {};
    },
  });
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return new BackendWasm(module);
}

let ready: Promise<void> | undefined;

/** Makes `wasm` (SIMD, one thread) the active TF.js backend; idempotent and safe to call concurrently. */
export function initWasmBackend(): Promise<void> {
  ready ??= (async () => {
    registerWasmGradientKernels();
    registerSwishKernel(swishWasm);
    registerDepthwiseConv2dFusedKernel(depthwiseConvWasm);
    registerPointwiseConv2dKernel(pointwiseConvWasm);
    tf.removeBackend(BACKEND);
    tf.registerBackend(BACKEND, instantiateBackend, 3);
    const ok = await tf.setBackend(BACKEND);
    if (!ok || tf.getBackend() !== BACKEND) {
      throw new Error('TF.js WASM backend failed to initialise in workerd');
    }
  })().catch((error) => {
    ready = undefined;
    throw error;
  });
  return ready;
}
