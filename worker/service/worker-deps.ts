/**
 * Wires the explain service to this isolate: models from the MODELS KV namespace, loaded once per
 * isolate into a shared registry, on the WASM backend started for workerd.
 */
import { DEVELOPMENT_ID_SECRET } from '../cache/explanation-key';
import { ExplanationStore, type Background } from '../cache/explanation-store';
import { RecentExplanations } from '../cache/recent-explanations';
import type { Env } from '../env';
import { DEFAULT_IMAGE_LIMITS, readImageHeader, type ImageLimits } from '../image';
import { loadModel, type LoadedModel } from '../model/load-model';
import type { ModelManifest } from '../model/manifest';
import { ModelRegistry } from '../model/model-registry';
import { readManifest, readModelFiles } from '../model/model-store';
import { initWasmBackend } from '../runtime/wasm-workerd';
import { Admission, decodeCostBytes, EXPLAIN_OVERHEAD_BYTES, maxAdmissiblePixels } from './admission';
import type { CachedExplainDeps } from './cached-explain';

/** Default lifetime of stored explanations: 30 days. */
export const DEFAULT_EXPLANATION_TTL_SECONDS = 30 * 24 * 3600;

const registry = new ModelRegistry();
/** Misses in flight in this isolate, by the bytes their decodes hold. */
const admission = new Admission();
/** What this isolate just computed, readable while (and shortly after) KV is written in the background. */
const recentExplanations = new RecentExplanations();

/**
 * Every explanation, cache hits included, needs its model's manifest. Reading it from KV at most once per
 * MANIFEST_TTL_MS per isolate takes a KV read and a validation off each request (a third of a cache hit's
 * time under load). A new model version reaches requests up to 10 s later; KV itself takes up to 60 s to
 * show a change everywhere.
 */
const MANIFEST_TTL_MS = 10_000;
const MAX_CACHED_MANIFESTS = 64;
const manifests = new Map<string, { readAt: number; manifest: Promise<ModelManifest | undefined> }>();

function cachedManifest(kv: KVNamespace, id: string): Promise<ModelManifest | undefined> {
  const now = Date.now();
  const cached = manifests.get(id);
  if (cached && now - cached.readAt < MANIFEST_TTL_MS) return cached.manifest;
  if (manifests.size >= MAX_CACHED_MANIFESTS) manifests.clear();
  const manifest = readManifest(kv, id);
  manifests.set(id, { readAt: now, manifest });
  // Unknown ids and failed reads are not remembered: a model stored a moment later is found at once.
  manifest.then(
    (found) => found ?? manifests.delete(id),
    () => manifests.delete(id),
  );
  return manifest;
}

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export function imageLimits(env: Env): ImageLimits {
  return {
    maxBytes: positiveInt(env.MAX_IMAGE_BYTES, DEFAULT_IMAGE_LIMITS.maxBytes),
    // Never more than one isolate can admit: a larger image could never be decoded.
    maxPixels: Math.min(positiveInt(env.MAX_IMAGE_PIXELS, DEFAULT_IMAGE_LIMITS.maxPixels), maxAdmissiblePixels(admission.options)),
  };
}

async function loadFromKv(kv: KVNamespace, manifest: ModelManifest): Promise<LoadedModel> {
  await initWasmBackend();
  return loadModel(manifest, await readModelFiles(kv, manifest));
}

/** What this isolate holds besides TF.js (GET /v1/diagnostics). */
export function isolateState() {
  return { recentExplanations: recentExplanations.size, admission: admission.state, loadedModels: registry.size };
}

/** What a miss reserves: from the declared size; an unreadable header is refused by the decoder at once. */
function admissionCost(bytes: Uint8Array): number {
  try {
    const { width, height } = readImageHeader(bytes);
    return decodeCostBytes(width, height);
  } catch {
    return EXPLAIN_OVERHEAD_BYTES;
  }
}

export function explanationStore(env: Env): ExplanationStore {
  const ttl = positiveInt(env.EXPLANATION_TTL_SECONDS, DEFAULT_EXPLANATION_TTL_SECONDS);
  return new ExplanationStore(env.EXPLANATIONS, ttl, recentExplanations);
}

/** `background` keeps the KV writes alive after the answer: pass `ctx.waitUntil`. */
export function explainDeps(env: Env, background: Background): CachedExplainDeps {
  return {
    background,
    admit: (bytes, work) => admission.run(admissionCost(bytes), work),
    limits: imageLimits(env),
    manifest: (id) => cachedManifest(env.MODELS, id),
    load: (manifest) => registry.get(manifest, () => loadFromKv(env.MODELS, manifest)),
    store: explanationStore(env),
    idSecret: env.EXPLANATION_ID_SECRET || DEVELOPMENT_ID_SECRET,
  };
}
