/**
 * The explain flow with the cache around it: a repeated request never recomputes, concurrent identical
 * requests share one computation, and storage failures never fail the request.
 */
import { explanationCacheKey, explanationId } from '../cache/explanation-key';
import type { ExplanationStore, StoredExplanation } from '../cache/explanation-store';
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

export interface CachedExplainDeps extends ExplainDeps {
  store: ExplanationStore;
  idSecret: string;
}

export interface CachedExplainResult {
  document: ExplanationDocument;
  /** Present when the explanation is stored and can be linked to. */
  id?: string;
  cache: CacheStatus;
  stored: boolean;
  /** Stage times; all zero on a hit. */
  timings: ExplainTimings;
}

const NO_WORK: ExplainTimings = { decode: 0, load: 0, model: 0 };
const inFlight = new SingleFlight<CachedExplainResult>();

export async function cachedExplain(
  deps: CachedExplainDeps,
  bytes: Uint8Array<ArrayBuffer>,
  options: ExplainOptions,
  storeResult: boolean,
): Promise<CachedExplainResult> {
  const request = await resolveExplainRequest(deps, options);
  const sha256 = await sha256Hex(bytes);
  if (!storeResult) {
    // Nothing about this request is kept, and nothing is looked up either.
    const { document, timings } = await explainImage(deps, bytes, sha256, request);
    return { document, cache: 'off', stored: false, timings };
  }
  const id = await explanationId(deps.idSecret, await explanationCacheKey(sha256, request));
  return inFlight.run(id, async () => {
    const cached = await deps.store.get(id);
    if (cached) {
      const { id: _, ...document } = cached;
      return { document, id, cache: 'hit', stored: true, timings: NO_WORK };
    }
    const { document, image, timings } = await explainImage(deps, bytes, sha256, request);
    const explanation: StoredExplanation = { ...document, id };
    const stored = await deps.store.put(explanation, async () => {
      const preview = await encodePreview(image);
      return { bytes: preview.bytes as Uint8Array<ArrayBuffer>, type: preview.type };
    });
    return { document, id: stored ? id : undefined, cache: 'miss', stored, timings };
  });
}
