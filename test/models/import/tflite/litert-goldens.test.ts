/**
 * Imported TF Lite models equal LiteRT's outputs, read from the committed goldens of golden/ (no Python
 * needed; litert-goldens-regenerate.test.ts proves the goldens are LiteRT's). Tolerances, absolute, per score:
 *
 * - float32 and float16 files: 2e-6 against LiteRT (both compute in float32; float16 weights are widened).
 * - uint8 and int8 files: 1e-5 against LiteRT on the file's dequantised float twin, i.e. the same weights;
 *   against LiteRT's integer kernels, which round every activation to 8 bits and so differ from any float
 *   computation, 0.1, and our top-1 class is LiteRT's top-1 to within one output step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { importTflite } from '../../../../models/import/tflite/import-tflite';
import { initWasmBackend } from '../../../../worker/runtime/wasm-node';
import { fixturesPresent, photoPixels } from '../../../support/photo-pixels';
import { GOLDEN_MODELS, litertInput, readGolden, realOutput, runImported, sha256, type Quantisation } from './golden/cases';

const TOLERANCE: Record<Quantisation, { litert: number; dequantized?: number }> = {
  float32: { litert: 2e-6 },
  float16: { litert: 2e-6 },
  uint8: { litert: 0.1, dequantized: 1e-5 },
  int8: { litert: 0.1, dequantized: 1e-5 },
};

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

const present = fixturesPresent();
if (!present) console.warn('\n*** SKIPPING the LiteRT golden comparisons: ../shared/fixtures is absent (its photos and MobileNetV2 are the inputs)\n');

describe.skipIf(!present)("importTflite equals LiteRT's outputs (committed goldens)", () => {
  beforeAll(() => initWasmBackend());

  for (const model of GOLDEN_MODELS) {
    it(`${model.id} (${model.quantisation}) on every fixture photo`, async () => {
      const golden = readGolden(model.id);
      const bytes = await model.bytes();
      // The goldens describe exactly these files and inputs; a change to either must regenerate them.
      expect(sha256(bytes)).toBe(golden.modelSha256);
      const imported = await importTflite(bytes);
      const tolerance = TOLERANCE[model.quantisation];
      const before = tf.memory().numTensors;
      for (const entry of golden.cases) {
        const pixels = await photoPixels(entry.photo, imported.input.width, imported.input.height);
        expect(sha256(litertInput(bytes, imported, pixels)), entry.photo).toBe(entry.inputSha256);
        const ours = await runImported(imported, pixels);
        const litert = realOutput(entry.output);
        expect(maxAbsDifference(ours, litert), `${entry.photo} against LiteRT`).toBeLessThanOrEqual(tolerance.litert);
        if (tolerance.dequantized === undefined) {
          expect(argmax(ours), entry.photo).toBe(argmax(litert));
          continue;
        }
        expect(entry.dequantizedOutput, `${entry.photo}: a quantised golden carries the dequantised twin's output`).toBeDefined();
        const twin = realOutput(entry.dequantizedOutput!);
        expect(maxAbsDifference(ours, twin), `${entry.photo} against LiteRT's dequantised twin`).toBeLessThanOrEqual(tolerance.dequantized);
        expect(argmax(ours), entry.photo).toBe(argmax(twin));
        expect(litert[argmax(ours)], `${entry.photo}: our top-1 is LiteRT's`).toBeGreaterThanOrEqual(Math.max(...litert) - entry.output.scale);
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
