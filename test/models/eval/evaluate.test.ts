import path from 'node:path';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVAL_MAPS as METHODS, evaluate, markdownReport } from '../../../models/eval/evaluate';

const MODEL_DIR = path.resolve(import.meta.dirname, '../../../models/compact-efficientnet');

describe('evaluate (a handful of scenes)', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });

  it('reports every metric for every map, leaks no tensors and draws the example grid', async () => {
    const { report, grid } = await evaluate({ modelDir: MODEL_DIR, scenes: 8, faithfulnessScenes: 2, steps: 4, examples: 3 });
    expect(Object.keys(report.methods)).toEqual([...METHODS]);
    for (const m of METHODS) {
      const s = report.methods[m];
      for (const v of [s.pointingGame, s.energyInBox, s.otherClassShare, s.deletionAuc, s.insertionAuc]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
      expect(s.counts.curves).toBeGreaterThan(0);
    }
    expect(report.leakedTensors).toBe(0);
    expect(grid.rgb.length).toBe(grid.width * grid.height * 3);
    expect(markdownReport(report)).toContain('| grad-cam |');
  });
});
