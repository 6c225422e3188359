/** The cache and the links, end to end in workerd with real KV bindings and the real Tiny Darknet. */
import { createExecutionContext, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../../worker/index';
import type { Env } from '../../../worker/env';
import { decodeImage } from '../../../worker/image';
import { modelRunCount } from '../../../worker/service/explain-image';
import { fixtureBytes } from '../../support/files';
import { seedTinyDarknet, TINY_DARKNET_ID } from '../../support/models';

const testEnv = env as unknown as Env;

interface ExplainBody {
  id?: string;
  cache: string;
  storage: string;
  links?: Record<'self' | 'image' | 'overlay' | 'page' | 'embed', string>;
  image: { width: number; height: number };
  explanations: { index: number; map: { width: number; height: number; data: string } }[];
}

async function explain(image: string, query = '') {
  const bytes = await fixtureBytes(`images/${image}`);
  const type = image.endsWith('.png') ? 'image/png' : 'image/jpeg';
  return SELF.fetch(`http://worker/v1/explain?model=${TINY_DARKNET_ID}${query}`, {
    method: 'POST',
    headers: { 'content-type': type },
    body: bytes,
  });
}

/** Explains through the worker's own fetch handler and waits for its background writes to finish. */
async function explainAndStore(image: string, query = ''): Promise<ExplainBody> {
  const request = new Request(`http://worker/v1/explain?model=${TINY_DARKNET_ID}${query}`, {
    method: 'POST',
    headers: { 'content-type': image.endsWith('.png') ? 'image/png' : 'image/jpeg' },
    body: await fixtureBytes(`images/${image}`),
  });
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, testEnv, ctx);
  expect(response.status).toBe(200);
  const body = (await response.json()) as ExplainBody;
  await waitOnExecutionContext(ctx);
  return body;
}

async function explainJson(image: string, query = ''): Promise<ExplainBody> {
  const response = await explain(image, query);
  expect(response.status).toBe(200);
  return (await response.json()) as ExplainBody;
}

/** Test double for the KV edge we do not own: a namespace whose every call fails. */
function failingKvNamespace(): KVNamespace {
  const fail = () => Promise.reject(new Error('KV is down (test double)'));
  return { get: fail, getWithMetadata: fail, put: fail, list: fail, delete: fail } as unknown as KVNamespace;
}

