/**
 * Class discrimination of a map for class A in a scene with other classes: the share of its mass that
 * falls on the pixels of objects of other classes (lower is better; a map that ignores the class scores
 * about those objects' area share). Grad-CAM's claim to be class-discriminative (Selvaraju et al. 2017,
 * §3) made measurable with the scenes' exact masks.
 *
 * Example: `otherClassShare(mapForA, unionOfMasksOfOtherClasses)`.
 */

/** Σ map on `otherMask` / Σ map; 0 for an all-zero map. */
export function otherClassShare(map: ArrayLike<number>, otherMask: ArrayLike<number>): number {
  let on = 0;
  let total = 0;
  for (let i = 0; i < map.length; i++) {
    total += map[i];
    if (otherMask[i]) on += map[i];
  }
  return total > 0 ? on / total : 0;
}
