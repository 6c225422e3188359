/**
 * Wires the explain service to this isolate: models from the MODELS KV namespace, loaded once per
 * isolate into a shared registry, on the WASM backend started for workerd.
 */
import type { Env } from '../env';
import type { ImageLimits } from '../image';
import { loadModel, type LoadedModel } from '../model/load-model';
import type { ModelManifest } from '../model/manifest';
import { ModelRegistry } from '../model/model-registry';
import { readManifest, readModelFiles } from '../model/model-store';
import { initWasmBackend } from '../runtime/wasm-workerd';
import type { ExplainDeps } from './explain-image';

/** Defaults of the upload limits (issue: 10 MB, 40 megapixels); `wrangler.toml` may override them. */
export const DEFAULT_MAX_IMAGE_BYTES = 10_000_000;
export const DEFAULT_MAX_IMAGE_PIXELS = 40_000_000;

const registry = new ModelRegistry();

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export function imageLimits(env: Env): ImageLimits {
  return {
    maxBytes: positiveInt(env.MAX_IMAGE_BYTES, DEFAULT_MAX_IMAGE_BYTES),
    maxPixels: positiveInt(env.MAX_IMAGE_PIXELS, DEFAULT_MAX_IMAGE_PIXELS),
  };
}

async function loadFromKv(kv: KVNamespace, manifest: ModelManifest): Promise<LoadedModel> {
  await initWasmBackend();
  return loadModel(manifest, await readModelFiles(kv, manifest));
}

export function explainDeps(env: Env): ExplainDeps {
  return {
    limits: imageLimits(env),
    manifest: (id) => readManifest(env.MODELS, id),
    load: (manifest) => registry.get(manifest, () => loadFromKv(env.MODELS, manifest)),
  };
}
