/**
 * The committed CAM goldens are what their generator makes from the pinned packages today
 * (`npm run reference:cams`): under CI, where the venv always exists, a golden file that drifted from its
 * reference implementation, or from the model it was made for, fails here.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCamGoldens } from '../../../scripts/reference/cam-goldens';
import { GOLDEN_METHODS, goldenFile } from '../../../scripts/reference/golden-methods';
import { venvPython } from '../../support/python';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const python = venvPython('the regeneration of the CAM goldens (pytorch-grad-cam)');
/** Same packages on the same kind of machine: only float formatting and summation order may differ. */
const TOLERANCE = 1e-5;

interface Golden {
  modelVersion: string;
  packages: Record<string, string>;
  photos: { photo: string; targets: { index: number; logit: number; map: number[]; mapOtherSign?: number[] }[] }[];
}

describe.skipIf(!python)('the CAM golden files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'golden-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are what pytorch-grad-cam gives today, for every method', async () => {
    await generateCamGoldens(dir, python!);
    for (const method of GOLDEN_METHODS) {
      const name = path.basename(goldenFile(method));
      const fresh = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as Golden;
      const committed = JSON.parse(readFileSync(path.join(ROOT, goldenFile(method)), 'utf8')) as Golden;
      expect(fresh.modelVersion).toBe(committed.modelVersion);
      expect(fresh.packages).toEqual(committed.packages);
      expect(fresh.photos.map((p) => p.photo)).toEqual(committed.photos.map((p) => p.photo));
      fresh.photos.forEach((photo, i) => {
        const theirs = committed.photos[i];
        expect(photo.targets.map((t) => t.index), `${method} ${photo.photo}`).toEqual(theirs.targets.map((t) => t.index));
        photo.targets.forEach((t, j) => {
          expect(Math.abs(t.logit - theirs.targets[j].logit)).toBeLessThanOrEqual(TOLERANCE * 10);
          // The Eigen methods' sign is LAPACK's: either sign of the fresh file may match the committed one.
          const same = (a: number[], b: number[]) => a.every((v, k) => Math.abs(v - b[k]) <= TOLERANCE);
          const matches = same(t.map, theirs.targets[j].map) || (!!t.mapOtherSign && same(t.mapOtherSign, theirs.targets[j].map));
          expect(matches, `${method} ${photo.photo} class ${t.index}`).toBe(true);
        });
      });
    }
  });
});
