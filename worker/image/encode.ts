/**
 * Encoders for what the worker stores or serves: a small JPEG preview of the input (for the cache) and PNGs
 * of RGBA images (the overlay).
 *
 * @example
 *   const preview = await encodePreview(image); // longest side ≤ 512, JPEG quality 85
 *   const png = await encodePng(overlayRgba, width, height);
 */
import { encodeJpegRgba, encodePngRgba } from './codecs';
import { fitWithin, resizeArea } from './resize';
import type { RgbImage } from './rgb-image';

/** Longest side of a preview: enough for a viewer beside the heat map, small enough to cache cheaply. */
export const PREVIEW_MAX_SIDE = 512;
/** mozjpeg quality: artefacts stay invisible at preview size, files stay around 30–60 KB. */
export const PREVIEW_JPEG_QUALITY = 85;

export interface EncodedImage {
  bytes: Uint8Array;
  type: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
}

/** Shrinks (never enlarges) so the longer side is at most `maxSide`, by area averaging, then encodes JPEG. */
export async function encodePreview(image: RgbImage, maxSide = PREVIEW_MAX_SIDE): Promise<EncodedImage> {
  const { width, height } = fitWithin(image.width, image.height, maxSide);
  const fitted = width === image.width && height === image.height ? image : resizeArea(image, width, height);
  const bytes = await encodeJpegRgba({ width, height, data: rgbToRgba(fitted) }, PREVIEW_JPEG_QUALITY);
  return { bytes, type: 'image/jpeg', width, height };
}

/** Encodes 8-bit RGBA (row-major, width × height × 4 bytes) as a PNG. */
export async function encodePng(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): Promise<Uint8Array> {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`encodePng: invalid size ${width}×${height}`);
  }
  if (rgba.length !== width * height * 4) {
    throw new RangeError(`encodePng: ${rgba.length} bytes is not ${width}×${height}×4`);
  }
  const data = new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.length);
  return encodePngRgba({ width, height, data });
}

/** The codecs take RGBA only; opaque. */
function rgbToRgba(image: RgbImage): Uint8ClampedArray {
  const pixels = image.width * image.height;
  const rgba = new Uint8ClampedArray(pixels * 4);
  const rgb = image.data;
  for (let i = 0, s = 0, d = 0; i < pixels; i++, s += 3, d += 4) {
    rgba[d] = rgb[s];
    rgba[d + 1] = rgb[s + 1];
    rgba[d + 2] = rgb[s + 2];
    rgba[d + 3] = 255;
  }
  return rgba;
}
