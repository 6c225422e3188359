/**
 * `npm run train -- --seed 1`: the whole training pipeline in one command, deterministic from the seed.
 *   1. write-dataset.ts renders the run's training scenes and a validation set (seeds: models/scenes/splits);
 *   2. train.py trains the compact EfficientNet with Debian's PyTorch (/usr/bin/python3);
 *   3. export-tfjs.ts writes models/compact-efficientnet/ (model.json, weights.bin, manifest.json) after
 *      checking the TF.js logits against PyTorch's, plus training.json (how the files were made).
 * Scratch files (datasets, the PyTorch export) go to artifacts/training/seed-<seed>/ and are reused when
 * already complete. Options: --seed, --scenes, --epochs, --out, --python.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { exportModel, MODEL_ID } from './export-tfjs';
import { writeDataset, type DatasetOptions } from './write-dataset';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Validation scenes sit after every training index a run can use. */
const VALIDATION = { first: 1_000_000, count: 1000 };

export const TRAINING_DEFAULTS = { seed: 1, scenes: 100_000, epochs: 2 };

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', cwd: ROOT });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}

/** Writes a dataset unless the folder already holds exactly this one. */
async function ensureDataset(options: DatasetOptions): Promise<void> {
  const done = path.join(options.out, 'complete.json');
  const key = JSON.stringify(options);
  if (existsSync(done) && readFileSync(done, 'utf8') === key) {
    console.log(`reusing ${path.relative(ROOT, options.out)}`);
    return;
  }
  const start = performance.now();
  await writeDataset(options, 2);
  await writeFile(done, key);
  console.log(`wrote ${options.count} scenes to ${path.relative(ROOT, options.out)} in ${((performance.now() - start) / 1000).toFixed(0)} s`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: `${TRAINING_DEFAULTS.seed}` },
      scenes: { type: 'string', default: `${TRAINING_DEFAULTS.scenes}` },
      epochs: { type: 'string', default: `${TRAINING_DEFAULTS.epochs}` },
      out: { type: 'string', default: path.join('models', MODEL_ID) },
      python: { type: 'string', default: '/usr/bin/python3' },
    },
  });
  const seed = Number(values.seed);
  const scenes = Number(values.scenes);
  if (scenes > VALIDATION.first) throw new Error(`at most ${VALIDATION.first} training scenes`);
  const work = path.join(ROOT, 'artifacts', 'training', `seed-${seed}`);
  const started = performance.now();

  await ensureDataset({ out: path.join(work, 'train'), runSeed: seed, first: 0, count: scenes });
  await ensureDataset({ out: path.join(work, 'val'), runSeed: seed, ...VALIDATION });

  const exportDir = path.join(work, 'export');
  await run(values.python, [
    'models/training/train.py',
    ...['--data', path.join(work, 'train'), '--val', path.join(work, 'val'), '--out', exportDir],
    ...['--seed', `${seed}`, '--epochs', values.epochs],
  ]);

  await tf.setBackend('cpu');
  const outDir = path.resolve(ROOT, values.out);
  const { manifest, parity } = await exportModel({ exportDir, outDir });
  const log = JSON.parse(readFileSync(path.join(exportDir, 'export.json'), 'utf8')).log as {
    val_map: number[];
    train_seconds: number;
  };
  const summary = {
    command: `npm run train -- --seed ${seed} --scenes ${scenes} --epochs ${values.epochs}`,
    seed,
    trainingScenes: scenes,
    epochs: Number(values.epochs),
    validation: { scenes: VALIDATION.count, mAP: log.val_map },
    trainSeconds: log.train_seconds,
    pipelineSeconds: Math.round((performance.now() - started) / 1000),
    parity,
    version: manifest.version,
  };
  await writeFile(path.join(outDir, 'training.json'), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(JSON.stringify(summary, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
