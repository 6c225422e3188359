/**
 * Seeded mutations of real JPEG, PNG and WebP files (flipped bytes, header fields overwritten, truncations,
 * repeated or dropped spans) sent to POST /v1/explain in workerd, with the real decoders and the real compact
 * model: every answer is a 200 or a 4xx problem+json, never a 5xx or a hang, and no tensor is left behind.
 * The set is bounded (MUTATIONS_PER_FILE per format, a fixed seed), small enough for every CI run.
 */
import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../../worker/env';
import { decodeImage } from '../../../worker/image';
import { fixtureBytes } from '../../support/files';
import { concat } from '../../support/images';
import { seedRepositoryModel } from '../../support/models';
import { encodeWebp } from '../../support/webp';

const testEnv = env as unknown as Env;
const MODEL = 'compact-efficientnet';
const MUTATIONS_PER_FILE = 64;
const SEED = 0x16_16_16;
const ACCEPTED = new Set([200, 400, 413, 415, 422]);

/** mulberry32: a small seeded PRNG, so a failing case is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

type Mutation = (bytes: Uint8Array, next: () => number) => { bytes: Uint8Array; what: string };
const int = (next: () => number, n: number) => Math.floor(next() * n);

const MUTATIONS: Mutation[] = [
  (bytes, next) => {
    const out = bytes.slice();
    const flips = 1 + int(next, 16);
    for (let i = 0; i < flips; i++) out[2 + int(next, out.length - 2)] ^= 1 << int(next, 8);
    return { bytes: out, what: `${flips} bits flipped` };
  },
  (bytes, next) => {
    // The headers live in the first bytes: sizes, chunk lengths, tables.
    const out = bytes.slice();
    const at = 2 + int(next, Math.min(out.length, 400) - 2);
    const value = [0x00, 0xff, 0x7f, 0x80][int(next, 4)];
    out.fill(value, at, at + 1 + int(next, 4));
    return { bytes: out, what: `header bytes at ${at} set to ${value}` };
  },
  (bytes, next) => {
    const length = 1 + int(next, bytes.length - 1);
    return { bytes: bytes.slice(0, length), what: `truncated to ${length}` };
  },
  (bytes, next) => {
    const start = int(next, bytes.length);
    const end = Math.min(bytes.length, start + 1 + int(next, 2048));
    return { bytes: concat(bytes.subarray(0, end), bytes.subarray(start)), what: `span ${start}–${end} repeated` };
  },
  (bytes, next) => {
    const start = 2 + int(next, bytes.length - 2);
    const length = 1 + int(next, 4096);
    return { bytes: concat(bytes.subarray(0, start), bytes.subarray(start + length)), what: `${length} bytes at ${start} dropped` };
  },
];

async function sources(): Promise<Record<string, { type: string; bytes: Uint8Array }>> {
  const png = await fixtureBytes('images/chelsea.png');
  const decoded = await decodeImage(png);
  const rgba = new Uint8ClampedArray(decoded.width * decoded.height * 4);
  for (let i = 0, j = 0; i < decoded.data.length; i += 3, j += 4) rgba.set([decoded.data[i], decoded.data[i + 1], decoded.data[i + 2], 255], j);
  return {
    jpeg: { type: 'image/jpeg', bytes: await fixtureBytes('images/dog.jpg') },
    png: { type: 'image/png', bytes: png },
    webp: { type: 'image/webp', bytes: await encodeWebp(rgba, decoded.width, decoded.height, { quality: 80 }) },
  };
}

describe('mutated images', () => {
  let files: Awaited<ReturnType<typeof sources>>;
  beforeAll(async () => {
    await seedRepositoryModel(testEnv.MODELS, MODEL);
    files = await sources();
  });

  for (const format of ['jpeg', 'png', 'webp']) {
    it(`answers every one of ${MUTATIONS_PER_FILE} mutated ${format} files with a 200 or a 4xx problem`, async () => {
      const { type, bytes } = files[format];
      const next = random(SEED + format.length);
      const statuses: Record<number, number> = {};
      let tensors: number | undefined;
      for (let i = 0; i < MUTATIONS_PER_FILE; i++) {
        const mutated = MUTATIONS[i % MUTATIONS.length](bytes, next);
        const response = await SELF.fetch(`http://worker/v1/explain?model=${MODEL}&topk=1&store=false`, {
          method: 'POST',
          headers: { 'content-type': type },
          body: mutated.bytes as Uint8Array<ArrayBuffer>,
        });
        const body = await response.text();
        expect(ACCEPTED.has(response.status), `${format} #${i} (${mutated.what}): ${response.status} ${body.slice(0, 300)}`).toBe(true);
        if (response.status !== 200) expect(response.headers.get('content-type'), `${format} #${i}`).toBe('application/problem+json');
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        // Counted from the first answer on: the first loads the model and keeps its weights.
        tensors ??= tf.memory().numTensors;
      }
      expect(tf.memory().numTensors).toBe(tensors);
      console.log(`${format}: ${MUTATIONS_PER_FILE} mutations → ${JSON.stringify(statuses)}`);
      // The original still explains: no mutation left a decoder broken.
      const original = await SELF.fetch(`http://worker/v1/explain?model=${MODEL}&topk=1&store=false`, { method: 'POST', headers: { 'content-type': type }, body: bytes as Uint8Array<ArrayBuffer> });
      expect(original.status).toBe(200);
      await original.arrayBuffer();
    });
  }
});
