/** Every bad input gets a 4xx problem+json from a real request, never a 500 or a hang. */
import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureBytes } from '../../support/files';
import { seedTinyDarknet, TINY_DARKNET_ID } from '../../support/models';

const testEnv = env as unknown as { MODELS: KVNamespace };

/** A PNG signature and IHDR chunk declaring the given size (the CRC is not checked before decoding). */
function pngHeader(width: number, height: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(8 + 25);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, 13);
  bytes.set([0x49, 0x48, 0x44, 0x52], 12);
  view.setUint32(16, width);
  view.setUint32(20, height);
  bytes.set([8, 2, 0, 0, 0], 24);
  return bytes;
}

async function post(body: BodyInit, contentType: string, query = `?model=${TINY_DARKNET_ID}`) {
  return SELF.fetch(`http://worker/v1/explain${query}`, { method: 'POST', headers: { 'content-type': contentType }, body });
}

async function expectProblem(response: Response, status: number, detail: RegExp) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const problem = (await response.json()) as Record<string, unknown>;
  expect(problem).toMatchObject({ status, type: expect.stringMatching(/^\/problems\//), title: expect.any(String) });
  expect(problem.detail).toMatch(detail);
}

describe('errors as problem+json', () => {
  beforeAll(async () => {
    await seedTinyDarknet(testEnv.MODELS);
  });

  it('422 for a truncated JPEG', async () => {
    const jpeg = await fixtureBytes('images/dog.jpg');
    await expectProblem(await post(jpeg.slice(0, jpeg.length / 2), 'image/jpeg'), 422, /truncated/i);
  });

  it('413 for a PNG whose header declares 100000×100000, before decoding it', async () => {
    await expectProblem(await post(pngHeader(100_000, 100_000), 'image/png'), 413, /pixels|megapixels/i);
  });

  it('415 for a text file, whether labelled as text or as an image', async () => {
    await expectProblem(await post('hello, I am not an image', 'text/plain'), 415, /text\/plain/);
    await expectProblem(await post('hello, I am not an image', 'image/png'), 415, /./);
  });

  it('413 for more bytes than the limit, without reading them all', async () => {
    const big = new Uint8Array(10_000_001);
    await expectProblem(await post(big, 'image/jpeg'), 413, /limit/);
  });

  it('404 for an unknown model', async () => {
    const png = await fixtureBytes('images/coffee.png');
    await expectProblem(await post(png, 'image/png', '?model=no-such-model'), 404, /no-such-model/);
  });

  it('400 for out-of-range or malformed options', async () => {
    const png = await fixtureBytes('images/coffee.png');
    await expectProblem(await post(png, 'image/png', `?model=${TINY_DARKNET_ID}&topk=0`), 400, /topk/);
    await expectProblem(await post(png, 'image/png', `?model=${TINY_DARKNET_ID}&topk=11`), 400, /topk/);
    await expectProblem(await post(png, 'image/png', `?model=${TINY_DARKNET_ID}&class=unicorn`), 400, /unicorn/);
    await expectProblem(await post(png, 'image/png', `?model=${TINY_DARKNET_ID}&class=5000`), 400, /out of range/);
    await expectProblem(await post(png, 'image/png', `?model=${TINY_DARKNET_ID}&layer=nope`), 400, /nope/);
    await expectProblem(await post(png, 'image/png', `?model=${TINY_DARKNET_ID}&method=lime`), 400, /method/);
    await expectProblem(await post(png, 'image/png', '?model=Bad%20Id'), 400, /model/);
  });

  it('400 for an empty body or a multipart body without an image', async () => {
    await expectProblem(await post(new Uint8Array(0), 'image/png'), 400, /empty/);
    const form = new FormData();
    form.set('file', 'x');
    const response = await SELF.fetch(`http://worker/v1/explain?model=${TINY_DARKNET_ID}`, { method: 'POST', body: form });
    await expectProblem(response, 400, /image/);
  });

  it('404 problem for unknown routes', async () => {
    await expectProblem(await SELF.fetch('http://worker/v2/nothing'), 404, /\/v2\/nothing/);
  });
});
