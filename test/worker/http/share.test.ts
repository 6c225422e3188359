/**
 * POST /v1/explanations: a result computed on a device, shared by its user, in workerd with real KV. The
 * "device" document here is the worker's own explanation (store=false), which has the same shape.
 */
import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { encodeBase64 } from 'hono/utils/encode';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, encodePng, encodePreview } from '../../../worker/image';
import { sha256Hex } from '../../../worker/crypto/sha256';
import type { ExplanationDocument } from '../../../worker/service/explanation-document';
import { fixtureBytes } from '../../support/files';
import { seedTinyDarknet, TINY_DARKNET_ID } from '../../support/models';

const testEnv = env as unknown as { MODELS: KVNamespace };

let document: ExplanationDocument;
let preview: Uint8Array<ArrayBuffer>;

function share(body: unknown, init: RequestInit = {}) {
  return SELF.fetch('http://worker/v1/explanations', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

async function problem(response: Response, status: number): Promise<string> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return ((await response.json()) as { detail: string }).detail;
}

describe('POST /v1/explanations', () => {
  beforeAll(async () => {
    await seedTinyDarknet(testEnv.MODELS);
    const bytes = await fixtureBytes('images/chelsea.png');
    const response = await SELF.fetch(`http://worker/v1/explain?model=${TINY_DARKNET_ID}&topk=2&store=false`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: bytes,
    });
    const { id: _, cache: _c, storage: _s, links: _l, ...computed } = (await response.json()) as ExplanationDocument & Record<string, unknown>;
    document = { ...computed, computedOn: 'device' };
    preview = (await encodePreview(await decodeImage(bytes))).bytes as Uint8Array<ArrayBuffer>;
  });

  it('stores the document and its preview under a fresh id, marked as computed on a device', async () => {
    const response = await share({ document, preview: encodeBase64(preview.buffer) });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { id: string; computedOn: string; links: Record<string, string> };
    expect(body.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(body.computedOn).toBe('device');
    expect(response.headers.get('location')).toBe(body.links.self);

    const stored = (await (await SELF.fetch(body.links.self)).json()) as ExplanationDocument;
    expect(stored.computedOn).toBe('device');
    expect(stored.predictions).toEqual(document.predictions);
    expect(stored.explanations).toEqual(document.explanations);
    // The preview's own hash, not the image's: a client cannot plant a preview under another image's key.
    expect(stored.image).toEqual({ ...document.image, sha256: await sha256Hex(preview) });
    const image = await SELF.fetch(body.links.image);
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(preview);
    const overlay = await SELF.fetch(`${body.links.overlay}?class=${document.explanations[1].index}`);
    expect(overlay.status).toBe(200);
    expect(overlay.headers.get('content-type')).toBe('image/png');
    // Readable by cross-origin-isolated sites, like every stored explanation.
    expect(image.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });

  it('gives every share its own id', async () => {
    const ids = await Promise.all([1, 2].map(async () => ((await (await share({ document, preview: encodeBase64(preview.buffer) })).json()) as { id: string }).id));
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('refuses documents that do not fit the model', async () => {
    const body = (changed: ExplanationDocument) => ({ document: changed, preview: encodeBase64(preview.buffer) });
    const [first, ...rest] = document.explanations;
    const cases: [ExplanationDocument, string][] = [
      [{ ...document, model: { ...document.model, version: 'ffffffffffffffff' } }, 'the service has version'],
      [{ ...document, explanations: [{ ...first, label: 'anything I like' }, ...rest] }, 'is not labelled "anything I like"'],
      [{ ...document, explanations: [{ ...first, index: 1000 }, ...rest] }, 'out of range'],
      [{ ...document, explanations: [{ ...first, map: { ...first.map, raw: first.map.data } }, ...rest] }, 'does not hold'],
      [{ ...document, explanations: [] }, 'explains 1–10 classes'],
    ];
    for (const [changed, detail] of cases) expect(await problem(await share(body(changed)), 400)).toContain(detail);
    expect(await problem(await share(body({ ...document, model: { ...document.model, id: 'no-such-model' } })), 404)).toContain('no-such-model');
  });

  it('refuses previews that are not small JPEGs', async () => {
    const image = await decodeImage(await fixtureBytes('images/coffee.png'));
    const large = (await encodePreview(image, 600)).bytes;
    expect(await problem(await share({ document, preview: encodeBase64(large.buffer as ArrayBuffer) }), 400)).toContain('at most 512 px');
    const png = await encodePng(new Uint8Array(4 * 4 * 4).fill(200), 4, 4);
    expect(await problem(await share({ document, preview: encodeBase64(png.buffer as ArrayBuffer) }), 400)).toContain('must be a JPEG');
    const cut = preview.slice(0, preview.length / 2);
    expect(await problem(await share({ document, preview: encodeBase64(cut.buffer) }), 400)).toContain('not a usable JPEG');
  });

  it('is described in the OpenAPI document, with its JSON body', async () => {
    const doc = (await (await SELF.fetch('http://worker/v1/openapi.json')).json()) as {
      paths: Record<string, Record<string, { requestBody: { content: Record<string, unknown> }; responses: Record<string, unknown> }>>;
    };
    const route = doc.paths['/v1/explanations'].post;
    expect(Object.keys(route.requestBody.content)).toEqual(['application/json']);
    expect(Object.keys(route.responses).sort()).toEqual(['201', '400', '401', '404', '413', '415', '429', '500']);
  });

  it('refuses malformed and oversized requests', async () => {
    expect(await problem(await share('{"document":'), 400)).not.toBe('');
    expect(await problem(await share({ document }), 400)).toContain('preview');
    expect(await problem(await share({ document: { ...document, predictions: 'none' }, preview: 'AA==' }), 400)).toContain('predictions');
    await problem(await share(JSON.stringify({ document, preview: 'A'.repeat(5 * 1024 * 1024) })), 413);
  });
});
