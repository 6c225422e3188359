/**
 * Writes training scenes as raw arrays that NumPy memory-maps, so the TypeScript generator stays the one
 * source of truth for what a scene is. A folder holds:
 *   images.u8   count × size × size × 3 bytes (RGB, row-major)
 *   labels.u8   count × classes bytes (multi-hot over SHAPE_CLASSES)
 *   meta.json   { count, size, classes, runSeed, first }: scene i has seed trainingSceneSeed(runSeed, first + i)
 *
 * CLI (Node): `tsx models/training/write-dataset.ts --out DIR --run-seed 1 --first 0 --count 1000
 * [--shards 2]` — with shards, that many child processes fill disjoint ranges of the same files.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SCENE_SIZE, generateScene, sceneLabels } from '../scenes/generate-scene';
import { SHAPE_CLASSES } from '../scenes/shapes';
import { trainingSceneSeed } from '../scenes/splits';

export interface DatasetOptions {
  out: string;
  runSeed: number;
  /** Index of the first scene within the run (validation sets start after the training scenes). */
  first: number;
  count: number;
  size?: number;
}

const CHUNK = 256;

/** Creates the folder, its meta.json and full-size (zero) array files. */
export function prepareDataset(options: DatasetOptions): void {
  const size = options.size ?? SCENE_SIZE;
  mkdirSync(options.out, { recursive: true });
  const meta = { count: options.count, size, classes: SHAPE_CLASSES, runSeed: options.runSeed, first: options.first };
  writeFileSync(path.join(options.out, 'meta.json'), JSON.stringify(meta, null, 2));
  for (const [file, bytes] of [['images.u8', size * size * 3], ['labels.u8', SHAPE_CLASSES.length]] as const) {
    const fd = openSync(path.join(options.out, file), 'w');
    ftruncateSync(fd, options.count * bytes);
    closeSync(fd);
  }
}

/** Renders scenes [from, to) of a prepared folder into their slots. */
export function fillDataset(options: DatasetOptions, from: number, to: number): void {
  const size = options.size ?? SCENE_SIZE;
  const imageBytes = size * size * 3;
  const classes = SHAPE_CLASSES.length;
  const images = openSync(path.join(options.out, 'images.u8'), 'r+');
  const labels = openSync(path.join(options.out, 'labels.u8'), 'r+');
  try {
    for (let start = from; start < to; start += CHUNK) {
      const end = Math.min(to, start + CHUNK);
      const imageChunk = new Uint8Array((end - start) * imageBytes);
      const labelChunk = new Uint8Array((end - start) * classes);
      for (let i = start; i < end; i++) {
        const scene = generateScene(trainingSceneSeed(options.runSeed, options.first + i), { size });
        imageChunk.set(scene.image, (i - start) * imageBytes);
        labelChunk.set(sceneLabels(scene), (i - start) * classes);
      }
      writeSync(images, imageChunk, 0, imageChunk.length, start * imageBytes);
      writeSync(labels, labelChunk, 0, labelChunk.length, start * classes);
    }
  } finally {
    closeSync(images);
    closeSync(labels);
  }
}

/** Prepares and fills a folder, splitting the work over `shards` Node processes. */
export async function writeDataset(options: DatasetOptions, shards = 1): Promise<void> {
  prepareDataset(options);
  if (shards <= 1) {
    fillDataset(options, 0, options.count);
    return;
  }
  const self = fileURLToPath(import.meta.url);
  const bounds = (k: number) => Math.round((k * options.count) / shards);
  await Promise.all(
    Array.from({ length: shards }, (_, k) =>
      run(process.execPath, [
        ...process.execArgv,
        self,
        ...['--out', options.out, '--run-seed', `${options.runSeed}`, '--first', `${options.first}`],
        ...['--count', `${options.count}`, '--size', `${options.size ?? SCENE_SIZE}`],
        ...['--range', `${bounds(k)}:${bounds(k + 1)}`],
      ]),
    ),
  );
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      'run-seed': { type: 'string', default: '1' },
      first: { type: 'string', default: '0' },
      count: { type: 'string' },
      size: { type: 'string', default: `${SCENE_SIZE}` },
      shards: { type: 'string', default: '1' },
      /** Internal: fill only [from:to) of an already prepared folder. */
      range: { type: 'string' },
    },
  });
  if (!values.out || !values.count) throw new Error('usage: write-dataset.ts --out DIR --count N [--run-seed R] [--first I] [--shards K]');
  const options: DatasetOptions = {
    out: values.out,
    runSeed: Number(values['run-seed']),
    first: Number(values.first),
    count: Number(values.count),
    size: Number(values.size),
  };
  if (values.range) {
    const [from, to] = values.range.split(':').map(Number);
    fillDataset(options, from, to);
  } else {
    await writeDataset(options, Number(values.shards));
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
