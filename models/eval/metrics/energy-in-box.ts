/**
 * Energy-based localisation (Wang et al. 2020, "Score-CAM", §4.2): the share of a non-negative map's mass
 * that falls inside the object's bounding box. A map spread uniformly scores the box's area share.
 *
 * Example: `energyInBox(map, 128, { x0: 10, y0: 10, x1: 50, y1: 40 })`.
 */

export interface PixelBox {
  x0: number;
  y0: number;
  /** Exclusive. */
  x1: number;
  /** Exclusive. */
  y1: number;
}

/** Σ map inside the box / Σ map; 0 for an all-zero map (it localises nothing). */
export function energyInBox(map: ArrayLike<number>, width: number, box: PixelBox): number {
  let inside = 0;
  let total = 0;
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    total += v;
    const x = i % width;
    const y = (i - x) / width;
    if (x >= box.x0 && x < box.x1 && y >= box.y0 && y < box.y1) inside += v;
  }
  return total > 0 ? inside / total : 0;
}
