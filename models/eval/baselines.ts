/**
 * Reference maps the evaluation scores Grad-CAM against, all non-negative and at image resolution, none
 * looking at the model: uniform noise, a centred Gaussian (the "centre bias" of photographs), and the
 * Sobel edge magnitude of the image (salient-looking without knowing the class).
 *
 * Example: `sobelEdgeMap(scene.image, 128, 128)`.
 */
import { createRandom } from '../scenes/random';

/** Independent uniform values per pixel, from a seed. */
export function randomMap(width: number, height: number, seed: number): Float32Array {
  const rng = createRandom(seed);
  return Float32Array.from({ length: width * height }, () => rng.next());
}

/** exp(−d²/2σ²) around the image centre, σ = `sigmaShare` × the shorter side (default a quarter). */
export function centredGaussianMap(width: number, height: number, sigmaShare = 0.25): Float32Array {
  const sigma = sigmaShare * Math.min(width, height);
  const map = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d2 = (x + 0.5 - width / 2) ** 2 + (y + 0.5 - height / 2) ** 2;
      map[y * width + x] = Math.exp(-d2 / (2 * sigma * sigma));
    }
  }
  return map;
}

/** Gradient magnitude of the luma (Rec. 601 weights) under the 3×3 Sobel kernels, edges replicated. */
export function sobelEdgeMap(rgb: Uint8Array, width: number, height: number): Float32Array {
  const luma = new Float32Array(width * height);
  for (let i = 0; i < luma.length; i++) luma[i] = 0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2];
  const at = (x: number, y: number) => luma[Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))];
  const map = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const gx = at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x - 1, y) - at(x - 1, y + 1);
      const gy = at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x, y - 1) - at(x + 1, y - 1);
      map[y * width + x] = Math.hypot(gx, gy);
    }
  }
  return map;
}
