/**
 * End to end in workerd: the real uint8 MobileNetV2 (TF Lite) imported inside workerd, stored in KV as
 * the TF.js GraphModel the importer writes, loaded by the worker through its manifest and explained.
 */
import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifestForImport } from '../../../models/import/imported-model';
import { importTflite } from '../../../models/import/tflite/import-tflite';
import { writeModel } from '../../../worker/model/model-store';
import type { ExplanationDocument } from '../../../worker/service/explanation-document';
import { fixtureBytes } from '../../support/files';

const testEnv = env as unknown as { MODELS: KVNamespace };
const MODEL_ID = 'mobilenet-v2-quant';

async function explain(image: string, query = ''): Promise<ExplanationDocument> {
  const response = await SELF.fetch(`http://worker/v1/explain?model=${MODEL_ID}${query}`, {
    method: 'POST',
    headers: { 'content-type': image.endsWith('.png') ? 'image/png' : 'image/jpeg' },
    body: await fixtureBytes(`images/${image}`),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as ExplanationDocument;
}

/** ImageNet labels list synonyms ("Boston bull, Boston terrier"); the first is the class's name. */
const firstName = (label: string) => label.split(',')[0];

describe('POST /v1/explain with the real MobileNetV2 imported from TF Lite', () => {
  beforeAll(async () => {
    const imported = await importTflite(await fixtureBytes('models/mobilenet_v2_1.0_224_quant/mobilenet_v2_1.0_224_quant.tflite'));
    const manifest = await manifestForImport(imported, { id: MODEL_ID });
    await writeModel(testEnv.MODELS, manifest, imported.files);
  });

  it('finds the Egyptian cat in chelsea.png (≥ 0.7) at the 7×7×1280 layer found automatically', async () => {
    const body = await explain('chelsea.png', '&topk=1');
    expect(firstName(body.predictions[0].label)).toBe('Egyptian cat');
    expect(body.predictions[0].score).toBeGreaterThanOrEqual(0.7);
    expect(body.predictions[0].index).toBe(285);
    expect(body.layer).toEqual({ name: 'MobilenetV2/Conv_1/Relu6', width: 7, height: 7, channels: 1280 });
    expect(body.explanations).toHaveLength(1);
    expect(body.explanations[0].map.width * body.explanations[0].map.height).toBeGreaterThan(0);
    expect(body.explanations[0].map.max).toBeGreaterThan(body.explanations[0].map.min);
  });

  it('finds the espresso in coffee.png (≥ 0.9)', async () => {
    const body = await explain('coffee.png', '&topk=1');
    expect(firstName(body.predictions[0].label)).toBe('espresso');
    expect(body.predictions[0].score).toBeGreaterThanOrEqual(0.9);
  });

  it('puts the Boston bull and the Italian greyhound of pets.jpg first and second, with different maps', async () => {
    const body = await explain('pets.jpg', '&topk=2');
    expect(body.predictions.slice(0, 2).map((p) => firstName(p.label))).toEqual(['Boston bull', 'Italian greyhound']);
    expect(body.explanations.map((e) => firstName(e.label))).toEqual(['Boston bull', 'Italian greyhound']);
    expect(body.explanations[0].map.data).not.toEqual(body.explanations[1].map.data);
  });

  it('explains a class named by its label, and never offers the "background" output', async () => {
    const body = await explain('coffee.png', `&class=${encodeURIComponent('espresso')}`);
    expect(body.explanations.map((e) => e.label)).toEqual(['espresso']);
    expect(body.predictions.every((p) => p.label !== 'background' && p.index >= 0)).toBe(true);
  });
});
