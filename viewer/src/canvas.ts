/** Canvas glue: decoded images in, RGBA pixels out, legend bars and PNG files. */
import { colormapTable, type ColormapName } from '../../worker/render/colormap';
import type { RgbImage } from './views';

/**
 * Longest side the viewer draws at. The map is drawn at the image's own resolution up to this; beyond
 * it a phone would spend seconds and hundreds of MB per redraw for pixels no screen shows.
 */
export const MAX_DRAW_SIDE = 2048;

/** The image's RGB pixels, scaled down (never up) so its longest side is at most `maxSide`. */
export function rgbPixels(source: ImageBitmap | HTMLCanvasElement, maxSide = MAX_DRAW_SIDE): RgbImage {
  const scale = Math.min(1, maxSide / Math.max(source.width, source.height));
  const width = Math.max(1, Math.round(source.width * scale));
  const height = Math.max(1, Math.round(source.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.imageSmoothingQuality = 'high';
  context.drawImage(source, 0, 0, width, height);
  const rgba = context.getImageData(0, 0, width, height).data;
  const data = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; q < rgba.length; p += 3, q += 4) {
    data[p] = rgba[q];
    data[p + 1] = rgba[q + 1];
    data[p + 2] = rgba[q + 2];
  }
  return { width, height, data };
}

/** Decodes an image file upright (EXIF orientation applied, as the API does). */
export function decodeImageFile(file: Blob): Promise<ImageBitmap> {
  return createImageBitmap(file, { imageOrientation: 'from-image' });
}

export function paint(canvas: HTMLCanvasElement, width: number, height: number, rgba: Uint8ClampedArray): void {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  canvas.getContext('2d')!.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
}

/** A horizontal legend: the colour map's 256 levels, low on the left. */
export function paintLegend(canvas: HTMLCanvasElement, colormap: ColormapName): void {
  const table = colormapTable(colormap);
  const rgba = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) rgba.set([table[i * 3], table[i * 3 + 1], table[i * 3 + 2], 255], i * 4);
  paint(canvas, 256, 1, rgba);
}

export function canvasPng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the canvas could not be encoded'))), 'image/png'),
  );
}

/** Saves a blob under `name` through a temporary object URL. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
