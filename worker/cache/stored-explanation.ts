/** What the explanation store keeps and says about it: the types both the KV store and the isolate's recent writes share. */
import type { ExplanationDocument } from '../service/explanation-document';

export interface StoredExplanation extends ExplanationDocument {
  id: string;
}

export interface StoredPreview {
  bytes: Uint8Array<ArrayBuffer>;
  type: string;
}

/** Where a recent explanation's KV write stands. */
export type StorageStatus = 'pending' | 'stored' | 'failed';
