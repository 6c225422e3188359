/**
 * End to end in workerd: the embedded default, EfficientNet-Lite0 (models/efficientnet-lite0), stored in
 * KV as `npm start` stores it, found through its manifest and explained on real photos with no `model`
 * parameter at all.
 */
import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExplanationDocument } from '../../../worker/service/explanation-document';
import { fixtureBytes } from '../../support/files';
import { seedRepositoryModel } from '../../support/models';

const testEnv = env as unknown as { MODELS: KVNamespace; DEFAULT_MODEL: string };

/** ImageNet-1k class index ranges (torchvision's order, the model's output order). */
const DOMESTIC_CATS = [281, 285];
const DOGS = [151, 268];
const BICYCLES = new Set([444, 671, 870]);
const TRUCKS = new Set([555, 569, 675, 717, 864, 867]);
const ESPRESSO = 967;

const inRange = ([low, high]: number[], index: number) => index >= low && index <= high;

async function explain(image: string, query = ''): Promise<ExplanationDocument> {
  const response = await SELF.fetch(`http://worker/v1/explain?store=false${query}`, {
    method: 'POST',
    headers: { 'content-type': image.endsWith('.png') ? 'image/png' : 'image/jpeg' },
    body: await fixtureBytes(`images/${image}`),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as ExplanationDocument;
}

function peak(base64: string, width: number): string {
  const map = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  let best = 0;
  for (let i = 1; i < map.length; i++) if (map[i] > map[best]) best = i;
  return `${best % width},${Math.floor(best / width)}`;
}

describe('the default model, EfficientNet-Lite0, through the KV manifest path', () => {
  beforeAll(async () => {
    await seedRepositoryModel(testEnv.MODELS, 'efficientnet-lite0');
  });

  it('is the default', () => {
    expect(testEnv.DEFAULT_MODEL).toBe('efficientnet-lite0');
  });

  it('finds a cat in chelsea.png, at the 7×7×1280 input of the global pooling found automatically', async () => {
    const body = await explain('chelsea.png', '&topk=1');
    expect(body.model.id).toBe('efficientnet-lite0');
    expect(inRange(DOMESTIC_CATS, body.predictions[0].index), body.predictions[0].label).toBe(true);
    expect(body.layer).toEqual({ name: 'top_activation', width: 7, height: 7, channels: 1280 });
    expect(body.predictions).toHaveLength(5);
  });

  it('finds the espresso in coffee.png', async () => {
    const body = await explain('coffee.png', '&topk=1');
    expect(body.predictions[0]).toMatchObject({ index: ESPRESSO, label: 'espresso' });
    expect(body.predictions[0].score).toBeGreaterThan(0.5);
  });

  // The dog fills dog.jpg's top 10 (a 1000-class softmax; the bicycle ranks about 22nd, the pickup in
  // the corner about 466th): the bicycle and the truck are asked for by name.
  it('puts a dog first in dog.jpg, and the maps of the dog, the bicycle and the truck peak in different places', async () => {
    const top = await explain('dog.jpg', '&topk=1');
    expect(inRange(DOGS, top.predictions[0].index), top.predictions[0].label).toBe(true);
    const query = [top.predictions[0].index, 'bicycle-built-for-two', 'pickup'].map((c) => `&class=${encodeURIComponent(c)}`).join('');
    const maps = (await explain('dog.jpg', query)).explanations;
    expect(maps.map((e) => e.index).sort((a, b) => a - b)).toEqual([top.predictions[0].index, 444, 717].sort((a, b) => a - b));
    expect(maps.some((e) => BICYCLES.has(e.index)) && maps.some((e) => TRUCKS.has(e.index))).toBe(true);
    const peaks = maps.map((e) => peak(e.map.data, e.map.width));
    expect(new Set(peaks).size, peaks.join(' ')).toBe(3);
  });

  it('leaves the tensor count where it found it', async () => {
    await explain('pets.jpg', '&topk=3');
    const before = tf.memory().numTensors;
    for (const image of ['pets.jpg', 'rocket.jpg']) await explain(image, '&topk=3');
    expect(tf.memory().numTensors).toBe(before);
  });
});
