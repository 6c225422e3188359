/**
 * The viewer's private mode, in a dedicated worker: the same Grad-CAM as the service, on this device.
 * The image arrives from the page; it is decoded with the worker's own codecs (worker/image), the model's
 * files are downloaded from the service and checked against its manifest, and the document is built by
 * the service's own core (worker/service/explain-pixels.ts) on TF.js's WASM backend
 * (worker/runtime/wasm-browser.ts). Nothing about the image is sent anywhere.
 *
 * A worker rather than the page: the page's Trusted Types policy forbids the `blob:` script URLs TF.js
 * starts its threads from, and the page stays responsive while the model runs.
 */
import { decodeImage, DEFAULT_IMAGE_LIMITS, encodePreview, ImageInputError, type DecodedImage } from '../../worker/image';
import { loadModel, type LoadedModel } from '../../worker/model/load-model';
import { parseManifest, verifyModelFile, type ModelManifest } from '../../worker/model/manifest';
import { initWasmBackend, type BrowserWasmBackend } from '../../worker/runtime/wasm-browser';
import { sha256Hex } from '../../worker/crypto/sha256';
import { explainPixels, WORKING_MAX_SIDE } from '../../worker/service/explain-pixels';
import type { FromWorker, ToWorker } from './private-messages';

/** Where the build copies tfjs-backend-wasm's binaries (scripts/build-viewer.ts). */
const WASM_PATHS = '/tfjs/';

let threads = true;
let backend: { info: BrowserWasmBackend; ms: number } | undefined;
/** One model at a time: a device has less memory to spare than an isolate pool. */
let current: { key: string; model: Promise<LoadedModel> } | undefined;
/** The last explained image, kept for a preview should its user share the result. */
let lastImage: DecodedImage | undefined;

const post = (message: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(message, transfer);

class DeviceError extends Error {
  constructor(
    readonly title: string,
    detail: string,
  ) {
    super(detail);
  }
}

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) {
    const problem = (await response.json().catch(() => undefined)) as { title?: string; detail?: string } | undefined;
    throw new DeviceError(problem?.title ?? `The service answered ${response.status}`, problem?.detail ?? `GET ${url}`);
  }
  return response;
}

async function readManifest(id: string): Promise<ModelManifest> {
  return parseManifest(await (await fetchOk(`/v1/models/${encodeURIComponent(id)}`)).json());
}

/** Downloads every file of the model (immutable URLs: the browser's cache serves them the next time). */
async function downloadModel(manifest: ModelManifest, onProgress: (fraction: number) => void): Promise<LoadedModel> {
  const total = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
  let received = 0;
  const base = `/v1/models/${encodeURIComponent(manifest.id)}/files/${encodeURIComponent(manifest.version)}/`;
  const entries = await Promise.all(
    manifest.files.map(async (file) => {
      const response = await fetchOk(base + file.path.split('/').map(encodeURIComponent).join('/'));
      const chunks: Uint8Array[] = [];
      const reader = response.body!.getReader();
      for (let next = await reader.read(); !next.done; next = await reader.read()) {
        chunks.push(next.value);
        received += next.value.byteLength;
        onProgress(received / total);
      }
      const bytes = new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer());
      await verifyModelFile(manifest, file, bytes);
      return [file.path, bytes] as const;
    }),
  );
  return loadModel(manifest, new Map(entries));
}

function modelFor(manifest: ModelManifest, onProgress: (fraction: number) => void): Promise<LoadedModel> {
  const key = `${manifest.id}@${manifest.version}`;
  if (current?.key === key) return current.model;
  const previous = current;
  const model = downloadModel(manifest, onProgress);
  current = { key, model };
  model.then(
    () => previous?.model.then((old) => old.dispose(), () => undefined),
    () => {
      if (current?.model === model) current = undefined;
    },
  );
  return model;
}

async function explain(message: Extract<ToWorker, { type: 'explain' }>): Promise<void> {
  const { id } = message;
  const progress = (text: string, fraction?: number) => post({ type: 'progress', id, text, fraction });
  if (!backend) {
    progress('Starting TF.js on WebAssembly…');
    const started = performance.now();
    const info = await initWasmBackend({ wasmPaths: WASM_PATHS, threads });
    backend = { info, ms: performance.now() - started };
  }

  let started = performance.now();
  const bytes = new Uint8Array(message.image);
  const image = await decodeImage(bytes, DEFAULT_IMAGE_LIMITS, { maxSide: WORKING_MAX_SIDE }).catch((error: unknown) => {
    if (error instanceof ImageInputError) throw new DeviceError('The image could not be read', error.message);
    throw error;
  });
  const sha256 = await sha256Hex(bytes);
  const decode = performance.now() - started;

  started = performance.now();
  const manifest = await readManifest(message.model);
  const model = await modelFor(manifest, (fraction) => progress('Downloading the model…', fraction));
  const load = performance.now() - started;

  progress('Computing on this device…');
  started = performance.now();
  const document = explainPixels(model, image, sha256, { manifest, targets: { top: message.topk }, method: message.method });
  const modelTime = performance.now() - started;
  lastImage = image;
  post({
    type: 'explained',
    id,
    document: { ...document, computedOn: 'device' },
    backend: backend.info,
    timings: { backend: backend.ms, decode, load, model: modelTime },
  });
}

async function preview(id: number): Promise<void> {
  if (!lastImage) throw new DeviceError('Nothing to share', 'Explain an image on this device first.');
  const { bytes } = await encodePreview(lastImage);
  const jpeg = bytes.slice().buffer;
  post({ type: 'preview', id, jpeg }, [jpeg]);
}

self.addEventListener('message', (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === 'start') {
    threads = message.threads;
    return;
  }
  const run = message.type === 'explain' ? explain(message) : preview(message.id);
  run.catch((error: unknown) => {
    const title = error instanceof DeviceError ? error.title : 'The explanation failed on this device';
    post({ type: 'error', id: message.id, title, detail: error instanceof Error ? error.message : String(error) });
  });
});
post({ type: 'ready' });
