/**
 * Parses the structured-field lists of the IETF RateLimit headers (draft-ietf-httpapi-ratelimit-headers-09):
 * `"name";k=v;k=v, "other";k=v` → [{ name, params }]. Only what those headers use: string items, integer params.
 * Throws on anything else, so a test using it also checks that the header is well-formed.
 */
export interface RateLimitItem {
  name: string;
  params: Record<string, number>;
}

const ITEM = /^"([^"\\]*)"((?:;[a-z][a-z0-9_.*-]*=-?\d{1,15})*)$/;

export function parseRateLimitList(header: string | null): RateLimitItem[] {
  if (header === null) throw new Error('the header is missing');
  return header.split(',').map((raw) => {
    const match = ITEM.exec(raw.trim());
    if (!match) throw new Error(`not a structured-field item of a RateLimit header: ${raw}`);
    const params = Object.fromEntries(match[2].split(';').filter(Boolean).map((p) => p.split('=')).map(([k, v]) => [k, Number(v)]));
    return { name: match[1], params };
  });
}
