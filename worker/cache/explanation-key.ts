/**
 * What identifies an explanation. The cache key is a canonical JSON array of everything that changes the
 * result:
 *
 *   ["gradcam-edge/explanation", SCHEMA_VERSION,
 *    <SHA-256 of the image bytes>,
 *    <model id>, <model version>, <SHA-256 of the model's whole manifest>,
 *    <method>, <layer name, or "manifest:" + the manifest's layer>,
 *    "top", k  |  "classes", [sorted label indices]]
 *
 * The manifest digest makes any change to the model (files, labels, preprocessing, layer) a new key even
 * where the version was not bumped. The public id is HMAC-SHA256(secret, key), base64url, first 128 bits:
 * without the secret nobody can compute the id of an image and so learn whether it was ever explained.
 */
import type { ResolvedExplainRequest } from '../service/explain-image';
import { sha256Hex } from '../crypto/sha256';

/** Bump when the stored document's shape or the method's numerics change: old entries then stop matching. */
export const CACHE_SCHEMA_VERSION = 1;
/** 128 bits of HMAC, base64url: 22 characters. */
export const EXPLANATION_ID = /^[A-Za-z0-9_-]{22}$/;
/** Used when no EXPLANATION_ID_SECRET is configured (local development and tests only). */
export const DEVELOPMENT_ID_SECRET = 'gradcam-edge development secret: set EXPLANATION_ID_SECRET in production';

const encoder = new TextEncoder();


function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export async function explanationCacheKey(imageSha256: string, request: ResolvedExplainRequest): Promise<string> {
  const { manifest } = request;
  const targets = 'top' in request.targets ? ['top', request.targets.top] : ['classes', request.targets.classes];
  return JSON.stringify([
    'gradcam-edge/explanation',
    CACHE_SCHEMA_VERSION,
    imageSha256,
    manifest.id,
    manifest.version,
    await sha256Hex(JSON.stringify(manifest)),
    request.method,
    request.layer ?? `manifest:${manifest.gradcamLayer}`,
    ...targets,
  ]);
}

/** The public id of a cache key: HMAC-SHA256 under `secret`, base64url, 22 characters. */
export async function explanationId(secret: string, cacheKey: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(cacheKey)));
  return base64url(mac.slice(0, 16));
}
