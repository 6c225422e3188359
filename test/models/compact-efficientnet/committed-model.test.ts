import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { meanAveragePrecision } from '../../../models/eval/metrics/average-precision';
import { generateScene, sceneLabels } from '../../../models/scenes/generate-scene';
import { SHAPE_CLASSES } from '../../../models/scenes/shapes';
import { evalSceneSeed } from '../../../models/scenes/splits';
import { loadModel, type LoadedModel } from '../../../worker/model/load-model';
import { modelVersion, parseManifest, type ModelManifest } from '../../../worker/model/manifest';
import { toModelInput } from '../../../worker/model/preprocess';

const DIR = path.resolve(import.meta.dirname, '../../../models/compact-efficientnet');
const MAX_WEIGHT_BYTES = 2_000_000;

describe('the committed compact EfficientNet', () => {
  let manifest: ModelManifest;
  let files: Map<string, Uint8Array>;
  let loaded: LoadedModel;

  beforeAll(async () => {
    await tf.setBackend('wasm');
    manifest = parseManifest(JSON.parse(readFileSync(path.join(DIR, 'manifest.json'), 'utf8')));
    files = new Map(manifest.files.map((f) => [f.path, new Uint8Array(readFileSync(path.join(DIR, f.path)))]));
    loaded = await loadModel(manifest, files);
  });

  it('has a manifest whose checksums, sizes and version match the files', async () => {
    for (const f of manifest.files) {
      const bytes = files.get(f.path)!;
      expect(bytes.length, f.path).toBe(f.bytes);
      expect(createHash('sha256').update(bytes).digest('hex'), f.path).toBe(f.sha256);
    }
    expect(manifest.version).toBe(await modelVersion(manifest.files));
    expect(manifest).toMatchObject({
      id: 'compact-efficientnet',
      task: 'multi-label-classification',
      format: 'tfjs-layers',
      output: { activation: 'sigmoid' },
      gradcamLayer: 'top_activation',
      labels: [...SHAPE_CLASSES],
    });
  });

  it('stays under 2 MB of weights', () => {
    const weightBytes = manifest.files.filter((f) => f.path !== manifest.modelFile).reduce((n, f) => n + f.bytes, 0);
    expect(weightBytes).toBeLessThan(MAX_WEIGHT_BYTES);
  });

  it('explains at the top activation, at least 7×7, which is also what "auto" finds', () => {
    const [h, w] = loaded.exposed.layer.shape;
    expect(loaded.exposed.layer.name).toBe('top_activation');
    expect(Math.min(h, w)).toBeGreaterThanOrEqual(7);
    expect(loaded.exposeAt('auto').layer.name).toBe('top_activation');
  });

  it('ends in logits (the manifest applies the sigmoid)', () => {
    const config = JSON.parse(new TextDecoder().decode(files.get('model.json'))).modelTopology.config;
    const last = config.layers.at(-1);
    expect(last.class_name).toBe('Dense');
    expect(last.config.activation).toBe('linear');
  });

  it('classifies held-out scenes (a quick guard; `npm run eval` is the full measure)', () => {
    const n = 60;
    const scores = SHAPE_CLASSES.map(() => new Float32Array(n));
    const labels = SHAPE_CLASSES.map(() => new Uint8Array(n));
    for (let i = 0; i < n; i++) {
      const scene = generateScene(evalSceneSeed(i), { size: manifest.input.width });
      const y = tf.tidy(() => {
        const input = toModelInput({ width: scene.width, height: scene.height, data: scene.image }, manifest);
        const body = loaded.exposed.body(input);
        const logits = loaded.exposed.head(body.activations, body.context);
        tf.dispose([body.activations, ...body.context.values()]);
        return tf.sigmoid(logits).dataSync();
      });
      const hot = sceneLabels(scene);
      SHAPE_CLASSES.forEach((_, c) => {
        scores[c][i] = y[c];
        labels[c][i] = hot[c];
      });
    }
    expect(meanAveragePrecision(scores, labels)).toBeGreaterThan(0.9);
  });
});
