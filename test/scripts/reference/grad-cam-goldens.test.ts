/**
 * The committed Grad-CAM goldens are what their generator makes from the pinned packages today
 * (`npm run reference:grad-cam`): under CI, where the venv always exists, a golden file that drifted from
 * its reference implementation, or from the model it was made for, fails here.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateGradCamGoldens, GRAD_CAM_GOLDEN } from '../../../scripts/reference/grad-cam-goldens';
import { venvPython } from '../../support/python';

const python = venvPython('the regeneration of the Grad-CAM goldens (pytorch-grad-cam)');
/** Same packages on the same kind of machine: only float formatting and summation order may differ. */
const TOLERANCE = 1e-5;

interface Golden {
  modelVersion: string;
  packages: Record<string, string>;
  photos: { photo: string; targets: { index: number; logit: number; map: number[] }[] }[];
}

describe.skipIf(!python)('the Grad-CAM golden file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'golden-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is what pytorch-grad-cam gives today', async () => {
    const out = path.join(dir, 'grad-cam.json');
    await generateGradCamGoldens(out, python!);
    const fresh = JSON.parse(readFileSync(out, 'utf8')) as Golden;
    const committed = JSON.parse(readFileSync(GRAD_CAM_GOLDEN, 'utf8')) as Golden;
    expect(fresh.modelVersion).toBe(committed.modelVersion);
    expect(fresh.packages).toEqual(committed.packages);
    expect(fresh.photos.map((p) => p.photo)).toEqual(committed.photos.map((p) => p.photo));
    fresh.photos.forEach((photo, i) => {
      const theirs = committed.photos[i];
      expect(photo.targets.map((t) => t.index), photo.photo).toEqual(theirs.targets.map((t) => t.index));
      photo.targets.forEach((t, j) => {
        expect(Math.abs(t.logit - theirs.targets[j].logit)).toBeLessThanOrEqual(TOLERANCE * 10);
        t.map.forEach((v, k) => expect(Math.abs(v - theirs.targets[j].map[k]), `${photo.photo} ${t.index}[${k}]`).toBeLessThanOrEqual(TOLERANCE));
      });
    });
  });
});
