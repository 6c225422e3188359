/**
 * Optional API keys for the routes that cost the service something (explain, share). With the `API_KEYS`
 * secret set — SHA-256 hashes (hex) of the keys, separated by commas or whitespace, never the keys
 * themselves — those routes need `Authorization: Bearer <key>` (RFC 6750 §2.1) and answer 401 with a
 * `WWW-Authenticate` challenge (RFC 6750 §3) otherwise. Unset or empty: open, as before. Reading stored
 * explanations never needs a key.
 *
 * Example: `printf %s "$KEY" | sha256sum` gives the hash to put into `wrangler secret put API_KEYS`.
 */
import type { MiddlewareHandler } from 'hono';
import { sha256Hex } from '../crypto/sha256';
import type { Env } from '../env';
import { ProblemError } from './problem';

/** The OpenAPI security scheme's name (registered in http/app.ts). */
export const API_KEY_SCHEME = 'ApiKey';
export const API_KEY_SECURITY_SCHEME = {
  type: 'http',
  scheme: 'bearer',
  description: 'Needed for explain and share only where the deployment sets the API_KEYS secret; reading stored explanations is always open.',
} as const;
/** `security` of an operation that needs a key where the deployment configures them: a key, or nothing. */
export const OPTIONAL_API_KEY: Record<string, string[]>[] = [{ [API_KEY_SCHEME]: [] }, {}];

/** RFC 6750 §2.1: `Bearer` then a b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const REALM = 'gradcam-edge';

const keyIds = new WeakMap<Request, string>();

function configuredHashes(env: Env): Set<string> {
  return new Set((env.API_KEYS ?? '').split(/[\s,]+/).map((h) => h.trim().toLowerCase()).filter(Boolean));
}

/** Id of the key the request was admitted with (the first 16 hex digits of its hash), for rate limits and logs. */
export function apiKeyId(request: Request): string | undefined {
  return keyIds.get(request);
}

/** Middleware: with API_KEYS configured, a request without a valid Bearer key ends in a 401 problem. */
export function requireApiKey(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const hashes = configuredHashes(c.env);
    if (hashes.size === 0) return next();
    const authorization = c.req.header('authorization');
    if (!authorization) {
      throw new ProblemError('unauthorized', 'this deployment requires an API key: send Authorization: Bearer <key>', {
        'www-authenticate': `Bearer realm="${REALM}"`,
      });
    }
    const token = BEARER.exec(authorization)?.[1];
    const hash = token && (await sha256Hex(token));
    if (!hash || !hashes.has(hash)) {
      throw new ProblemError('unauthorized', 'the API key is not valid', {
        'www-authenticate': `Bearer realm="${REALM}", error="invalid_token"`,
      });
    }
    keyIds.set(c.req.raw, hash.slice(0, 16));
    return next();
  };
}
