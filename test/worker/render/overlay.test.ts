import { describe, expect, it } from 'vitest';
import { colormapTable } from '../../../worker/render/colormap';
import { renderOverlay } from '../../../worker/render/overlay';
import { upsampleBilinear } from '../../../worker/render/upsample';

describe('upsampleBilinear', () => {
  it('keeps a constant map constant and interpolates between cell centres', () => {
    expect(Array.from(upsampleBilinear([7, 7, 7, 7], 2, 2, 5, 3))).toEqual(Array(15).fill(7));
    // 1×2 → 1×4: centres of the two cells sit at x = 0.5 and 2.5 of the target.
    expect(Array.from(upsampleBilinear([0, 100], 2, 1, 4, 1))).toEqual([0, 25, 75, 100]);
  });
});

describe('renderOverlay', () => {
  it('blends the coloured map over the image with the given opacity', () => {
    const image = { width: 4, height: 2, data: new Uint8Array(4 * 2 * 3).fill(100) };
    const map = { width: 2, height: 1, data: new Uint8Array([0, 255]) };
    const out = renderOverlay(image, map, { colormap: 'viridis', alpha: 0.5 });
    expect(out).toHaveLength(4 * 2 * 4);
    const hot = colormapTable('viridis').slice(255 * 3, 256 * 3);
    expect(Array.from(out.slice(3 * 4, 3 * 4 + 4))).toEqual([...Uint8ClampedArray.from(hot, (c) => 50 + c / 2), 255]);
    const opaque = renderOverlay(image, map, { colormap: 'jet', alpha: 0 });
    expect(Array.from(opaque.slice(0, 4))).toEqual([100, 100, 100, 255]);
  });
});
