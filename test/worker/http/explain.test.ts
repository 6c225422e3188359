/** End to end in workerd: real requests into the worker, the real Tiny Darknet loaded from KV, real photos. */
import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeJpegRgba } from '../../../worker/image/codecs';
import { fixtureBytes } from '../../support/files';
import { gradientPhoto, withExifOrientation } from '../../support/images';
import { seedTinyDarknet, TINY_DARKNET_ID } from '../../support/models';
import type { ExplanationDocument } from '../../../worker/service/explanation-document';

const testEnv = env as unknown as { MODELS: KVNamespace };

async function explain(image: string | Uint8Array<ArrayBuffer>, query = '', contentType?: string): Promise<Response> {
  const bytes = typeof image === 'string' ? await fixtureBytes(`images/${image}`) : image;
  const type = contentType ?? (typeof image === 'string' && image.endsWith('.png') ? 'image/png' : 'image/jpeg');
  return SELF.fetch(`http://worker/v1/explain?model=${TINY_DARKNET_ID}${query}`, {
    method: 'POST',
    headers: { 'content-type': type },
    body: bytes,
  });
}

function decodeMap(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function peak(map: Uint8Array, width: number): [number, number] {
  let best = 0;
  for (let i = 1; i < map.length; i++) if (map[i] > map[best]) best = i;
  return [best % width, Math.floor(best / width)];
}

describe('POST /v1/explain with the real Tiny Darknet', () => {
  beforeAll(async () => {
    await seedTinyDarknet(testEnv.MODELS);
  });

  it('finds the Egyptian cat in chelsea.png, with a map per class', async () => {
    const response = await explain('chelsea.png');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.headers.get('server-timing')).toMatch(/model;dur=/);
    const body = (await response.json()) as ExplanationDocument;
    expect(body.predictions[0].label).toBe('Egyptian cat');
    expect(body.image).toMatchObject({ width: 451, height: 300, type: 'image/png' });
    expect(body.image.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(body.model.id).toBe(TINY_DARKNET_ID);
    expect(body.layer).toEqual({ name: 'conv2d_16', width: 14, height: 14, channels: 1000 });
    expect(body.explanations).toHaveLength(3);
    const [first] = body.explanations;
    expect(first.label).toBe('Egyptian cat');
    expect(first.map.width * first.map.height).toBe(decodeMap(first.map.data).length);
    expect(Math.max(...decodeMap(first.map.data))).toBe(255);
    expect(first.map.max).toBeGreaterThan(first.map.min);
    expect(new Float32Array(decodeMap(first.map.raw).buffer)).toHaveLength(14 * 14);
  });

  it('finds the espresso in coffee.png', async () => {
    const body = (await (await explain('coffee.png')).json()) as ExplanationDocument;
    expect(body.predictions[0].label).toBe('espresso');
  });

  it('explains named classes, by label or index, in a stable order', async () => {
    const body = (await (await explain('dog.jpg', '&class=bicycle-built-for-two&class=0')).json()) as ExplanationDocument;
    expect(body.explanations.map((e) => e.index)[0]).toBe(0);
    expect(body.explanations).toHaveLength(2);
    expect(body.explanations[1].label.toLowerCase()).toContain('bicycle');
  });

  it('puts the peaks of different classes in different places on dog.jpg', async () => {
    const labels = ['bicycle-built-for-two', 'pickup', 'malamute'];
    const query = labels.map((l) => `&class=${encodeURIComponent(l)}`).join('');
    const response = await explain('dog.jpg', query);
    expect(response.status).toBe(200);
    const body = (await response.json()) as ExplanationDocument;
    const peaks = body.explanations.map((e) => peak(decodeMap(e.map.data), e.map.width).join(','));
    expect(new Set(peaks).size).toBe(peaks.length);
  });

  it('leaves the tensor count unchanged over 20 consecutive requests', async () => {
    await explain('coffee.png'); // the first request loads the model
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      const response = await explain(i % 2 ? 'coffee.png' : 'dog.jpg', i % 3 ? '&topk=2' : '&class=1');
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('accepts multipart/form-data with an "image" field', async () => {
    const form = new FormData();
    form.set('image', new File([await fixtureBytes('images/coffee.png')], 'coffee.png', { type: 'image/png' }));
    const response = await SELF.fetch(`http://worker/v1/explain?model=${TINY_DARKNET_ID}&topk=1`, { method: 'POST', body: form });
    expect(response.status).toBe(200);
    const body = (await response.json()) as ExplanationDocument;
    expect(body.explanations.map((e) => e.label)).toEqual(['espresso']);
  });

  it('answers sixteen concurrent 12-megapixel uploads with 200, or 503 and Retry-After when the isolate is full', async () => {
    const [width, height] = [4000, 3000];
    const jpeg = (await encodeJpegRgba({ width, height, data: gradientPhoto(width, height) }, 85)) as Uint8Array<ArrayBuffer>;
    const before = tf.memory().numTensors;
    const responses = await Promise.all(Array.from({ length: 16 }, () => explain(jpeg, '&topk=1&store=false', 'image/jpeg')));
    const statuses: Record<number, number> = {};
    for (const response of responses) {
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      expect([200, 503]).toContain(response.status);
      if (response.status === 503) {
        expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(((await response.json()) as { type: string }).type).toBe('/problems/unavailable');
      } else {
        await response.arrayBuffer();
      }
    }
    console.log(`16 concurrent 12-MP uploads: ${JSON.stringify(statuses)}`);
    expect(statuses[200]).toBeGreaterThanOrEqual(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('explains a 12-megapixel phone photo, turned by its EXIF orientation', async () => {
    // A 4000×3000 frame stored sideways (orientation 6), as phones write them: upright it is 3000×4000.
    const [width, height] = [4000, 3000];
    const rgba = gradientPhoto(width, height);
    const jpeg = withExifOrientation(await encodeJpegRgba({ width, height, data: rgba }, 85), 6, 'MM');
    const response = await explain(jpeg as Uint8Array<ArrayBuffer>, '&topk=1&store=false', 'image/jpeg');
    expect(response.status).toBe(200);
    const body = (await response.json()) as ExplanationDocument;
    expect(body.image).toMatchObject({ width: 3000, height: 4000, type: 'image/jpeg' });
    expect(body.explanations).toHaveLength(1);
  });
});
