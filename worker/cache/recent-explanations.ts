/**
 * Explanations this isolate has just computed, kept in memory while their KV writes run in the background
 * (`ctx.waitUntil`) and for a while after: KV is eventually consistent (a write can take up to 60 s to be
 * visible everywhere, Cloudflare KV docs), so the links in a miss's answer are served from here until KV has
 * them. Each entry remembers how its write went, so a later read can say so honestly.
 *
 * Bounded by entries and by bytes (documents and previews), oldest dropped first, and by age.
 *
 * Example: `recent.add(explanation, previewPromise); recent.settle(id, 'stored'); recent.get(id)?.storage`
 */
import type { StorageStatus, StoredExplanation, StoredPreview } from './stored-explanation';

export type { StorageStatus } from './stored-explanation';

export interface RecentExplanation {
  explanation: StoredExplanation;
  /** Settles once the preview is encoded; undefined if encoding failed. */
  preview: Promise<StoredPreview | undefined>;
  storage: StorageStatus;
}

export interface RecentExplanationsOptions {
  maxEntries: number;
  maxBytes: number;
  /** How long an entry is served after it was added: beyond KV's 60 s propagation. */
  maxAgeMs: number;
}

export const DEFAULT_RECENT_OPTIONS: RecentExplanationsOptions = { maxEntries: 256, maxBytes: 16 * 1024 * 1024, maxAgeMs: 120_000 };

/** How long a reader waits for a just-computed preview before trying KV (getPreview). */
export const PREVIEW_WAIT_MS = 5_000;

/** A preview's size before it is encoded: the 512 px JPEG's usual upper bound. */
const PREVIEW_ESTIMATE_BYTES = 64 * 1024;

/** The maps dominate a document's size; the rest is a few KB. Counting them avoids a JSON.stringify on the answer's path. */
function estimatedBytes(explanation: StoredExplanation): number {
  const maps = explanation.explanations.reduce((sum, e) => sum + e.map.data.length + e.map.raw.length, 0);
  return maps + 4096 + PREVIEW_ESTIMATE_BYTES;
}

interface Entry extends RecentExplanation {
  addedAt: number;
  bytes: number;
}

export class RecentExplanations {
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;

  constructor(private readonly options: RecentExplanationsOptions = DEFAULT_RECENT_OPTIONS) {}

  /** Remembers a just-computed explanation whose write is pending. */
  add(explanation: StoredExplanation, preview: Promise<StoredPreview | undefined>): void {
    this.#delete(explanation.id);
    const entry: Entry = { explanation, preview, storage: 'pending', addedAt: Date.now(), bytes: estimatedBytes(explanation) };
    this.#entries.set(explanation.id, entry);
    this.#bytes += entry.bytes;
    this.#evict();
  }

  /** Records how the write of `id` went. */
  settle(id: string, storage: Exclude<StorageStatus, 'pending'>): void {
    const entry = this.#entries.get(id);
    if (entry) entry.storage = storage;
  }

  get(id: string): RecentExplanation | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (Date.now() - entry.addedAt > this.options.maxAgeMs) {
      this.#delete(id);
      return undefined;
    }
    return entry;
  }

  /**
   * The preview of a recent explanation of the image with this SHA-256, if any, waiting for the encodings
   * at most PREVIEW_WAIT_MS in all (not per explanation: one image explained with many options has many
   * entries): the encoding belongs to the request that computed it, and workerd never settles a promise
   * of a request it has cancelled, so a reader must not wait on it without a bound.
   */
  async getPreview(sha256: string): Promise<StoredPreview | undefined> {
    const candidates = [...this.#entries].filter(([id, entry]) => entry.explanation.image.sha256 === sha256 && this.get(id));
    if (candidates.length === 0) return undefined;
    const settled = new Set<string>();
    const previews = candidates.map(([id, entry]) =>
      entry.preview.then((preview) => {
        settled.add(id);
        return preview ?? Promise.reject(new Error('no preview'));
      }),
    );
    let stopTimer = () => {};
    const timeout = new Promise<undefined>((resolve) => {
      const timer = setTimeout(resolve, PREVIEW_WAIT_MS);
      stopTimer = () => clearTimeout(timer);
    });
    const preview = await Promise.race([Promise.any(previews).catch(() => undefined), timeout]);
    stopTimer();
    if (preview) return preview;
    for (const [id, entry] of candidates) {
      if (settled.has(id)) continue;
      // Never again: the next reader goes to KV at once.
      console.warn(`the preview of explanation ${id} was not ready within ${PREVIEW_WAIT_MS} ms; reading KV instead`);
      entry.preview = Promise.resolve(undefined);
    }
    return undefined;
  }

  get size(): number {
    return this.#entries.size;
  }

  #delete(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#entries.delete(id);
    this.#bytes -= entry.bytes;
  }

  #evict(): void {
    // A Map iterates in insertion order: the first key is the oldest entry.
    for (const id of this.#entries.keys()) {
      if (this.#entries.size <= this.options.maxEntries && this.#bytes <= this.options.maxBytes) break;
      this.#delete(id);
    }
  }
}
