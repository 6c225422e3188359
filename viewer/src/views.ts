/**
 * The four views of an explanation as RGBA pixels at the image's resolution. Colour and blending come
 * from the worker's render module (the same tables and upsampling as overlay.png); only the masked view
 * is drawn here.
 */
import { renderOverlay, type HeatMap, type OverlayOptions } from '../../worker/render/overlay';
import { upsampleBilinear } from '../../worker/render/upsample';
import type { ViewName } from './state';

export interface RgbImage {
  width: number;
  height: number;
  /** width × height × 3 bytes, row-major. */
  data: Uint8Array;
}

function opaque(image: RgbImage): Uint8ClampedArray {
  const out = new Uint8ClampedArray(image.width * image.height * 4);
  for (let p = 0, q = 0; p < image.data.length; p += 3, q += 4) {
    out[q] = image.data[p];
    out[q + 1] = image.data[p + 1];
    out[q + 2] = image.data[p + 2];
    out[q + 3] = 255;
  }
  return out;
}

/** The image with each pixel weighted by the map (0 → black, 255 → unchanged): what the model looked at. */
export function maskImage(image: RgbImage, map: HeatMap): Uint8ClampedArray {
  const weights = upsampleBilinear(map.data, map.width, map.height, image.width, image.height);
  const out = new Uint8ClampedArray(image.width * image.height * 4);
  for (let p = 0; p < weights.length; p++) {
    const w = weights[p] / 255;
    out[p * 4] = image.data[p * 3] * w;
    out[p * 4 + 1] = image.data[p * 3 + 1] * w;
    out[p * 4 + 2] = image.data[p * 3 + 2] * w;
    out[p * 4 + 3] = 255;
  }
  return out;
}

/** RGBA pixels of `view`: the image, the map alone, the map over the image, or the masked image. */
export function renderView(view: ViewName, image: RgbImage, map: HeatMap, options: OverlayOptions): Uint8ClampedArray {
  switch (view) {
    case 'image':
      return opaque(image);
    case 'map':
      // Fully opaque colour: the image's own pixels get weight 0.
      return renderOverlay(image, map, { colormap: options.colormap, alpha: 1 });
    case 'overlay':
      return renderOverlay(image, map, options);
    case 'masked':
      return maskImage(image, map);
  }
}
