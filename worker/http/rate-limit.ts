/**
 * Per-client rate limits with the Workers rate-limiting binding (`[[ratelimits]]` in wrangler.toml,
 * simulated locally by Miniflare): explain misses (they cost decode + model CPU), cache hits (cheap,
 * limited far more loosely) and shares (each one a KV write). A refused request gets a 429 problem with
 * `Retry-After` (RFC 9110 §10.2.3) and the `RateLimit` header; every response of a limited route
 * carries `RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers-09, structured fields).
 *
 * The binding answers only success or failure: it exposes neither the remaining quota nor where its
 * window stands, so `RateLimit` is sent on refusals only (r=0), and `Retry-After` is the whole period,
 * the longest a client can have to wait.
 *
 * Example: `await enforceRateLimit(c.env, 'misses', clientKey(c.req.raw))` throws a 429 ProblemError.
 */
import type { MiddlewareHandler } from 'hono';
import type { Env } from '../env';
import { apiKeyId } from './api-keys';
import { ProblemError } from './problem';

export interface RateLimitPolicy {
  /** The binding in wrangler.toml (`[[ratelimits]] name`). */
  binding: 'EXPLAIN_MISS_LIMITER' | 'EXPLAIN_HIT_LIMITER' | 'SHARE_LIMITER';
  /** Requests allowed per period and client; must equal the binding's `simple.limit`. */
  limit: number;
  /** Seconds; the binding allows 10 or 60. Must equal `simple.period`. */
  periodSeconds: 10 | 60;
}

/** The policies by name (the name is the policy's token in the headers); test/worker/http/rate-limit.test.ts checks them against wrangler.toml. */
export const RATE_LIMIT_POLICIES = {
  misses: { binding: 'EXPLAIN_MISS_LIMITER', limit: 30, periodSeconds: 60 },
  hits: { binding: 'EXPLAIN_HIT_LIMITER', limit: 600, periodSeconds: 60 },
  shares: { binding: 'SHARE_LIMITER', limit: 10, periodSeconds: 60 },
} as const satisfies Record<string, RateLimitPolicy>;

export type RateLimitPolicyName = keyof typeof RATE_LIMIT_POLICIES;

/** `RateLimit-Policy` for these policies: a structured-field list of `"name";q=limit;w=window` items. */
export function rateLimitPolicyHeader(...names: RateLimitPolicyName[]): string {
  return names.map((name) => `"${name}";q=${RATE_LIMIT_POLICIES[name].limit};w=${RATE_LIMIT_POLICIES[name].periodSeconds}`).join(', ');
}

/**
 * Who a request counts against: the API key's id when it carries one (http/api-keys.ts), else the client's
 * address, IPv6 by its /64 (one subscriber's usual allocation, RFC 6177). Undefined for a request that did
 * not come from the internet: Cloudflare sets `CF-Connecting-IP` on every request from its edge (Miniflare
 * too), so only service bindings, and tests calling the worker directly, lack it.
 */
export function clientKey(request: Request, apiKeyId?: string): string | undefined {
  if (apiKeyId) return `key:${apiKeyId}`;
  const ip = request.headers.get('cf-connecting-ip');
  if (!ip) return undefined;
  return ip.includes(':') ? `ip6:${ipv6Prefix64(ip)}` : `ip:${ip}`;
}

/** The first four groups of an IPv6 address, expanded ("2001:db8::1" → "2001:db8:0:0"). */
function ipv6Prefix64(ip: string): string {
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':');
}

/**
 * Counts one request of `key` against `policy`; throws a 429 ProblemError when over the limit. No key
 * (not from the internet) or no binding (a deployment without it) is not limited; a binding that fails is
 * logged and lets the request through: the limits protect the service, they must not take it down.
 */
export async function enforceRateLimit(env: Env, name: RateLimitPolicyName, key: string | undefined): Promise<void> {
  const policy = RATE_LIMIT_POLICIES[name];
  const limiter = env[policy.binding];
  if (!key || !limiter) return;
  let outcome: RateLimitOutcome;
  try {
    outcome = await limiter.limit({ key });
  } catch (error) {
    console.error(`rate limiter ${policy.binding} failed; not limiting`, error);
    return;
  }
  if (outcome.success) return;
  const retryAfter = String(policy.periodSeconds);
  throw new ProblemError('rateLimited', `more than ${policy.limit} ${name} in ${policy.periodSeconds} s from this client; retry after ${retryAfter} s`, {
    'retry-after': retryAfter,
    ratelimit: `"${name}";r=0;t=${retryAfter}`,
  });
}

/** Middleware: `RateLimit-Policy` for these policies on every answer of the route, refusals included. */
export function announceRateLimits(...names: RateLimitPolicyName[]): MiddlewareHandler<{ Bindings: Env }> {
  const header = rateLimitPolicyHeader(...names);
  return async (c, next) => {
    await next();
    c.res.headers.set('ratelimit-policy', header);
  };
}

/** Middleware: counts each request against `name` before the route reads its body (after http/api-keys.ts's check). */
export function limitRequests(name: RateLimitPolicyName): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    await enforceRateLimit(c.env, name, clientKey(c.req.raw, apiKeyId(c.req.raw)));
    return next();
  };
}
