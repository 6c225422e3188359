/**
 * The explain flow with the cache around it: a repeated request never recomputes, concurrent identical
 * requests share one computation, and storage failures never fail the request. A miss answers as soon as
 * the model has run: the preview and the KV writes happen in the background (`deps.background`), and the
 * isolate serves the links meanwhile (cache/recent-explanations.ts); `storage` says where that stands.
 */
import { explanationCacheKey, explanationId } from '../cache/explanation-key';
import type { Background, ExplanationStore, FoundExplanation, StoredExplanation } from '../cache/explanation-store';
import type { StorageStatus } from '../cache/recent-explanations';
import { SingleFlight } from '../cache/single-flight';
import { sha256Hex } from '../crypto/sha256';
import { encodePreview } from '../image';
import {
  explainImage,
  resolveExplainRequest,
  type ExplainDeps,
  type ExplainOptions,
  type ExplainTimings,
} from './explain-image';
import type { ExplanationDocument } from './explanation-document';

export type CacheStatus = 'hit' | 'miss' | 'off';

/**
 * Checks a request must pass before it costs anything: `hit` before a cache hit is answered, `miss` before
 * the model runs (rate limits, http/rate-limit.ts). Each throws to refuse the request.
 */
export interface ExplainGates {
  hit(): Promise<void>;
  miss(): Promise<void>;
}

const OPEN_GATES: ExplainGates = { hit: async () => undefined, miss: async () => undefined };

export interface CachedExplainDeps extends ExplainDeps {
  store: ExplanationStore;
  idSecret: string;
  /** Keeps the KV writes alive after the answer (`ctx.waitUntil`). */
  background: Background;
  gates?: ExplainGates;
}

export interface CachedExplainResult {
  document: ExplanationDocument;
  /** Present when the explanation is stored and can be linked to. */
  id?: string;
  cache: CacheStatus;
  /** `pending`: written in the background; `failed` on a later read if that write failed; `off` with store=false. */
  storage: StorageStatus | 'off';
  /** Stage times; all zero on a hit. */
  timings: ExplainTimings;
}

const NO_WORK: ExplainTimings = { decode: 0, load: 0, model: 0 };

/** A failed write is not a hit: computing again also tries storing again. */
function isHit(found: FoundExplanation | undefined): found is FoundExplanation {
  return found !== undefined && found.storage !== 'failed';
}

function hit(id: string, found: FoundExplanation): CachedExplainResult {
  const { id: _, ...document } = found.explanation;
  return { document, id, cache: 'hit', storage: found.storage, timings: NO_WORK };
}
const inFlight = new SingleFlight<CachedExplainResult>();

export async function cachedExplain(
  deps: CachedExplainDeps,
  bytes: Uint8Array<ArrayBuffer>,
  options: ExplainOptions,
  storeResult: boolean,
): Promise<CachedExplainResult> {
  const request = await resolveExplainRequest(deps, options);
  const sha256 = await sha256Hex(bytes);
  const gates = deps.gates ?? OPEN_GATES;
  if (!storeResult) {
    // Nothing about this request is kept, and nothing is looked up either.
    await gates.miss();
    const { document, timings } = await explainImage(deps, bytes, sha256, request);
    return { document, cache: 'off', storage: 'off', timings };
  }
  const id = await explanationId(deps.idSecret, await explanationCacheKey(sha256, request));
  const found = await deps.store.find(id);
  if (isHit(found)) {
    await gates.hit();
    return hit(id, found);
  }
  await gates.miss();
  return inFlight.run(id, async () => {
    // An identical request may have finished computing while this one was looking in KV.
    const justComputed = deps.store.findRecent(id);
    if (isHit(justComputed)) return hit(id, justComputed);
    const { document, image, timings } = await explainImage(deps, bytes, sha256, request);
    const explanation: StoredExplanation = { ...document, id };
    deps.store.storeInBackground(
      explanation,
      async () => {
        const preview = await encodePreview(image);
        return { bytes: preview.bytes as Uint8Array<ArrayBuffer>, type: preview.type };
      },
      deps.background,
    );
    return { document, id, cache: 'miss', storage: 'pending', timings };
  });
}
