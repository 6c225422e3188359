/**
 * Stores an explanation a browser computed (the viewer's private mode) when its user chooses to share it.
 *
 * The service never saw the image, so:
 * - the id is random, not the HMAC of a cache key (service/cached-explain.ts): nothing here is a
 *   computation the service could repeat or look up, and two shares of one result are two links;
 * - the document is marked `computedOn: "device"`;
 * - `image.sha256` is replaced by the SHA-256 of the preview itself. Previews are stored per image hash
 *   (cache/explanation-store.ts), and a hash the client merely claims would let it plant a preview under
 *   another image's key; a content-addressed key cannot be planted, and the original's hash never leaves
 *   the device.
 *
 * What can be checked without the image is: the model and its version exist, the labels are the model's,
 * the maps have the sizes they claim, and the preview is a small JPEG that decodes.
 */
import type { ExplanationStore, StoredExplanation } from '../cache/explanation-store';
import { decodeImage, ImageInputError, PREVIEW_MAX_SIDE, readImageHeader } from '../image';
import type { ModelManifest } from '../model/manifest';
import { sha256Hex } from '../crypto/sha256';
import type { ExplanationDocument } from './explanation-document';

/** Largest preview accepted, in bytes: a 512 px JPEG is 30–60 KB at the preview quality. */
export const SHARED_PREVIEW_MAX_BYTES = 512 * 1024;
/** Most explained classes in one shared document (the API's `topk` maximum). */
export const SHARED_MAX_EXPLANATIONS = 10;
/** Most cells of one shared map: the resolution of a Grad-CAM layer, far below any input size. */
export const SHARED_MAX_MAP_CELLS = 256 * 256;

/** A shared document that cannot be stored; the message says why, for a 400. */
export class ShareRejectedError extends Error {
  override name = 'ShareRejectedError';
}

function base64Bytes(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}

/** Checks what can be checked without the image: the model, its labels and the maps' sizes. */
export function checkSharedDocument(document: ExplanationDocument, manifest: ModelManifest): void {
  const reject = (message: string) => {
    throw new ShareRejectedError(message);
  };
  if (document.model.version !== manifest.version) {
    reject(`computed with ${manifest.id} version ${document.model.version}; the service has version ${manifest.version}`);
  }
  if (document.explanations.length === 0 || document.explanations.length > SHARED_MAX_EXPLANATIONS) {
    reject(`a shared explanation explains 1–${SHARED_MAX_EXPLANATIONS} classes`);
  }
  if (document.predictions.length > manifest.labels.length) reject('more predictions than the model has classes');
  for (const entry of [...document.predictions, ...document.explanations]) {
    if (!Number.isInteger(entry.index) || entry.index < 0 || entry.index >= manifest.labels.length) {
      reject(`class ${entry.index} is out of range for ${manifest.id}`);
    }
    if (entry.label !== manifest.labels[entry.index]) reject(`class ${entry.index} of ${manifest.id} is not labelled "${entry.label}"`);
  }
  for (const { map, index } of document.explanations) {
    const cells = map.width * map.height;
    if (!(map.width === document.layer.width && map.height === document.layer.height)) reject(`the map of class ${index} is not the layer's size`);
    if (!Number.isInteger(cells) || cells <= 0 || cells > SHARED_MAX_MAP_CELLS) reject(`the map of class ${index} has ${cells} cells`);
    if (base64Bytes(map.data) !== cells || base64Bytes(map.raw) !== cells * 4) {
      reject(`the map of class ${index} does not hold ${map.width}×${map.height} values`);
    }
  }
}

/** Checks that `bytes` are a JPEG preview that decodes, at most PREVIEW_MAX_SIDE on its longer side. */
export async function checkSharedPreview(bytes: Uint8Array<ArrayBuffer>): Promise<void> {
  if (bytes.byteLength > SHARED_PREVIEW_MAX_BYTES) throw new ShareRejectedError(`the preview is over ${SHARED_PREVIEW_MAX_BYTES} bytes`);
  try {
    const header = readImageHeader(bytes);
    if (header.type !== 'image/jpeg') throw new ShareRejectedError(`the preview must be a JPEG, not ${header.type}`);
    if (Math.max(header.width, header.height) > PREVIEW_MAX_SIDE) {
      throw new ShareRejectedError(`the preview is ${header.width}×${header.height}; its longer side must be at most ${PREVIEW_MAX_SIDE} px`);
    }
    await decodeImage(bytes);
  } catch (error) {
    if (error instanceof ImageInputError) throw new ShareRejectedError(`the preview is not a usable JPEG: ${error.message}`);
    throw error;
  }
}

/** 128 random bits, base64url: the shape of every explanation id (cache/explanation-key.ts). */
export function randomExplanationId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/**
 * Checks and stores a shared explanation and its preview under a fresh id.
 * @returns the id, or undefined when KV refused the write.
 * @throws ShareRejectedError when the document or the preview fails a check.
 */
export async function shareExplanation(
  store: ExplanationStore,
  manifest: ModelManifest,
  document: ExplanationDocument,
  preview: Uint8Array<ArrayBuffer>,
): Promise<string | undefined> {
  checkSharedDocument(document, manifest);
  await checkSharedPreview(preview);
  const id = randomExplanationId();
  const explanation: StoredExplanation = {
    ...document,
    computedOn: 'device',
    image: { ...document.image, sha256: await sha256Hex(preview) },
    id,
  };
  const stored = await store.put(explanation, async () => ({ bytes: preview, type: 'image/jpeg' }));
  return stored ? id : undefined;
}
