/**
 * Starts TF.js's WASM backend in Node (scripts, eval, benchmarks): the package's own initialisation works
 * there, reading the `.wasm` files from node_modules. SIMD is used when Node supports it (it does since
 * Node 16); threads are not available to TF.js in Node.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { registerDepthwiseConv2dFusedKernel } from './kernels/depthwise-conv-kernel';
import { registerPointwiseConv2dKernel } from './kernels/pointwise-conv-kernel';
import { registerSwishKernel } from './kernels/swish-kernel';
import { registerWasmGradientKernels } from './wasm-gradient-kernels';
import '@tensorflow/tfjs-backend-wasm';

let ready: Promise<void> | undefined;

/** Makes `wasm` the active TF.js backend; idempotent. */
export function initWasmBackend(): Promise<void> {
  ready ??= (async () => {
    registerWasmGradientKernels();
    const kernelBytes = (file: string) => readFileSync(new URL(`./kernels/${file}`, import.meta.url));
    const kernelModule = (file: string) => new WebAssembly.Module(kernelBytes(file));
    registerSwishKernel(kernelModule('swish.wasm'));
    registerDepthwiseConv2dFusedKernel(kernelModule('depthwise-conv.wasm'));
    // The fused multiply-add build needs relaxed SIMD, which Node 20 has only behind a flag.
    const fma = kernelBytes('pointwise-conv-fma.wasm');
    registerPointwiseConv2dKernel(WebAssembly.validate(fma) ? new WebAssembly.Module(fma) : kernelModule('pointwise-conv.wasm'));
    const ok = await tf.setBackend('wasm');
    if (!ok || tf.getBackend() !== 'wasm') throw new Error('TF.js WASM backend failed to initialise in Node');
  })().catch((error) => {
    ready = undefined;
    throw error;
  });
  return ready;
}
