/**
 * Causal faithfulness metrics (Petsiuk et al. 2018, "RISE", §4.1). Deletion: remove pixels from the
 * most to the least salient and watch the class probability fall (lower AUC is better). Insertion:
 * start from a blurred copy and put pixels back in the same order (higher AUC is better).
 * These functions only build the images of a curve and integrate it; scoring them is the caller's.
 *
 * Example: `const images = curveImages(image, blurred, map, 16); const auc = curveAuc(await score(images));`
 */

/**
 * Pixel indices from most to least salient. Ties (flat regions, e.g. where a ReLU'd map is 0) are broken
 * by a fixed scrambled order, so a flat region is removed evenly rather than in raster order.
 */
export function saliencyOrder(map: ArrayLike<number>): Uint32Array {
  const n = map.length;
  const order = Array.from({ length: n }, (_, i) => i);
  const scramble = (i: number) => Math.imul(i ^ 0x5bd1e995, 0x27d4eb2d) >>> 0;
  order.sort((a, b) => map[b] - map[a] || scramble(a) - scramble(b));
  return Uint32Array.from(order);
}

/**
 * The `steps + 1` images of a curve (RGB floats, pixel units): image k shows `start` with the first
 * k/steps of `order`'s pixels taken from `end`. Deletion: start = image, end = substrate.
 * Insertion: start = blurred, end = image.
 */
export function curveImages(start: Float32Array, end: Float32Array, order: Uint32Array, steps: number): Float32Array[] {
  const pixels = order.length;
  const images: Float32Array[] = [];
  const current = Float32Array.from(start);
  let done = 0;
  for (let k = 0; k <= steps; k++) {
    const target = Math.round((k * pixels) / steps);
    for (; done < target; done++) {
      const p = 3 * order[done];
      current[p] = end[p];
      current[p + 1] = end[p + 1];
      current[p + 2] = end[p + 2];
    }
    images.push(Float32Array.from(current));
  }
  return images;
}

/** Area under a curve sampled at evenly spaced fractions 0, 1/steps, …, 1 (trapezoid rule). */
export function curveAuc(scores: ArrayLike<number>): number {
  const steps = scores.length - 1;
  let sum = 0;
  for (let k = 0; k < steps; k++) sum += (scores[k] + scores[k + 1]) / 2;
  return sum / steps;
}
