/**
 * Explanations and image previews in Workers KV. Keys:
 *   explanation:<id>    the explanation document (JSON), a few KB
 *   preview:<sha256>    the image's preview (JPEG, longest side ≤ 512 px), once per image
 * Both expire after the configured TTL. KV is a cache here, never a dependency: every failure is logged
 * and reported to the caller as "not found" / "not stored", so an explanation is still answered.
 * Reads look at this isolate's recent writes first (cache/recent-explanations.ts): what `storeInBackground`
 * was given is readable at once, while KV is still being written.
 */
import { RecentExplanations } from './recent-explanations';
import type { StorageStatus, StoredExplanation, StoredPreview } from './stored-explanation';

export type { StorageStatus, StoredExplanation, StoredPreview } from './stored-explanation';

interface PreviewMetadata {
  type: string;
  /** Epoch ms after which KV drops the preview. */
  expiresAt: number;
}

/** KV refuses expirations closer than 60 s (Cloudflare KV limits). */
export const MIN_TTL_SECONDS = 60;

export type StoreLog = (message: string, error: unknown) => void;

/** An explanation as read, and where its storage stands (`stored` for anything read from KV). */
export interface FoundExplanation {
  explanation: StoredExplanation;
  storage: StorageStatus;
}

/** Keeps work alive after the response is sent (`ExecutionContext.waitUntil`). */
export type Background = (work: Promise<unknown>) => void;

export class ExplanationStore {
  constructor(
    private readonly kv: KVNamespace,
    private readonly ttlSeconds: number,
    private readonly recent: RecentExplanations = new RecentExplanations(),
    private readonly log: StoreLog = (message, error) => console.error(message, error),
  ) {}

  async get(id: string): Promise<StoredExplanation | undefined> {
    return (await this.find(id))?.explanation;
  }

  /** The explanation with its storage status: this isolate's recent writes first, then KV. */
  async find(id: string): Promise<FoundExplanation | undefined> {
    const recent = this.findRecent(id);
    if (recent) return recent;
    const explanation = await this.#read(id);
    return explanation && { explanation, storage: 'stored' };
  }

  /** Only this isolate's recent writes: no KV read. */
  findRecent(id: string): FoundExplanation | undefined {
    const recent = this.recent.get(id);
    return recent && { explanation: recent.explanation, storage: recent.storage };
  }

  async #read(id: string): Promise<StoredExplanation | undefined> {
    try {
      return (await this.kv.get<StoredExplanation>(`explanation:${id}`, 'json')) ?? undefined;
    } catch (error) {
      this.log(`KV read of explanation ${id} failed`, error);
      return undefined;
    }
  }

  async getPreview(sha256: string): Promise<StoredPreview | undefined> {
    const recent = await this.recent.getPreview(sha256);
    if (recent) return recent;
    try {
      const { value, metadata } = await this.kv.getWithMetadata<PreviewMetadata>(`preview:${sha256}`, 'arrayBuffer');
      return value ? { bytes: new Uint8Array(value), type: metadata?.type ?? 'image/jpeg' } : undefined;
    } catch (error) {
      this.log(`KV read of preview ${sha256} failed`, error);
      return undefined;
    }
  }

  /**
   * Stores an explanation and, unless a preview of the image will outlive it, the image's preview
   * (`makePreview` is called only then, so most repeat images cost no encode and no write).
   * Returns whether both are stored.
   */
  async put(explanation: StoredExplanation, makePreview: () => Promise<StoredPreview>): Promise<boolean> {
    const ttl = Math.max(MIN_TTL_SECONDS, this.ttlSeconds);
    const expiresAt = Date.now() + ttl * 1000;
    const previewKey = `preview:${explanation.image.sha256}`;
    try {
      const existing = await this.kv.getWithMetadata<PreviewMetadata>(previewKey, 'stream');
      await existing.value?.cancel();
      // Rewrite only when the stored preview would expire well before this explanation: at most one
      // write per image per half TTL, far from KV's one-write-per-second-per-key limit.
      if (!existing.metadata || existing.metadata.expiresAt < expiresAt - (ttl * 1000) / 2) {
        const preview = await makePreview();
        const metadata: PreviewMetadata = { type: preview.type, expiresAt };
        await this.kv.put(previewKey, preview.bytes, { expirationTtl: ttl, metadata });
      }
      // The document last: a stored explanation always has its preview.
      await this.kv.put(`explanation:${explanation.id}`, JSON.stringify(explanation), { expirationTtl: ttl });
      return true;
    } catch (error) {
      this.log(`KV write of explanation ${explanation.id} failed`, error);
      return false;
    }
  }

  /**
   * Answers now, stores later: the explanation is readable from this isolate at once, its preview is
   * encoded and both are written to KV in `background`; `find` then reports `stored` or `failed`.
   */
  storeInBackground(explanation: StoredExplanation, makePreview: () => Promise<StoredPreview>, background: Background): void {
    // After a turn of the event loop: started now, the preview's resize and WASM encode would run in the
    // microtasks ahead of the handler's answer, and the answer would wait for them after all.
    const preview = new Promise((resolve) => setTimeout(resolve, 0)).then(makePreview);
    const readablePreview = preview.catch((error: unknown) => {
      this.log(`encoding the preview of explanation ${explanation.id} failed`, error);
      return undefined;
    });
    this.recent.add(explanation, readablePreview);
    background(
      this.put(explanation, () => preview).then((stored) => this.recent.settle(explanation.id, stored ? 'stored' : 'failed')),
    );
  }
}
