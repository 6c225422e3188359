/**
 * Rate limits end to end in workerd: the worker with wrangler.toml's `[[ratelimits]]` bindings, simulated
 * by Miniflare (fixed windows of `period` seconds per key), the real compact model from this repository,
 * real photos. Each test is its own client (a `CF-Connecting-IP` of TEST-NET-3, RFC 5737).
 */
import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../../worker/env';
import { clientKey, RATE_LIMIT_POLICIES } from '../../../worker/http/rate-limit';
import { fixtureBytes, repoBytes } from '../../support/files';
import { seedRepositoryModel } from '../../support/models';
import { parseRateLimitList } from '../../support/structured-fields';

const testEnv = env as unknown as Env;
const MODEL = 'compact-efficientnet';
let photo: Uint8Array<ArrayBuffer>;
let nextClient = Math.floor(Math.random() * 200);

function newClient(): string {
  return `203.0.113.${nextClient++ % 254 + 1}`;
}

function explain(client: string, query = '&store=false'): Promise<Response> {
  return SELF.fetch(`http://worker/v1/explain?model=${MODEL}&topk=1${query}`, {
    method: 'POST',
    headers: { 'content-type': 'image/png', 'cf-connecting-ip': client },
    body: photo,
  });
}

/** Miniflare counts in fixed windows: start the N+1 requests early in one, so that none of them crosses into the next. */
async function freshWindow(periodSeconds: number): Promise<void> {
  const left = periodSeconds * 1000 - (Date.now() % (periodSeconds * 1000));
  if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

async function expectRateLimited(response: Response, policy: string) {
  expect(response.status).toBe(429);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const problem = (await response.json()) as { type: string; status: number; detail: string };
  expect(problem).toMatchObject({ type: '/problems/rate-limited', status: 429 });
  const retryAfter = response.headers.get('retry-after')!;
  expect(retryAfter).toMatch(/^\d+$/); // RFC 9110 §10.2.3: delay-seconds
  const [limit] = parseRateLimitList(response.headers.get('ratelimit'));
  expect(limit).toEqual({ name: policy, params: { r: 0, t: Number(retryAfter) } });
}

describe('rate limits', () => {
  beforeAll(async () => {
    await seedRepositoryModel(testEnv.MODELS, MODEL);
    photo = await fixtureBytes('images/chelsea.png');
  });

  it('answers the N+1-th miss of a client with a 429, Retry-After and parseable RateLimit headers; others and hits go on', async () => {
    const client = newClient();
    await freshWindow(RATE_LIMIT_POLICIES.misses.periodSeconds);
    const first = await explain(client, ''); // miss 1, stored: the hit below

    expect(first.status).toBe(200);
    await first.arrayBuffer();
    const policies = parseRateLimitList(first.headers.get('ratelimit-policy'));
    const misses = policies.find((p) => p.name === 'misses')!;
    const hits = policies.find((p) => p.name === 'hits')!;
    expect(misses.params.q).toBe(RATE_LIMIT_POLICIES.misses.limit);
    expect(hits.params.q).toBeGreaterThan(misses.params.q * 10);

    for (let i = 2; i <= misses.params.q; i++) {
      const response = await explain(client);
      expect(response.status, `miss ${i}`).toBe(200);
      await response.arrayBuffer();
    }
    const refused = await explain(client);
    await expectRateLimited(refused, 'misses');
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(misses.params.w);
    expect(parseRateLimitList(refused.headers.get('ratelimit-policy')).map((p) => p.name)).toEqual(['hits', 'misses']);

    // The same client's cache hits are counted apart, and another client is not affected.
    const hit = await explain(client, '');
    expect([hit.status, hit.headers.get('x-cache')]).toEqual([200, 'HIT']);
    const other = await explain(newClient());
    expect(other.status).toBe(200);
    await Promise.all([hit.arrayBuffer(), other.arrayBuffer()]);
  });

  it('refuses the N+1-th share of a client before reading its body', async () => {
    const client = newClient();
    const { limit, periodSeconds } = RATE_LIMIT_POLICIES.shares;
    await freshWindow(periodSeconds);
    const share = () =>
      SELF.fetch('http://worker/v1/explanations', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'cf-connecting-ip': client },
        body: '{"document": {}}',
      });
    for (let i = 0; i < limit; i++) {
      const response = await share();
      expect(response.status).toBe(400);
      expect(parseRateLimitList(response.headers.get('ratelimit-policy'))).toEqual([{ name: 'shares', params: { q: limit, w: periodSeconds } }]);
      await response.arrayBuffer();
    }
    await expectRateLimited(await share(), 'shares');
  });

  it('declares in wrangler.toml the limits the worker announces', async () => {
    const toml = new TextDecoder().decode(await repoBytes('wrangler.toml'));
    const blocks = toml.split('[[ratelimits]]').slice(1);
    const declared = Object.fromEntries(
      blocks.map((block) => {
        const name = /name\s*=\s*"([^"]+)"/.exec(block)![1];
        const [, limit, period] = /simple\s*=\s*\{\s*limit\s*=\s*(\d+)\s*,\s*period\s*=\s*(\d+)\s*\}/.exec(block)!;
        return [name, { limit: Number(limit), periodSeconds: Number(period) }];
      }),
    );
    for (const policy of Object.values(RATE_LIMIT_POLICIES)) {
      expect(declared[policy.binding], policy.binding).toEqual({ limit: policy.limit, periodSeconds: policy.periodSeconds });
    }
  });

  it('counts a client by API key, else by address (IPv6 by its /64), and leaves requests from no address alone', () => {
    const from = (ip?: string) => new Request('http://worker/', { headers: ip ? { 'cf-connecting-ip': ip } : {} });
    expect(clientKey(from('198.51.100.7'))).toBe('ip:198.51.100.7');
    expect(clientKey(from('2001:db8:1:2:aaaa::1'))).toBe(clientKey(from('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')));
    expect(clientKey(from('2001:db8:1:2::1'))).not.toBe(clientKey(from('2001:db8:1:3::1')));
    expect(clientKey(from('198.51.100.7'), 'abcd')).toBe('key:abcd');
    expect(clientKey(from())).toBeUndefined();
  });
});
