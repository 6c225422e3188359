import { describe, expect, it } from 'vitest';
import { colormapTable } from '../../worker/render/colormap';
import { renderOverlay } from '../../worker/render/overlay';
import { maskImage, renderView, type RgbImage } from '../../viewer/src/views';

const image: RgbImage = { width: 2, height: 1, data: new Uint8Array([200, 100, 50, 10, 20, 30]) };
/** Cold on the left, hot on the right; one cell per pixel, so no interpolation blurs it. */
const map = { width: 2, height: 1, data: new Uint8Array([0, 255]) };
const options = { colormap: 'jet' as const, alpha: 0.5 };

describe('the four views', () => {
  it('image: the pixels as they are, opaque', () => {
    expect([...renderView('image', image, map, options)]).toEqual([200, 100, 50, 255, 10, 20, 30, 255]);
  });

  it('map: the colour map alone, whatever the opacity', () => {
    const jet = colormapTable('jet');
    expect([...renderView('map', image, map, options)]).toEqual([jet[0], jet[1], jet[2], 255, jet[765], jet[766], jet[767], 255]);
  });

  it("overlay: the worker's blend, so the viewer and overlay.png agree", () => {
    expect(renderView('overlay', image, map, options)).toEqual(renderOverlay(image, map, options));
  });

  it('masked: each pixel weighted by the map', () => {
    expect([...maskImage(image, map)]).toEqual([0, 0, 0, 255, 10, 20, 30, 255]);
    const half = { width: 1, height: 1, data: new Uint8Array([128]) };
    expect([...renderView('masked', image, half, options)]).toEqual([100, 50, 25, 255, 5, 10, 15, 255]);
  });
});
