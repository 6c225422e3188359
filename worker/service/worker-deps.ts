/**
 * Wires the explain service to this isolate: models from the MODELS KV namespace, loaded once per
 * isolate into a shared registry, on the WASM backend started for workerd.
 */
import { DEVELOPMENT_ID_SECRET } from '../cache/explanation-key';
import { ExplanationStore } from '../cache/explanation-store';
import type { Env } from '../env';
import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from '../image';
import { loadModel, type LoadedModel } from '../model/load-model';
import type { ModelManifest } from '../model/manifest';
import { ModelRegistry } from '../model/model-registry';
import { readManifest, readModelFiles } from '../model/model-store';
import { initWasmBackend } from '../runtime/wasm-workerd';
import type { CachedExplainDeps } from './cached-explain';

/** Default lifetime of stored explanations: 30 days. */
export const DEFAULT_EXPLANATION_TTL_SECONDS = 30 * 24 * 3600;

const registry = new ModelRegistry();

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export function imageLimits(env: Env): ImageLimits {
  return {
    maxBytes: positiveInt(env.MAX_IMAGE_BYTES, DEFAULT_IMAGE_LIMITS.maxBytes),
    maxPixels: positiveInt(env.MAX_IMAGE_PIXELS, DEFAULT_IMAGE_LIMITS.maxPixels),
  };
}

async function loadFromKv(kv: KVNamespace, manifest: ModelManifest): Promise<LoadedModel> {
  await initWasmBackend();
  return loadModel(manifest, await readModelFiles(kv, manifest));
}

export function explanationStore(env: Env): ExplanationStore {
  return new ExplanationStore(env.EXPLANATIONS, positiveInt(env.EXPLANATION_TTL_SECONDS, DEFAULT_EXPLANATION_TTL_SECONDS));
}

export function explainDeps(env: Env): CachedExplainDeps {
  return {
    limits: imageLimits(env),
    manifest: (id) => readManifest(env.MODELS, id),
    load: (manifest) => registry.get(manifest, () => loadFromKv(env.MODELS, manifest)),
    store: explanationStore(env),
    idSecret: env.EXPLANATION_ID_SECRET || DEVELOPMENT_ID_SECRET,
  };
}
