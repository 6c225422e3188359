/**
 * What the viewer page and its private-mode worker (private-worker.ts) say to each other. The image goes
 * from the page to the worker, both on this device; the worker fetches only the model.
 */
import type { MethodName } from '../../worker/explain/methods/method-names';
import type { BrowserWasmBackend } from '../../worker/runtime/wasm-browser';
import type { ExplanationDocument } from '../../worker/service/explanation-document';

export type { BrowserWasmBackend };

export type ToWorker =
  /** Sent once, first: which build may run. */
  | { type: 'start'; threads: boolean }
  | { type: 'explain'; id: number; image: ArrayBuffer; model: string; topk: number; method: MethodName }
  /** A JPEG preview of the last explained image (longest side 512 px), for sharing. */
  | { type: 'preview'; id: number };

/** Wall-clock milliseconds of each stage on this device. `load` includes downloading the model the first time. */
export interface DeviceTimings {
  backend: number;
  decode: number;
  load: number;
  model: number;
}

export type FromWorker =
  /** Sent once, when the worker listens: its modules compile the codecs first (top-level await). */
  | { type: 'ready' }
  | { type: 'progress'; id: number; text: string; fraction?: number }
  | { type: 'explained'; id: number; document: ExplanationDocument; backend: BrowserWasmBackend; timings: DeviceTimings }
  | { type: 'preview'; id: number; jpeg: ArrayBuffer }
  | { type: 'error'; id: number; title: string; detail: string };