describe('cached explanations', () => {
  beforeAll(async () => {
    await seedTinyDarknet(testEnv.MODELS);
  });

  it('answers a repeated request from KV without running the model', async () => {
    const first = await explain('coffee.png', '&topk=2');
    expect(first.headers.get('x-cache')).toBe('MISS');
    const firstBody = (await first.json()) as ExplainBody;
    expect(firstBody).toMatchObject({ cache: 'miss', storage: 'pending' });
    const runs = modelRunCount();

    const second = await explain('coffee.png', '&topk=2');
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.headers.get('server-timing')).toMatch(/model;dur=0\.0/);
    const secondBody = (await second.json()) as ExplainBody;
    expect(modelRunCount()).toBe(runs);
    expect(secondBody.cache).toBe('hit');
    expect(['pending', 'stored']).toContain(secondBody.storage);
    const { cache: _a, storage: _c, ...firstRest } = firstBody;
    const { cache: _b, storage: _d, ...secondRest } = secondBody;
    expect(secondRest).toEqual(firstRest);
    expect(firstBody.links?.page).toBe(`http://worker/e/${firstBody.id}`);
  });

  it('gives a new id when an option that alters the result changes, the same id when one that does not', async () => {
    const base = await explainJson('dog.jpg', '&class=1&class=253');
    const reordered = await explainJson('dog.jpg', '&class=253&class=1');
    const byName = await explainJson('dog.jpg', '&class=bicycle-built-for-two&class=1');
    expect(reordered.id).toBe(base.id);
    expect(byName.id).toBe(base.id);
    expect(reordered.cache).toBe('hit');
    const others = await Promise.all([
      explainJson('dog.jpg', '&class=1'),
      explainJson('dog.jpg', '&class=1&class=253&layer=conv2d_15'),
      explainJson('dog.jpg', '&topk=2'),
      explainJson('chelsea.png', '&class=1&class=253'),
    ]);
    expect(new Set([base.id, ...others.map((o) => o.id)]).size).toBe(others.length + 1);
  });

  it('runs the model once for 10 concurrent identical requests', async () => {
    const runs = modelRunCount();
    const bodies = await Promise.all(Array.from({ length: 10 }, () => explainJson('chelsea.png', '&topk=4')));
    expect(modelRunCount() - runs).toBe(1);
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
  });

  it('keeps nothing and links nothing with store=false', async () => {
    const before = (await testEnv.EXPLANATIONS.list()).keys.length;
    const body = await explainJson('pets.jpg', '&store=false');
    expect(body).toMatchObject({ cache: 'off', storage: 'off' });
    expect(body.id).toBeUndefined();
    expect(body.links).toBeUndefined();
    expect(body.explanations.length).toBe(3);
    expect((await testEnv.EXPLANATIONS.list()).keys.length).toBe(before);
  });

  it('stores the preview once per image, whatever the options', async () => {
    const count = async (prefix: string) => (await testEnv.EXPLANATIONS.list({ prefix })).keys.length;
    const [previewsBefore, explanationsBefore] = [await count('preview:'), await count('explanation:')];
    const first = await explainAndStore('rocket.jpg', '&topk=1');
    const second = await explainAndStore('rocket.jpg', '&topk=2');
    expect(first.id).not.toBe(second.id);
    expect(await count('explanation:')).toBe(explanationsBefore + 2);
    expect(await count('preview:')).toBe(previewsBefore + 1);
    const previews = (await testEnv.EXPLANATIONS.list({ prefix: 'preview:' })).keys;
    const explanations = (await testEnv.EXPLANATIONS.list({ prefix: 'explanation:' })).keys;
    for (const key of [...previews, ...explanations]) expect(key.expiration).toBeGreaterThan(Date.now() / 1000 + 29 * 24 * 3600);
  });

  it('still answers 200 with working links when KV throws on read and on write, and says so on a later read', async () => {
    const bytes = await fixtureBytes('images/coffee.png');
    const failingEnv = { ...testEnv, EXPLANATIONS: failingKvNamespace() };
    const request = new Request(`http://worker/v1/explain?model=${TINY_DARKNET_ID}&class=5&class=6`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: bytes,
    });
    const ctx = createExecutionContext();
    const errors: unknown[] = [];
    const originalError = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      const response = await worker.fetch(request, failingEnv, ctx);
      expect(response.status).toBe(200);
      const body = (await response.json()) as ExplainBody;
      expect(body).toMatchObject({ cache: 'miss', storage: 'pending' });
      expect(body.explanations[0].map.data.length).toBeGreaterThan(0);
      await waitOnExecutionContext(ctx);
      const later = await worker.fetch(new Request(body.links!.self), failingEnv, createExecutionContext());
      expect(later.status).toBe(200);
      expect(later.headers.get('explanation-storage')).toBe('failed');
      expect(later.headers.get('cache-control')).toBe('no-store');
      expect(((await later.json()) as ExplainBody).explanations).toEqual(body.explanations);
    } finally {
      console.error = originalError;
    }
    expect(errors.length).toBeGreaterThanOrEqual(2);
  });

  it('answers a miss before storing it; its links work at once, and KV has it once the background work is done', async () => {
    const bytes = await fixtureBytes('images/dog.jpg');
    const ctx = createExecutionContext();
    const request = new Request(`http://worker/v1/explain?model=${TINY_DARKNET_ID}&class=7&class=8`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: bytes,
    });
    const body = (await (await worker.fetch(request, testEnv, ctx)).json()) as ExplainBody;
    expect(body).toMatchObject({ cache: 'miss', storage: 'pending' });
    // Opened at once, before the background writes have run.
    const [self, image, overlay] = await Promise.all(
      [body.links!.self, body.links!.image, body.links!.overlay].map((url) => worker.fetch(new Request(url), testEnv, createExecutionContext())),
    );
    expect([self.status, image.status, overlay.status]).toEqual([200, 200, 200]);
    expect(self.headers.get('explanation-storage')).toBe('pending');
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    expect(((await self.json()) as ExplainBody).explanations).toEqual(body.explanations);
    const previewBytes = new Uint8Array(await image.arrayBuffer());
    await overlay.arrayBuffer();
    // Served from the isolate again (each answer its own copy of the bytes: a body's buffer is handed over).
    const again = await worker.fetch(new Request(body.links!.image), testEnv, createExecutionContext());
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(previewBytes);
    const overlayAgain = await worker.fetch(new Request(body.links!.overlay), testEnv, createExecutionContext());
    expect(overlayAgain.status).toBe(200);
    await overlayAgain.arrayBuffer();

    await waitOnExecutionContext(ctx);
    expect(await testEnv.EXPLANATIONS.get(`explanation:${body.id}`)).not.toBeNull();
    const stored = await SELF.fetch(body.links!.self);
    expect(stored.headers.get('explanation-storage')).toBe('stored');
    await stored.arrayBuffer();
  });
});

