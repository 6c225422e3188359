/**
 * The evaluation's picture: example scenes in rows, each followed by one tile per present class with its
 * map overlaid (jet colours, half transparent), the class's object box in white, the map's maximum as a
 * small cross, and the class drawn as an icon in the corner (no fonts needed). Pure functions over bytes.
 *
 * Example: `composeGrid([[sceneTile, overlayTile(...)]], 128, 128)` → { rgb, width, height }.
 */
import { SHAPES, type ShapeClass } from '../scenes/shapes';
import type { PixelBox } from './metrics/energy-in-box';

export type Rgb = [number, number, number];

/** The classic "jet" colour map, t in [0, 1]. */
export function jet(t: number): Rgb {
  const c = (x: number) => Math.round(255 * Math.min(1, Math.max(0, x)));
  return [c(1.5 - Math.abs(4 * t - 3)), c(1.5 - Math.abs(4 * t - 2)), c(1.5 - Math.abs(4 * t - 1))];
}

export interface OverlayOptions {
  box?: PixelBox;
  /** Pixel index of the map's maximum. */
  peak?: number;
  icon?: ShapeClass;
  /** Weight of the colour map over the image. Default 0.5. */
  alpha?: number;
}

const ICON_SIZE = 18;

/** RGB image + a map in [0, 1] (same width × height) → an RGB tile with the overlay and markings. */
export function overlayTile(image: Uint8Array, width: number, height: number, map: ArrayLike<number>, options: OverlayOptions = {}): Uint8Array {
  const alpha = options.alpha ?? 0.5;
  const out = new Uint8Array(image.length);
  for (let i = 0; i < width * height; i++) {
    const color = jet(map[i]);
    for (let c = 0; c < 3; c++) out[3 * i + c] = Math.round((1 - alpha) * image[3 * i + c] + alpha * color[c]);
  }
  const put = (x: number, y: number, rgb: Rgb) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    out.set(rgb, 3 * (y * width + x));
  };
  if (options.box) {
    const { x0, y0, x1, y1 } = options.box;
    for (let x = x0; x < x1; x++) [put(x, y0, [255, 255, 255]), put(x, y1 - 1, [255, 255, 255])];
    for (let y = y0; y < y1; y++) [put(x0, y, [255, 255, 255]), put(x1 - 1, y, [255, 255, 255])];
  }
  if (options.peak !== undefined) {
    const px = options.peak % width;
    const py = Math.floor(options.peak / width);
    for (let d = -4; d <= 4; d++) [put(px + d, py, [0, 0, 0]), put(px, py + d, [0, 0, 0])];
    for (let d = -3; d <= 3; d++) [put(px + d, py, [255, 255, 255]), put(px, py + d, [255, 255, 255])];
  }
  if (options.icon) {
    const shape = SHAPES[options.icon];
    for (let y = 0; y < ICON_SIZE; y++) {
      for (let x = 0; x < ICON_SIZE; x++) {
        const u = ((x + 0.5) / ICON_SIZE) * 2.4 - 1.2;
        const v = ((y + 0.5) / ICON_SIZE) * 2.4 - 1.2;
        put(x, y, shape.contains(u, v) ? [0, 0, 0] : [255, 255, 255]);
      }
    }
  }
  return out;
}

/** Lays tiles (null = empty) out in rows, `gap` px of white between them. */
export function composeGrid(rows: (Uint8Array | null)[][], tileWidth: number, tileHeight: number, gap = 4): { rgb: Uint8Array; width: number; height: number } {
  const cols = Math.max(...rows.map((r) => r.length));
  const width = cols * tileWidth + (cols + 1) * gap;
  const height = rows.length * tileHeight + (rows.length + 1) * gap;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  rows.forEach((row, r) =>
    row.forEach((tile, c) => {
      if (!tile) return;
      const ox = gap + c * (tileWidth + gap);
      const oy = gap + r * (tileHeight + gap);
      for (let y = 0; y < tileHeight; y++) rgb.set(tile.subarray(y * tileWidth * 3, (y + 1) * tileWidth * 3), 3 * ((oy + y) * width + ox));
    }),
  );
  return { rgb, width, height };
}
