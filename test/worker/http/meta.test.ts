import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedTinyDarknet, TINY_DARKNET_ID } from '../../support/models';

const testEnv = env as unknown as { MODELS: KVNamespace; DEFAULT_MODEL: string };

describe('service metadata', () => {
  beforeAll(async () => {
    await seedTinyDarknet(testEnv.MODELS);
  });

  it('GET /healthz', async () => {
    const response = await SELF.fetch('http://worker/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it('GET /v1/models lists stored manifests with their labels', async () => {
    const response = await SELF.fetch('http://worker/v1/models');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { default: string; models: { id: string; labels: string[]; default: boolean }[] };
    expect(body.default).toBe(testEnv.DEFAULT_MODEL);
    const tiny = body.models.find((m) => m.id === TINY_DARKNET_ID);
    expect(tiny?.labels).toHaveLength(1000);
    expect(tiny?.default).toBe(false);
  });

  it('GET /v1/openapi.json describes the explain endpoint and its problems', async () => {
    const response = await SELF.fetch('http://worker/v1/openapi.json');
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters: { name: string }[] }>> };
    expect(doc.openapi).toBe('3.1.0');
    const explain = doc.paths['/v1/explain'].post;
    expect(Object.keys(explain.responses).sort()).toEqual(['200', '400', '401', '404', '413', '415', '422', '429', '503']);
    expect(explain.parameters.map((p) => p.name).sort()).toEqual(['class', 'layer', 'method', 'model', 'store', 'topk']);
    expect(doc.paths['/v1/models'].get).toBeDefined();
  });
});
