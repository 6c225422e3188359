/** GET /v1/models/{id} and its files, as the viewer's private mode downloads them, in workerd with real KV. */
import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../../worker/model/manifest';
import { seedTinyDarknet, tinyDarknet } from '../../support/models';

const testEnv = env as unknown as { MODELS: KVNamespace };

let manifest: ModelManifest;
let files: Map<string, Uint8Array>;

const fileUrl = (path: string, version = manifest.version) => `http://worker/v1/models/${manifest.id}/files/${version}/${path}`;

describe('model files', () => {
  beforeAll(async () => {
    manifest = await seedTinyDarknet(testEnv.MODELS);
    files = (await tinyDarknet()).files;
  });

  it('GET /v1/models/{id}: the whole manifest, revalidated on every use', async () => {
    const response = await SELF.fetch(`http://worker/v1/models/${manifest.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.json()).toEqual(manifest);
  });

  it('GET /v1/models/{id}: 404 for an unknown model, 400 for a malformed id', async () => {
    const unknown = await SELF.fetch('http://worker/v1/models/no-such-model');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    expect(((await unknown.json()) as { type: string }).type).toBe('/problems/model-not-found');
    expect((await SELF.fetch('http://worker/v1/models/Not%20An%20Id')).status).toBe(400);
  });

  it('GET …/files/{version}/{path}: the bytes, immutable, same-origin only, with the SHA-256 as ETag', async () => {
    for (const file of manifest.files) {
      const response = await SELF.fetch(fileUrl(file.path));
      expect(response.status).toBe(200);
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(files.get(file.path));
      expect(response.headers.get('content-type')).toBe(file.path.endsWith('.json') ? 'application/json' : 'application/octet-stream');
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      expect(response.headers.get('etag')).toBe(`"${file.sha256}"`);
    }
  });

  it('answers a matching If-None-Match with 304 and the same policy', async () => {
    const file = manifest.files[0];
    const response = await SELF.fetch(fileUrl(file.path), { headers: { 'if-none-match': `"${file.sha256}"` } });
    expect(response.status).toBe(304);
    expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  });

  it('serves only the current version, and only the files its manifest lists', async () => {
    const stale = await SELF.fetch(fileUrl('model.json', '0000000000000000'));
    expect(stale.status).toBe(404);
    expect(((await stale.json()) as { detail: string }).detail).toContain(`its current version is ${manifest.version}`);
    expect((await SELF.fetch(fileUrl('not-a-file.bin'))).status).toBe(404);
    expect((await SELF.fetch(fileUrl('a/b/model.json'))).status).toBe(404);
    expect((await SELF.fetch(`http://worker/v1/models/no-such-model/files/${manifest.version}/model.json`)).status).toBe(404);
  });

  it('are described in the OpenAPI document', async () => {
    const doc = (await (await SELF.fetch('http://worker/v1/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(doc.paths['/v1/models/{id}'].get).toBeDefined();
    expect(doc.paths['/v1/models/{id}/files/{version}/{path}'].get).toBeDefined();
  });
});
