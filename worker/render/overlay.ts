/**
 * Draws a heat map over an image: the map (0…255, any resolution) is upsampled bilinearly to the image,
 * coloured through a colour map and alpha-blended: out = (1 − α)·image + α·colour(map).
 */
import type { RgbImage } from '../image/rgb-image';
import { colormapTable, type ColormapName } from './colormap';
import { upsampleBilinear } from './upsample';

export interface OverlayOptions {
  colormap: ColormapName;
  /** Opacity of the heat map, 0…1. */
  alpha: number;
}

export interface HeatMap {
  width: number;
  height: number;
  /** width × height bytes, 0…255 (the API's normalised map). */
  data: Uint8Array;
}

/** image: RGB bytes (width × height × 3) → RGBA bytes of the same size with the map blended in. */
export function renderOverlay(image: RgbImage, map: HeatMap, options: OverlayOptions): Uint8ClampedArray {
  const { width, height } = image;
  const table = colormapTable(options.colormap);
  const values = upsampleBilinear(map.data, map.width, map.height, width, height);
  const alpha = Math.min(1, Math.max(0, options.alpha));
  const out = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const level = Math.round(values[p]) * 3;
    for (let c = 0; c < 3; c++) {
      out[p * 4 + c] = (1 - alpha) * image.data[p * 3 + c] + alpha * table[level + c];
    }
    out[p * 4 + 3] = 255;
  }
  return out;
}
