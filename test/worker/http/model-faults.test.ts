/**
 * A model whose stored file fails its manifest's SHA-256 (a bad upload, bit rot): explain answers a 503
 * problem naming the model, with Retry-After, and works again once the file is stored right. In workerd
 * with the real MODELS KV binding and this repository's compact model, stored under an id of its own so no
 * other test has it loaded.
 */
import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../../worker/env';
import { parseManifest, type ModelManifest } from '../../../worker/model/manifest';
import { modelFileKey, writeModel } from '../../../worker/model/model-store';
import { initWasmBackend } from '../../../worker/runtime/wasm-workerd';
import { fixtureBytes, repoBytes } from '../../support/files';

const testEnv = env as unknown as Env;
const MODEL_ID = 'compact-efficientnet-fault-test';
let manifest: ModelManifest;
let weights: Uint8Array<ArrayBuffer>;
let photo: Uint8Array<ArrayBuffer>;

function explain(): Promise<Response> {
  return SELF.fetch(`http://worker/v1/explain?model=${MODEL_ID}&topk=1&store=false`, {
    method: 'POST',
    headers: { 'content-type': 'image/jpeg' },
    body: photo,
  });
}

describe('a model file that fails its checksum', () => {
  beforeAll(async () => {
    const original = parseManifest(JSON.parse(new TextDecoder().decode(await repoBytes('models/compact-efficientnet/manifest.json'))));
    manifest = { ...original, id: MODEL_ID };
    const files = new Map<string, Uint8Array>();
    for (const file of manifest.files) files.set(file.path, await repoBytes(`models/compact-efficientnet/${file.path}`));
    await writeModel(testEnv.MODELS, manifest, files);
    weights = files.get('weights.bin') as Uint8Array<ArrayBuffer>;
    photo = await fixtureBytes('images/dog.jpg');
    await initWasmBackend();
  });

  it('answers 503 naming the model, with Retry-After, and recovers once the file is fixed', async () => {
    const corrupted = weights.slice();
    corrupted[corrupted.length >> 1] ^= 0x40; // one flipped bit, same size
    const key = modelFileKey(manifest, 'weights.bin');
    await testEnv.MODELS.put(key, corrupted);
    const tensors = tf.memory().numTensors;

    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await explain();
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      const problem = (await response.json()) as { type: string; detail: string };
      expect(problem.type).toBe('/problems/unavailable');
      expect(problem.detail).toContain(MODEL_ID);
      expect(problem.detail).toMatch(/weights\.bin does not match its manifest checksum/);
    }
    expect(tf.memory().numTensors).toBe(tensors);

    await testEnv.MODELS.put(key, weights);
    const fixed = await explain();
    expect(fixed.status).toBe(200);
    expect(((await fixed.json()) as { model: { id: string } }).model.id).toBe(MODEL_ID);
  });
});
