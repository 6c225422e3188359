import { describe, expect, it } from 'vitest';
import { withJpegComment } from '../../bench/load-test';
import { bestRatio, pairedRatio, quantile, summarize } from '../../bench/stats';

describe('bench statistics', () => {
  it('interpolates quantiles between order statistics', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(summarize([5, 1, 3])).toMatchObject({ n: 3, median: 3, p25: 2, p75: 4, min: 1, max: 5 });
  });

  it('pairs samples round by round, so a slow round slows both sides of a ratio', () => {
    // Round 3 is slow for both; the paired ratio stays 2, the ratio of medians would not be exact.
    expect(pairedRatio([10, 10, 40, 10], [5, 5, 20, 5])).toBe(2);
    expect(bestRatio([10, 12, 40], [5, 6, 20])).toBe(2);
    expect(pairedRatio([1, 2], [1])).toBeNaN();
  });
});

describe('withJpegComment', () => {
  it('inserts a COM segment after SOI, leaving the rest of the file as it was', () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x02, 0xff, 0xd9]);
    const out = withJpegComment(jpeg, 'ab');
    expect([...out]).toEqual([0xff, 0xd8, 0xff, 0xfe, 0x00, 0x04, 0x61, 0x62, 0xff, 0xe0, 0x00, 0x02, 0xff, 0xd9]);
  });
});