describe('explanation links', () => {
  let body: ExplainBody;
  beforeAll(async () => {
    await seedTinyDarknet(testEnv.MODELS);
    body = await explainJson('chelsea.png', '&topk=2');
  });

  it('serves the JSON, immutable, with a strong ETag, a 304 and open CORS', async () => {
    const response = await SELF.fetch(body.links!.self, { headers: { origin: 'https://docs.example' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const etag = response.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    const stored = (await response.json()) as ExplainBody;
    expect(stored.id).toBe(body.id);
    expect(stored.explanations).toEqual(body.explanations);
    const again = await SELF.fetch(body.links!.self, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('serves the preview, at most 512 px on its longest side', async () => {
    const response = await SELF.fetch(body.links!.image);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    const preview = await decodeImage(new Uint8Array(await response.arrayBuffer()));
    expect(Math.max(preview.width, preview.height)).toBeLessThanOrEqual(512);
    expect(preview.width / preview.height).toBeCloseTo(body.image.width / body.image.height, 1);
  });

  it('draws overlay.png over the preview, changing the pixels where the map is hot', async () => {
    const previewImage = await decodeImage(new Uint8Array(await (await SELF.fetch(body.links!.image)).arrayBuffer()));
    const response = await SELF.fetch(`${body.links!.overlay}?colormap=viridis&alpha=0.6`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    const overlay = await decodeImage(new Uint8Array(await response.arrayBuffer()));
    expect([overlay.width, overlay.height]).toEqual([previewImage.width, previewImage.height]);
    // The hottest cell of the map, in preview pixels.
    const { map } = body.explanations[0];
    const cells = Uint8Array.from(atob(map.data), (c) => c.charCodeAt(0));
    const hottest = cells.indexOf(255);
    const x = Math.floor(((hottest % map.width) + 0.5) * (overlay.width / map.width));
    const y = Math.floor((Math.floor(hottest / map.width) + 0.5) * (overlay.height / map.height));
    const p = (y * overlay.width + x) * 3;
    const difference = [0, 1, 2].reduce((sum, c) => sum + Math.abs(overlay.data[p + c] - previewImage.data[p + c]), 0);
    expect(difference).toBeGreaterThan(60);
    // Another colour map is another picture.
    const jet = await SELF.fetch(`${body.links!.overlay}?colormap=jet&alpha=0.6`);
    expect(jet.headers.get('etag')).not.toBe(response.headers.get('etag'));
    await jet.arrayBuffer();
  });

  it('answers 404 for an unknown id and 400 for a malformed one, as problem+json', async () => {
    const unknown = await SELF.fetch('http://worker/v1/explanations/AAAAAAAAAAAAAAAAAAAAAA');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    const malformed = await SELF.fetch('http://worker/v1/explanations/not-an-id!');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { detail: string }).detail).toMatch(/not an explanation id/);
    const badClass = await SELF.fetch(`${body.links!.overlay}?class=999`);
    expect(badClass.status).toBe(400);
  });
});
