import { describe, expect, it } from 'vitest';
import type { ExifOrientation } from '../../../worker/image';
import { rgbaToRgb } from '../../../worker/image/to-rgb';

/** A 3×2 image whose pixel values are their stored indices 0…5 (in every channel). */
const W = 3;
const H = 2;
const stored = new Uint8ClampedArray(W * H * 4);
for (let i = 0; i < W * H; i++) stored.set([i, i, i, 255], i * 4);

/** What a viewer shows for each orientation, as stored indices row by row (EXIF 2.3, tag 0x0112). */
const DISPLAYED: Record<ExifOrientation, number[][]> = {
  1: [[0, 1, 2], [3, 4, 5]],
  2: [[2, 1, 0], [5, 4, 3]],
  3: [[5, 4, 3], [2, 1, 0]],
  4: [[3, 4, 5], [0, 1, 2]],
  5: [[0, 3], [1, 4], [2, 5]],
  6: [[3, 0], [4, 1], [5, 2]],
  7: [[5, 2], [4, 1], [3, 0]],
  8: [[2, 5], [1, 4], [0, 3]],
};

describe('rgbaToRgb', () => {
  for (const [orientation, rows] of Object.entries(DISPLAYED)) {
    it(`applies orientation ${orientation}`, () => {
      const image = rgbaToRgb(stored, W, H, Number(orientation) as ExifOrientation);
      expect([image.width, image.height]).toEqual([rows[0].length, rows.length]);
      expect(Array.from(image.data.filter((_, i) => i % 3 === 0))).toEqual(rows.flat());
    });
  }

  it('composites alpha on white, rounding', () => {
    const rgba = new Uint8ClampedArray([255, 0, 0, 128, 10, 20, 30, 0, 10, 20, 30, 255, 0, 100, 200, 51]);
    const image = rgbaToRgb(rgba, 4, 1);
    // 0·128/255 + 255·127/255 = 127; 100·0.2 + 255·0.8 = 224; 200·0.2 + 204 = 244.
    expect(Array.from(image.data)).toEqual([255, 127, 127, 255, 255, 255, 10, 20, 30, 204, 224, 244]);
  });

  it('rejects a buffer of the wrong length', () => {
    expect(() => rgbaToRgb(new Uint8Array(10), 2, 2)).toThrow(RangeError);
  });
});
