/**
 * Explanations and image previews in Workers KV. Keys:
 *   explanation:<id>    the explanation document (JSON), a few KB
 *   preview:<sha256>    the image's preview (JPEG, longest side ≤ 512 px), once per image
 * Both expire after the configured TTL. KV is a cache here, never a dependency: every failure is logged
 * and reported to the caller as "not found" / "not stored", so an explanation is still answered.
 */
import type { ExplanationDocument } from '../service/explanation-document';

export interface StoredExplanation extends ExplanationDocument {
  id: string;
}

export interface StoredPreview {
  bytes: Uint8Array<ArrayBuffer>;
  type: string;
}

interface PreviewMetadata {
  type: string;
  /** Epoch ms after which KV drops the preview. */
  expiresAt: number;
}

/** KV refuses expirations closer than 60 s (Cloudflare KV limits). */
export const MIN_TTL_SECONDS = 60;

export type StoreLog = (message: string, error: unknown) => void;

export class ExplanationStore {
  constructor(
    private readonly kv: KVNamespace,
    private readonly ttlSeconds: number,
    private readonly log: StoreLog = (message, error) => console.error(message, error),
  ) {}

  async get(id: string): Promise<StoredExplanation | undefined> {
    try {
      return (await this.kv.get<StoredExplanation>(`explanation:${id}`, 'json')) ?? undefined;
    } catch (error) {
      this.log(`KV read of explanation ${id} failed`, error);
      return undefined;
    }
  }

  async getPreview(sha256: string): Promise<StoredPreview | undefined> {
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
}
