/**
 * Pointing game (Zhang et al. 2018, "Top-down neural attention by excitation backprop", §5.1): a hit
 * when the map's maximum lies on the object, with a tolerance of 15 px at 224 px input (their value),
 * i.e. inside the object's mask dilated by that radius.
 *
 * Example: `pointingGameHit(map, mask, 128, 128, toleranceForSize(128))`.
 */

/** Tolerance radius in pixels from Zhang et al.: 15 px at 224 px, scaled to the image side. */
export const POINTING_TOLERANCE_AT_224 = 15;

export function toleranceForSize(side: number): number {
  return (POINTING_TOLERANCE_AT_224 * side) / 224;
}

/** Index of the first maximum of the map. */
export function argmax(map: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < map.length; i++) if (map[i] > map[best]) best = i;
  return best;
}

/** True when a mask pixel lies within `tolerance` px of the map's maximum (a flat map points at pixel 0). */
export function pointingGameHit(map: ArrayLike<number>, mask: ArrayLike<number>, width: number, height: number, tolerance: number): boolean {
  const peak = argmax(map);
  const px = peak % width;
  const py = (peak - px) / width;
  const r = Math.floor(tolerance);
  for (let y = Math.max(0, py - r); y <= Math.min(height - 1, py + r); y++) {
    for (let x = Math.max(0, px - r); x <= Math.min(width - 1, px + r); x++) {
      if (mask[y * width + x] && (x - px) ** 2 + (y - py) ** 2 <= tolerance * tolerance) return true;
    }
  }
  return false;
}
