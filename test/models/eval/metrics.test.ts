import { describe, expect, it } from 'vitest';
import { centredGaussianMap, randomMap, sobelEdgeMap } from '../../../models/eval/baselines';
import { blurForInsertion } from '../../../models/eval/blur';
import { averagePrecision, meanAveragePrecision } from '../../../models/eval/metrics/average-precision';
import { otherClassShare } from '../../../models/eval/metrics/class-discrimination';
import { curveAuc, curveImages, saliencyOrder } from '../../../models/eval/metrics/deletion-insertion';
import { energyInBox } from '../../../models/eval/metrics/energy-in-box';
import { argmax, pointingGameHit, toleranceForSize } from '../../../models/eval/metrics/pointing-game';

const W = 32;
const H = 32;

describe('average precision', () => {
  it('is 1 for a perfect ranking and the mean precision at each positive otherwise', () => {
    expect(averagePrecision([0.9, 0.1, 0.8], [1, 0, 1])).toBe(1);
    expect(averagePrecision([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0])).toBeCloseTo((1 + 2 / 3) / 2, 12);
    expect(averagePrecision([0.5, 0.4], [0, 0])).toBeNaN();
  });

  it('averages over classes that have positives', () => {
    expect(meanAveragePrecision([[0.9, 0.1], [0.1, 0.9], [0.3, 0.2]], [[1, 0], [1, 0], [0, 0]])).toBeCloseTo(0.75, 12);
  });
});

describe('pointing game', () => {
  const map = new Float32Array(W * H);
  map[10 * W + 10] = 1;
  it('hits when the mask is within the tolerance of the maximum (15 px at 224)', () => {
    expect(toleranceForSize(224)).toBe(15);
    const near = new Uint8Array(W * H);
    near[10 * W + 18] = 1;
    const far = new Uint8Array(W * H);
    far[10 * W + 19] = 1;
    expect(pointingGameHit(map, near, W, H, 8.5)).toBe(true);
    expect(pointingGameHit(map, far, W, H, 8.5)).toBe(false);
    expect(argmax(map)).toBe(10 * W + 10);
  });
});

describe('energy in box and other-class share', () => {
  it('give the area share for a uniform map and 0 for an empty one', () => {
    const uniform = new Float32Array(W * H).fill(2);
    expect(energyInBox(uniform, W, { x0: 0, y0: 0, x1: 16, y1: 8 })).toBeCloseTo(0.125, 12);
    expect(energyInBox(new Float32Array(W * H), W, { x0: 0, y0: 0, x1: 16, y1: 8 })).toBe(0);
    const mask = new Uint8Array(W * H);
    mask.fill(1, 0, W * 4);
    expect(otherClassShare(uniform, mask)).toBeCloseTo(0.125, 12);
    expect(otherClassShare(new Float32Array(W * H), mask)).toBe(0);
  });
});

describe('deletion and insertion', () => {
  it('orders pixels by saliency, most salient first', () => {
    const order = saliencyOrder(Float32Array.from([0.1, 0.9, 0.5, 0.9]));
    expect([...order.slice(0, 2)].sort()).toEqual([1, 3]);
    expect([...order.slice(2)]).toEqual([2, 0]);
  });

  it('builds steps + 1 images from start to end, replacing pixels in order', () => {
    const start = new Float32Array(4 * 3).fill(1);
    const end = new Float32Array(4 * 3).fill(0);
    const images = curveImages(start, end, Uint32Array.from([2, 0, 3, 1]), 2);
    expect(images).toHaveLength(3);
    expect([...images[0]]).toEqual([...start]);
    expect([...images[1]]).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1]);
    expect([...images[2]]).toEqual([...end]);
  });

  it('integrates with the trapezoid rule over [0, 1]', () => {
    expect(curveAuc([1, 1, 1])).toBe(1);
    expect(curveAuc([1, 0.5, 0])).toBe(0.5);
    expect(curveAuc([0, 1])).toBe(0.5);
  });

  it('blurs without changing a flat image', () => {
    const flat = new Float32Array(W * H * 3).fill(77);
    blurForInsertion(flat, W, H).forEach((v) => expect(v).toBeCloseTo(77, 4));
  });
});

describe('baselines', () => {
  it('the Gaussian peaks at the centre, the random map is fixed by its seed', () => {
    const g = centredGaussianMap(W, H);
    const peak = argmax(g);
    expect([peak % W, Math.floor(peak / W)]).toEqual([15, 15]);
    expect(randomMap(W, H, 3)).toEqual(randomMap(W, H, 3));
    expect(randomMap(W, H, 3)).not.toEqual(randomMap(W, H, 4));
  });

  it('Sobel responds on an edge and not on flat colour', () => {
    const rgb = new Uint8Array(W * H * 3);
    for (let i = 0; i < W * H; i++) if (i % W >= 16) rgb.fill(200, 3 * i, 3 * i + 3);
    const edges = sobelEdgeMap(rgb, W, H);
    expect(edges[5 * W + 3]).toBe(0);
    expect(edges[5 * W + 15]).toBeGreaterThan(100);
  });
});
