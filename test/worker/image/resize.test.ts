import { describe, expect, it } from 'vitest';
import { fitWithin, resizeArea, type RgbImage } from '../../../worker/image';

function grey(width: number, height: number, values: number[]): RgbImage {
  return { width, height, data: Uint8Array.from(values.flatMap((v) => [v, v, v])) };
}

function channel0(image: RgbImage): number[] {
  return Array.from(image.data.filter((_, i) => i % 3 === 0));
}

describe('fitWithin', () => {
  it('scales the longer side to maxSide, keeps the aspect ratio and never enlarges', () => {
    expect(fitWithin(1280, 720, 512)).toEqual({ width: 512, height: 288 });
    expect(fitWithin(3000, 4000, 512)).toEqual({ width: 384, height: 512 });
    expect(fitWithin(400, 300, 512)).toEqual({ width: 400, height: 300 });
    expect(fitWithin(10_000, 3, 512)).toEqual({ width: 512, height: 1 });
  });
});

describe('resizeArea', () => {
  it('averages whole blocks when shrinking by an integer factor', () => {
    const image = grey(4, 2, [0, 10, 20, 30, 40, 50, 60, 70]);
    expect(channel0(resizeArea(image, 2, 1))).toEqual([25, 45]);
  });

  it('weights partly covered pixels by the area they cover', () => {
    // 3 → 2: each output covers 1.5 pixels: (0 + 0.5·90) / 1.5 = 30, (0.5·90 + 180) / 1.5 = 150.
    expect(channel0(resizeArea(grey(3, 1, [0, 90, 180]), 2, 1))).toEqual([30, 150]);
  });

  it('keeps a flat image flat and channels apart', () => {
    const data = new Uint8Array(7 * 5 * 3);
    for (let i = 0; i < data.length; i += 3) data.set([200, 100, 3], i);
    const small = resizeArea({ width: 7, height: 5, data }, 3, 2);
    for (let i = 0; i < small.data.length; i += 3) expect(Array.from(small.data.subarray(i, i + 3))).toEqual([200, 100, 3]);
  });

  it('does not alias a fine pattern the way point sampling does', () => {
    // A one-pixel checkerboard of 0 and 255 shrunk 4×: every output is the mean, 128 (127.5 rounded).
    const values = Array.from({ length: 16 * 16 }, (_, i) => ((i % 16) + Math.floor(i / 16)) % 2 ? 255 : 0);
    expect(new Set(channel0(resizeArea(grey(16, 16, values), 4, 4)))).toEqual(new Set([128]));
  });

  it('returns a copy at the same size, and refuses an empty size', () => {
    const image = grey(2, 1, [1, 2]);
    const same = resizeArea(image, 2, 1);
    expect(same.data).not.toBe(image.data);
    expect(channel0(same)).toEqual([1, 2]);
    expect(() => resizeArea(image, 0, 1)).toThrow(RangeError);
  });
});
