/**
 * Responses for an explanation id never change (the id covers the image, the model and every option), so
 * they are cached for a year by anyone (RFC 8246 `immutable`) and revalidated by a strong ETag that is
 * derived from the id and the rendering options: a 304 costs no KV read and no rendering.
 */
import type { Context } from 'hono';

export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** A strong ETag (RFC 9110 §8.8.3) from the parts that determine the response. */
export function strongEtag(...parts: (string | number)[]): string {
  return `"${parts.join('.')}"`;
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => tag.trim() === etag);
}

/** 304 when the client already has `etag`; otherwise undefined, and the caller answers in full. */
export function notModified(c: Context, etag: string): Response | undefined {
  if (!matches(c.req.header('if-none-match'), etag)) return undefined;
  return new Response(null, { status: 304, headers: { etag, 'cache-control': IMMUTABLE_CACHE_CONTROL } });
}

export function immutableHeaders(etag: string, contentType: string): Record<string, string> {
  return { etag, 'cache-control': IMMUTABLE_CACHE_CONTROL, 'content-type': contentType };
}
