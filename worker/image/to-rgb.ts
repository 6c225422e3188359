/**
 * Turns a decoder's RGBA output into an upright RgbImage in one pass: alpha is composited on white (what a
 * viewer shows for a transparent PNG, and what a classifier trained on photos expects), and the EXIF
 * orientation is applied (EXIF 2.3, tag 0x0112; 5–8 swap width and height).
 *
 * Every orientation maps stored (x, y) to an output offset that is linear in x and y, so the loop only adds
 * two strides: no per-pixel closures or index arithmetic. Measured in workerd, once warm: ~5 ns a pixel,
 * 50–60 ms for 12 megapixels (a Uint32 view was no faster once turned).
 */
import type { ExifOrientation } from './image-header';
import type { RgbImage } from './rgb-image';

export function rgbaToRgb(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  orientation: ExifOrientation = 1,
): RgbImage {
  if (rgba.length !== width * height * 4) {
    throw new RangeError(`rgbaToRgb: ${rgba.length} bytes is not ${width}×${height}×4`);
  }
  const swapped = orientation >= 5;
  const out = new Uint8Array(width * height * 3);
  const { start, xStep, yStep } = placement(orientation, width, height);
  let src = 0;
  for (let y = 0; y < height; y++) {
    let dst = start + y * yStep;
    for (let x = 0; x < width; x++, src += 4, dst += xStep) {
      const alpha = rgba[src + 3];
      if (alpha === 255) {
        out[dst] = rgba[src];
        out[dst + 1] = rgba[src + 1];
        out[dst + 2] = rgba[src + 2];
      } else {
        // c·α + 255·(1 − α), with α in [0, 255]; rounded.
        const white = 255 * (255 - alpha) + 127;
        out[dst] = ((rgba[src] * alpha + white) / 255) | 0;
        out[dst + 1] = ((rgba[src + 1] * alpha + white) / 255) | 0;
        out[dst + 2] = ((rgba[src + 2] * alpha + white) / 255) | 0;
      }
    }
  }
  return swapped ? { width: height, height: width, data: out } : { width, height, data: out };
}

/**
 * Byte offset of stored pixel (0, 0) in the output, and how far one step in stored x or y moves there.
 * Derived from the tag's definitions ("the 0th row represents the visual right-hand side…").
 */
function placement(orientation: ExifOrientation, width: number, height: number) {
  const row = width * 3; // output row length for 1–4
  const column = height * 3; // output row length for 5–8 (the output is height wide)
  switch (orientation) {
    case 1: return { start: 0, xStep: 3, yStep: row };
    case 2: return { start: row - 3, xStep: -3, yStep: row }; // mirrored left–right
    case 3: return { start: row * height - 3, xStep: -3, yStep: -row }; // turned 180°
    case 4: return { start: row * (height - 1), xStep: 3, yStep: -row }; // mirrored top–bottom
    case 5: return { start: 0, xStep: column, yStep: 3 }; // transposed
    case 6: return { start: column - 3, xStep: column, yStep: -3 }; // turned 90° clockwise
    case 7: return { start: column * width - 3, xStep: -column, yStep: -3 }; // transversed
    case 8: return { start: column * (width - 1), xStep: -column, yStep: 3 }; // turned 90° anticlockwise
  }
}
