/**
 * Optional API keys, through the worker's own fetch handler in workerd with real KV and the real compact
 * model: the env is the test's wrangler env plus an `API_KEYS` secret (as `wrangler secret put` sets it).
 */
import { createExecutionContext, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../worker/crypto/sha256';
import type { Env } from '../../../worker/env';
import worker from '../../../worker/index';
import { fixtureBytes } from '../../support/files';
import { seedRepositoryModel } from '../../support/models';

const testEnv = env as unknown as Env;
const MODEL = 'compact-efficientnet';
const KEY = 'gce_test_0f6c1e9b4a7d4e21a3b5c8d7e6f5a4b3';
let keyedEnv: Env;
let photo: Uint8Array<ArrayBuffer>;

async function call(path: string, init: RequestInit = {}, callEnv: Env = keyedEnv): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`http://worker${path}`, init), callEnv, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

function explain(authorization?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'image/png' };
  if (authorization) headers.authorization = authorization;
  return call(`/v1/explain?model=${MODEL}&topk=1`, { method: 'POST', headers, body: photo });
}

async function expectUnauthorized(response: Response, challenge: RegExp) {
  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(await response.json()).toMatchObject({ type: '/problems/unauthorized', status: 401 });
  expect(response.headers.get('www-authenticate')).toMatch(challenge);
}

describe('API keys (API_KEYS set)', () => {
  beforeAll(async () => {
    await seedRepositoryModel(testEnv.MODELS, MODEL);
    photo = await fixtureBytes('images/coffee.png');
    keyedEnv = { ...testEnv, API_KEYS: `${await sha256Hex('another key')}, ${await sha256Hex(KEY)}` };
  });

  it('answers 401 with a Bearer challenge to explain without a key or with a wrong one', async () => {
    await expectUnauthorized(await explain(), /^Bearer realm="gradcam-edge"$/);
    await expectUnauthorized(await explain('Bearer not-the-key'), /error="invalid_token"/);
    await expectUnauthorized(await explain(`Basic ${btoa(`user:${KEY}`)}`), /error="invalid_token"/);
  });

  it('explains with a valid key, and leaves reading the result open', async () => {
    const response = await explain(`Bearer ${KEY}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { links: { self: string; image: string } };
    const read = await call(new URL(body.links.self).pathname);
    expect(read.status).toBe(200);
    await read.arrayBuffer();
  });

  it('requires a key to share', async () => {
    const body = JSON.stringify({ document: {}, preview: '' });
    await expectUnauthorized(await call('/v1/explanations', { method: 'POST', headers: { 'content-type': 'application/json' }, body }), /^Bearer /);
    const keyed = await call('/v1/explanations', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body });
    expect(keyed.status).toBe(400); // past the key, the body is checked
    await keyed.arrayBuffer();
  });

  it('needs no key where API_KEYS is not set', async () => {
    const response = await call(`/v1/explain?model=${MODEL}&topk=1&store=false`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: photo }, testEnv);
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  });

  it('documents the scheme, and 401 and 429 on explain and share, in the OpenAPI document', async () => {
    const doc = (await (await SELF.fetch('http://worker/v1/openapi.json')).json()) as {
      components: { securitySchemes: Record<string, { type: string; scheme: string }> };
      paths: Record<string, Record<string, { security?: Record<string, string[]>[]; responses: Record<string, unknown> }>>;
    };
    expect(doc.components.securitySchemes.ApiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const operation of [doc.paths['/v1/explain'].post, doc.paths['/v1/explanations'].post]) {
      expect(operation.security).toEqual([{ ApiKey: [] }, {}]);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '429']));
    }
    expect(doc.paths['/v1/explanations/{id}'].get.security).toBeUndefined();
  });
});
