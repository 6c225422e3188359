/**
 * `npm run reference:cams`: regenerates the golden maps of the default model for every method of
 * golden-methods.ts (test/worker/explain/methods/golden/<method>.efficientnet-lite0.json) from the
 * reference implementation, pytorch-grad-cam, on the fixture photos. Each photo's model input is computed
 * by the service's own code in workerd (model-input-worker.ts) and handed to PyTorch as is, so both sides
 * explain the same tensor; cam_goldens.py does the rest with the venv of scripts/python.
 * Options: --out-dir DIR, --python PATH.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorker, workerdFor } from '../../bench/workerd';
import { storesFloat16 } from '../../models/import/efficientnet-lite/float16-weights';
import { readModelFolder } from '../model-folders';
import { GOLDEN_DIR, GOLDEN_METHODS, GOLDEN_MODEL } from './golden-methods';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Five photos or more, each with a clear subject; three classes each. */
export const GOLDEN_PHOTOS = ['chelsea.png', 'coffee.png', 'astronaut.png', 'dog.jpg', 'pets.jpg', 'rocket.jpg', 'cat_720p.jpg'];
const PHOTOS_DIR = path.resolve(ROOT, '../shared/fixtures/images');

/** Writes the golden files into `outDir` (the committed folder by default). */
export async function generateCamGoldens(outDir: string, python: string): Promise<void> {
  const folder = readModelFolder(path.join(ROOT, 'models', GOLDEN_MODEL));
  const { manifest } = folder;
  const float16 = storesFloat16(folder);
  const work = mkdtempSync(path.join(tmpdir(), 'grad-cam-goldens-'));
  try {
    const mf = workerdFor(bundleWorker(path.join(import.meta.dirname, 'model-input-worker.ts'), work, 'model-input'));
    const inputs: Uint8Array[] = [];
    try {
      const { width, height } = manifest.input;
      const { mean, std } = manifest.preprocessing;
      const query = new URLSearchParams({ width: `${width}`, height: `${height}`, mean: mean.join(), std: std.join() });
      for (const photo of GOLDEN_PHOTOS) {
        const response = await mf.dispatchFetch(`http://input.local/?${query}`, { method: 'POST', body: readFileSync(path.join(PHOTOS_DIR, photo)) });
        if (!response.ok) throw new Error(`${photo}: ${await response.text()}`);
        inputs.push(new Uint8Array(await response.arrayBuffer()));
      }
    } finally {
      await mf.dispose();
    }
    writeFileSync(path.join(work, 'inputs.f32'), Buffer.concat(inputs));
    const meta = { model: manifest.id, modelVersion: manifest.version, width: manifest.input.width, height: manifest.input.height, photos: GOLDEN_PHOTOS };
    writeFileSync(path.join(work, 'inputs.json'), JSON.stringify(meta));
    const args = [path.join(import.meta.dirname, 'cam_goldens.py'), '--inputs', work, '--out-dir', outDir, '--methods', GOLDEN_METHODS.join(','), ...(float16 ? ['--float16'] : [])];
    execFileSync(python, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: path.join(ROOT, GOLDEN_DIR) }, python: { type: 'string' } } });
  const python = values.python ?? execFileSync(path.join(ROOT, 'scripts/python/setup-venv.sh'), { encoding: 'utf8' }).trim();
  await generateCamGoldens(values['out-dir'], python);
}
