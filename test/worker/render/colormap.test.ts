import { describe, expect, it } from 'vitest';
import { COLORMAP_NAMES, colormapTable, isColormapName } from '../../../worker/render/colormap';

describe('colour maps', () => {
  it('gives 256 RGB entries for each map, with the ends each map is known for', () => {
    for (const name of COLORMAP_NAMES) expect(colormapTable(name)).toHaveLength(256 * 3);
    const rgb = (name: (typeof COLORMAP_NAMES)[number], i: number) => Array.from(colormapTable(name).slice(i * 3, i * 3 + 3));
    // jet runs from dark blue to dark red; viridis from dark purple to yellow; inferno from black to pale yellow.
    const [jr, , jb] = rgb('jet', 0);
    expect(jb).toBeGreaterThan(100);
    expect(jr).toBe(0);
    expect(rgb('jet', 255)[0]).toBeGreaterThan(100);
    expect(rgb('jet', 255)[2]).toBe(0);
    expect(rgb('viridis', 0)).toEqual([68, 1, 84]);
    expect(rgb('viridis', 255)).toEqual([253, 231, 37]);
    expect(rgb('inferno', 0)).toEqual([0, 0, 4]);
    expect(rgb('turbo', 0)).toEqual([35, 23, 27]);
  });

  it('knows its names', () => {
    expect(isColormapName('viridis')).toBe(true);
    expect(isColormapName('rainbow')).toBe(false);
  });
});
