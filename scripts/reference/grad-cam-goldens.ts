/**
 * `npm run reference:grad-cam`: regenerates the golden Grad-CAM maps of the default model
 * (test/worker/explain/methods/golden/grad-cam.efficientnet-lite0.json) from the reference
 * implementation, pytorch-grad-cam, on the fixture photos. Each photo's model input is computed by the
 * service's own code in workerd (model-input-worker.ts) and handed to PyTorch as is, so both sides
 * explain the same tensor; grad_cam_goldens.py does the rest with the venv of scripts/python.
 * Options: --out FILE, --python PATH.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorker, workerdFor } from '../../bench/workerd';
import { storesFloat16 } from '../../models/import/efficientnet-lite/float16-weights';
import { readModelFolder } from '../model-folders';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const GOLDEN_MODEL = 'efficientnet-lite0';
export const GRAD_CAM_GOLDEN = path.join(ROOT, 'test/worker/explain/methods/golden/grad-cam.efficientnet-lite0.json');
/** Five photos or more, each with a clear subject; three classes each. */
export const GOLDEN_PHOTOS = ['chelsea.png', 'coffee.png', 'astronaut.png', 'dog.jpg', 'pets.jpg', 'rocket.jpg', 'cat_720p.jpg'];
const PHOTOS_DIR = path.resolve(ROOT, '../shared/fixtures/images');

/** Writes the golden file to `out` (the committed path by default). */
export async function generateGradCamGoldens(out: string, python: string): Promise<void> {
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
    const args = [path.join(import.meta.dirname, 'grad_cam_goldens.py'), '--inputs', work, '--out', out, ...(float16 ? ['--float16'] : [])];
    execFileSync(python, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: GRAD_CAM_GOLDEN }, python: { type: 'string' } } });
  const python = values.python ?? execFileSync(path.join(ROOT, 'scripts/python/setup-venv.sh'), { encoding: 'utf8' }).trim();
  await generateGradCamGoldens(values.out, python);
}
