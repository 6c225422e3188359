/**
 * How this folder's kernels reach into TF.js's `wasm` backend: its Emscripten memory, where each
 * tensor lives in it, and a new output tensor. BackendWasm's typings expose none of these; they are
 * named once, here.
 */
import type * as tf from '@tensorflow/tfjs-core';

interface WasmBackendInternals {
  wasm: { asm: { memory: WebAssembly.Memory }; HEAPF32: Float32Array };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** The backend a kernel function was handed, with what the kernels use of it. */
export class WasmBackendMemory {
  readonly #backend: WasmBackendInternals;

  constructor(backend: unknown) {
    this.#backend = backend as WasmBackendInternals;
  }

  /** The backend's heap as floats (re-read it after anything that may grow the memory). */
  get heapF32(): Float32Array {
    return this.#backend.wasm.HEAPF32;
  }

  /** Byte offset of a tensor's data in the heap. */
  offset(t: tf.TensorInfo): number {
    return this.#backend.dataIdMap.get(t.dataId)!.memoryOffset;
  }

  /** A new float32 tensor of `shape` in the heap, for the kernel to fill. */
  output(shape: number[]): tf.TensorInfo {
    return this.#backend.makeOutput(shape, 'float32');
  }

  /** Export `name` of `module`, instantiated over the backend's memory. */
  instantiate<T>(module: WebAssembly.Module, name: string): T {
    return new WebAssembly.Instance(module, { env: { memory: this.#backend.wasm.asm.memory } }).exports[name] as T;
  }
}
