/**
 * Distractor clutter that belongs to no class: thin strokes (lines, zigzags, squiggles) and specks far
 * smaller than any object. Each item is plain data; `forEachClutterPixel` lists the pixels it covers.
 *
 * Example: `forEachClutterPixel({ kind: 'speck', x: 5, y: 5, radius: 1.5, color: [0, 0, 0] }, 64, 64, (i) => …)`.
 */
import type { Rgb } from './textures';

export type Clutter =
  /** A polyline of `width` px through `points` (pixel coordinates). */
  | { kind: 'stroke'; points: [number, number][]; width: number; color: Rgb }
  | { kind: 'speck'; x: number; y: number; radius: number; color: Rgb };

/** Squared distance from (x, y) to the segment from a to b. */
function segmentDistance2(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((x - ax) * dx + (y - ay) * dy) / len2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = x - (ax + t * dx);
  const ey = y - (ay + t * dy);
  return ex * ex + ey * ey;
}

/**
 * Calls `visit(pixelIndex)` once for every pixel whose centre the item covers (the order is fixed, and a
 * pixel covered by two segments of a stroke is visited twice — painting it twice is harmless).
 */
export function forEachClutterPixel(item: Clutter, width: number, height: number, visit: (index: number) => void): void {
  if (item.kind === 'speck') {
    const r2 = item.radius * item.radius;
    const x0 = Math.max(0, Math.floor(item.x - item.radius));
    const x1 = Math.min(width - 1, Math.ceil(item.x + item.radius));
    const y0 = Math.max(0, Math.floor(item.y - item.radius));
    const y1 = Math.min(height - 1, Math.ceil(item.y + item.radius));
    for (let py = y0; py <= y1; py++) {
      for (let px = x0; px <= x1; px++) {
        const dx = px + 0.5 - item.x;
        const dy = py + 0.5 - item.y;
        if (dx * dx + dy * dy <= r2) visit(py * width + px);
      }
    }
    return;
  }
  const half = item.width / 2;
  const half2 = half * half;
  for (let s = 0; s + 1 < item.points.length; s++) {
    const [ax, ay] = item.points[s];
    const [bx, by] = item.points[s + 1];
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - half));
    const x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx) + half));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - half));
    const y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by) + half));
    for (let py = y0; py <= y1; py++) {
      for (let px = x0; px <= x1; px++) {
        if (segmentDistance2(px + 0.5, py + 0.5, ax, ay, bx, by) <= half2) visit(py * width + px);
      }
    }
  }
}
