import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateScene, renderScene, sampleScene, sceneLabels, type SceneSpec } from '../../../models/scenes/generate-scene';
import { SHAPE_CLASSES } from '../../../models/scenes/shapes';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A colour no texture produces by chance in the pixels we compare (checked by the test itself). */
const MARKER: [number, number, number] = [3, 251, 7];

describe('generateScene', () => {
  it('gives the same bytes for the same seed, whatever ran before', () => {
    const first = generateScene(11);
    for (let s = 0; s < 5; s++) generateScene(s);
    const again = generateScene(11);
    expect(sha256(again.image)).toBe(sha256(first.image));
    expect(again.objects.map((o) => [o.className, o.box, sha256(o.mask)])).toEqual(
      first.objects.map((o) => [o.className, o.box, sha256(o.mask)]),
    );
    expect(sha256(generateScene(12).image)).not.toBe(sha256(first.image));
  });

  it('keeps producing the scenes the committed model was trained on', () => {
    // Pinned digests: a change here changes every dataset, so the model must be retrained with it.
    const digest = sha256(new Uint8Array([0, 1, 2, 1_073_741_824].flatMap((s) => [...generateScene(s).image])));
    expect(digest).toBe('2fce6d3dc94aa6fdc80ce603aed8b5a76a45e3589b6ec88861338fd9585e5bbc');
  });

  it('draws 1–3 objects of distinct classes, and every class over a few hundred scenes', () => {
    const counts = new Array(SHAPE_CLASSES.length).fill(0);
    for (let s = 0; s < 300; s++) {
      const scene = generateScene(s);
      expect(scene.objects.length).toBeGreaterThanOrEqual(1);
      expect(scene.objects.length).toBeLessThanOrEqual(3);
      const labels = sceneLabels(scene);
      expect(labels.reduce((a, b) => a + b, 0)).toBe(scene.objects.length);
      scene.objects.forEach((o) => counts[o.classIndex]++);
    }
    expect(Math.min(...counts)).toBeGreaterThan(30);
  });

  it('scales with the requested size', () => {
    const scene = generateScene(5, { size: 224 });
    expect(scene.width).toBe(224);
    expect(scene.image.length).toBe(224 * 224 * 3);
    expect(scene.objects[0].mask.length).toBe(224 * 224);
  });
});

describe('masks and boxes agree with the pixels', () => {
  const seeds = Array.from({ length: 60 }, (_, i) => i * 7919);

  it('an object recoloured to a marker shows the marker on exactly its mask', () => {
    for (const seed of seeds) {
      const spec = sampleScene(seed);
      const scene = renderScene(spec);
      scene.objects.forEach((object, k) => {
        const marked: SceneSpec = structuredClone(spec);
        marked.objects[k].fill = { pattern: { kind: 'solid', color: MARKER }, grain: 0, grainSeed: 0 };
        const recoloured = renderScene(marked);
        for (let i = 0; i < object.mask.length; i++) {
          const isMarker =
            recoloured.image[3 * i] === MARKER[0] && recoloured.image[3 * i + 1] === MARKER[1] && recoloured.image[3 * i + 2] === MARKER[2];
          if (object.mask[i] !== (isMarker ? 1 : 0)) throw new Error(`seed ${seed}, object ${k}, pixel ${i}: mask ${object.mask[i]}`);
        }
        expect(recoloured.objects[k].mask).toEqual(object.mask);
      });
    }
  });

  it('removing an object changes the image, and other masks, only inside its mask', () => {
    for (const seed of seeds) {
      const spec = sampleScene(seed);
      const scene = renderScene(spec);
      scene.objects.forEach((object, k) => {
        const without: SceneSpec = { ...spec, objects: spec.objects.filter((_, j) => j !== k) };
        const rest = renderScene(without);
        let changedInside = 0;
        for (let i = 0; i < object.mask.length; i++) {
          const same = [0, 1, 2].every((c) => rest.image[3 * i + c] === scene.image[3 * i + c]);
          if (!object.mask[i] && !same) throw new Error(`seed ${seed}, object ${k}: pixel ${i} outside the mask changed`);
          if (object.mask[i] && !same) changedInside++;
        }
        // Objects contrast with the background, so removing one changes most of its pixels.
        expect(changedInside).toBeGreaterThan(0.5 * object.mask.reduce((a, b) => a + b, 0));
        // Other masks keep their pixels and may only gain ones this object covered.
        scene.objects
          .filter((_, j) => j !== k)
          .forEach((other, j) => {
            rest.objects[j].mask.forEach((m, i) => {
              if (m !== other.mask[i] && !(m === 1 && object.mask[i] === 1)) {
                throw new Error(`seed ${seed}: removing object ${k} changed another mask at pixel ${i}`);
              }
            });
          });
      });
    }
  });

  it('boxes are the tight bounds of non-empty masks', () => {
    for (const seed of seeds) {
      const scene = generateScene(seed);
      for (const { mask, box } of scene.objects) {
        let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
        let area = 0;
        mask.forEach((m, i) => {
          if (!m) return;
          const x = i % scene.width;
          const y = Math.floor(i / scene.width);
          [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x + 1), Math.max(y1, y + 1)];
          area++;
        });
        expect(area).toBeGreaterThan(100);
        expect(box).toEqual({ x0, y0, x1, y1 });
      }
    }
  });
});

describe('models/scenes uses no platform APIs', () => {
  it('imports nothing but its own files and touches no Node, DOM or worker globals', () => {
    const dir = path.resolve(import.meta.dirname, '../../../models/scenes');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(path.join(dir, file), 'utf8');
      for (const m of source.matchAll(/from\s+'([^']+)'/g)) expect(m[1], `${file} imports ${m[1]}`).toMatch(/^\.\//);
      expect(source, file).not.toMatch(/\b(process|Buffer|require|window|document|globalThis|crypto|fetch)\b/);
    }
  });
});
