/**
 * The page's side of private mode ("compute on this device"): starts the worker that runs the model
 * (private-worker.ts), hands it images, and shares a result only when asked to. The worker is created
 * through the one Trusted Types policy the viewer's CSP allows (worker/http/routes/pages.ts), which
 * accepts this one URL and nothing else.
 *
 * @example
 *   const device = new PrivateMode({ threads: true });
 *   const { document, backend, timings } = await device.explain(file, 'tiny-darknet', 3, showProgress);
 *   const shared = await device.share(document);   // only on the user's explicit request
 */
import type { MethodName } from '../../worker/explain/methods/method-names';
import type { ExplanationLinks } from '../../worker/http/links';
import { PRIVATE_WORKER_PATH, PRIVATE_WORKER_POLICY } from '../../worker/http/routes/pages';
import type { ExplanationDocument } from '../../worker/service/explanation-document';
import { ApiError } from './api';
import type { BrowserWasmBackend, DeviceTimings, FromWorker, ToWorker } from './private-messages';

export type { BrowserWasmBackend, DeviceTimings };

export interface PrivateModeOptions {
  /** False: TF.js's SIMD build alone, even where threads are possible. */
  threads: boolean;
}

export interface DeviceExplanation {
  document: ExplanationDocument;
  backend: BrowserWasmBackend;
  timings: DeviceTimings;
}

export interface SharedExplanation {
  id: string;
  links: ExplanationLinks;
}

export type DeviceProgress = (text: string, fraction?: number) => void;

interface TrustedTypesWindow {
  trustedTypes?: { createPolicy(name: string, rules: { createScriptURL(url: string): string }): { createScriptURL(url: string): unknown } };
}

/** The worker's URL, as a TrustedScriptURL where the browser enforces Trusted Types. */
function workerUrl(): string {
  const factory = (window as TrustedTypesWindow).trustedTypes;
  if (!factory) return PRIVATE_WORKER_PATH;
  const policy = factory.createPolicy(PRIVATE_WORKER_POLICY, {
    createScriptURL(url) {
      if (url !== PRIVATE_WORKER_PATH) throw new TypeError(`${PRIVATE_WORKER_POLICY} creates ${PRIVATE_WORKER_PATH} only, not ${url}`);
      return url;
    },
  });
  return policy.createScriptURL(PRIVATE_WORKER_PATH) as string;
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Whether this page may use threads: SharedArrayBuffer needs cross-origin isolation. */
export function threadsAllowed(): boolean {
  return globalThis.crossOriginIsolated === true;
}

/** Words for a backend, for the page: "WebAssembly SIMD with 4 threads". */
export function describeBackend(backend: BrowserWasmBackend): string {
  if (backend.build === 'threaded-simd') return `WebAssembly SIMD with ${backend.threads} ${backend.threads === 1 ? 'thread' : 'threads'}`;
  return backend.build === 'simd' ? 'WebAssembly SIMD, one thread' : 'WebAssembly, one thread (no SIMD in this browser)';
}

export class PrivateMode {
  /** The worker, once it listens. */
  #worker: Promise<Worker> | undefined;
  #serial = 0;
  readonly #pending = new Map<number, { resolve(message: FromWorker): void; reject(error: ApiError): void; progress?: DeviceProgress }>();

  constructor(readonly options: PrivateModeOptions) {}

  #start(): Promise<Worker> {
    if (this.#worker) return this.#worker;
    const worker = new Worker(workerUrl(), { type: 'module', name: 'private-mode' });
    let listening: () => void;
    let failed: (error: ApiError) => void;
    this.#worker = new Promise<Worker>((resolve, reject) => {
      listening = () => resolve(worker);
      failed = reject;
    });
    worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if (message.type === 'ready') {
        worker.postMessage({ type: 'start', threads: this.options.threads } satisfies ToWorker);
        return listening();
      }
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      if (message.type === 'progress') return pending.progress?.(message.text, message.fraction);
      this.#pending.delete(message.id);
      if (message.type === 'error') pending.reject(new ApiError(message.title, message.detail));
      else pending.resolve(message);
    });
    worker.addEventListener('error', (event) => {
      const error = new ApiError('Private mode could not start', event.message || 'the worker failed to load');
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
      failed(error);
      this.#worker = undefined;
    });
    return this.#worker;
  }

  async #ask(message: ToWorker & { id: number }, transfer: Transferable[] = [], progress?: DeviceProgress): Promise<FromWorker> {
    const worker = await this.#start();
    return new Promise((resolve, reject) => {
      this.#pending.set(message.id, { resolve, reject, progress });
      worker.postMessage(message, transfer);
    });
  }

  /** Explains `image` with `model` on this device. The image goes to this page's worker, nowhere else. */
  async explain(image: Blob, model: string, topk: number, method: MethodName, progress?: DeviceProgress): Promise<DeviceExplanation> {
    const bytes = await image.arrayBuffer();
    const answer = await this.#ask({ type: 'explain', id: ++this.#serial, image: bytes, model, topk, method }, [bytes], progress);
    if (answer.type !== 'explained') throw new ApiError('Private mode failed', `unexpected answer ${answer.type}`);
    return { document: answer.document, backend: answer.backend, timings: answer.timings };
  }

  /**
   * Uploads `document` and a 512 px JPEG preview of the last explained image (never the image itself)
   * to the service (POST /v1/explanations), which stores them under a fresh id: the explicit "share" of
   * a private result.
   */
  async share(document: ExplanationDocument): Promise<SharedExplanation> {
    const answer = await this.#ask({ type: 'preview', id: ++this.#serial });
    if (answer.type !== 'preview') throw new ApiError('Private mode failed', `unexpected answer ${answer.type}`);
    const body = JSON.stringify({ document, preview: base64(new Uint8Array(answer.jpeg)) });
    let response: Response;
    try {
      response = await fetch('/v1/explanations', { method: 'POST', body, headers: { 'content-type': 'application/json', accept: 'application/json' } });
    } catch {
      throw new ApiError('The service could not be reached', 'Check the connection and try again.');
    }
    const answered = (await response.json().catch(() => ({}))) as Partial<SharedExplanation & { title: string; detail: string }>;
    if (!response.ok || !answered.id || !answered.links) {
      throw new ApiError(answered.title ?? `The service answered ${response.status}`, answered.detail ?? '', response.status);
    }
    return { id: answered.id, links: answered.links };
  }
}
