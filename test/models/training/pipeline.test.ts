import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExportedModel, checkParity, exportModel, readTorchExport } from '../../../models/training/export-tfjs';
import { writeDataset } from '../../../models/training/write-dataset';
import { loadModel } from '../../../worker/model/load-model';
import { parseManifest } from '../../../worker/model/manifest';

/** Debian's python3-torch (CI installs it); the pyenv `python3` on PATH has no torch. */
const PYTHON = '/usr/bin/python3';
const TRAIN_PY = path.resolve(import.meta.dirname, '../../../models/training/train.py');
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
if (!hasTorch) console.warn(`skipping the training pipeline tests: ${PYTHON} cannot import torch and numpy`);

function python(args: string[]): string {
  return execFileSync(PYTHON, [TRAIN_PY, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe.skipIf(!hasTorch)('training pipeline (PyTorch → TF.js)', () => {
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'compact-efficientnet-'));
    await writeDataset({ out: path.join(dir, 'small'), runSeed: 0, first: 0, count: 48 });
    await writeDataset({ out: path.join(dir, 'val'), runSeed: 0, first: 1_000_000, count: 24 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the TF.js model computes the PyTorch model’s logits (random weights and batch-norm statistics)', async () => {
    const out = path.join(dir, 'init');
    python(['--init-only', '--seed', '5', '--val', path.join(dir, 'val'), '--out', out, '--reference-count', '24']);
    const { meta, weights } = await readTorchExport(out);
    for (const backend of ['cpu', 'wasm']) {
      expect(await tf.setBackend(backend)).toBe(true);
      const model = buildExportedModel(meta, weights);
      const parity = await checkParity(model, out, meta);
      model.dispose();
      // Logits of a few tenths: a layout or padding mistake would show as differences of that size.
      expect(parity.maxLogit).toBeGreaterThan(0.05);
      expect(parity.maxAbsDiff, backend).toBeLessThan(1e-5);
    }
  });

  it('writes LayersModel files and a manifest the service loads', async () => {
    await tf.setBackend('cpu');
    const out = path.join(dir, 'model');
    const { manifest, parity } = await exportModel({ exportDir: path.join(dir, 'init'), outDir: out });
    expect(parity.maxAbsDiff).toBeLessThan(1e-5);
    const onDisk = parseManifest(JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')));
    expect(onDisk).toEqual(manifest);
    const files = new Map(manifest.files.map((f) => [f.path, new Uint8Array(readFileSync(path.join(out, f.path)))]));
    const loaded = await loadModel(manifest, files);
    expect(loaded.exposed.layer.name).toBe('top_activation');
    expect(loaded.exposed.layer.shape.slice(0, 2)).toEqual([8, 8]);
    loaded.dispose();
  });

  it('a few training steps lower the loss', () => {
    // 48 scenes seen 20 times over: the loss must fall well below what learning the class frequencies gives.
    const out = path.join(dir, 'trained');
    python([
      ...['--data', path.join(dir, 'small'), '--val', path.join(dir, 'val'), '--out', out],
      ...['--max-steps', '60', '--batch-size', '16', '--reference-count', '4'],
    ]);
    const { log } = JSON.parse(readFileSync(path.join(out, 'export.json'), 'utf8')) as { log: { loss: number[] } };
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(log.loss).toHaveLength(60);
    expect(mean(log.loss.slice(-10))).toBeLessThan(0.7 * mean(log.loss.slice(0, 10)));

    // Same seed, same run: a rerun retraces the first steps exactly (init, shuffling, augmentation, dropout).
    const rerun = path.join(dir, 'rerun');
    python([
      ...['--data', path.join(dir, 'small'), '--val', path.join(dir, 'val'), '--out', rerun],
      ...['--max-steps', '60', '--batch-size', '16', '--reference-count', '4'],
    ]);
    const again = JSON.parse(readFileSync(path.join(rerun, 'export.json'), 'utf8')) as { log: { loss: number[] } };
    expect(again.log.loss).toEqual(log.loss);
  });
});
