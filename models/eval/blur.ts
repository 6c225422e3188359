/**
 * The insertion metric's starting image: a Gaussian blur with Petsiuk et al.'s kernel (11 taps, σ = 5 at
 * 224 px; RISE's reference code), scaled to the image side. Separable, edges replicated.
 *
 * Example: `blurForInsertion(pixels, 128, 128)` (RGB floats in, RGB floats out).
 */

/** σ and radius (in px) of RISE's kernel at 224 px. */
export const RISE_BLUR_AT_224 = { sigma: 5, radius: 5 };

export function gaussianBlur(rgb: Float32Array, width: number, height: number, sigma: number, radius: number): Float32Array {
  const taps = Float32Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const total = taps.reduce((a, b) => a + b, 0);
  taps.forEach((t, i) => (taps[i] = t / total));
  const pass = (src: Float32Array, dx: number, dy: number): Float32Array => {
    const out = new Float32Array(src.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let k = -radius; k <= radius; k++) {
            const sx = Math.min(width - 1, Math.max(0, x + k * dx));
            const sy = Math.min(height - 1, Math.max(0, y + k * dy));
            sum += taps[k + radius] * src[3 * (sy * width + sx) + c];
          }
          out[3 * (y * width + x) + c] = sum;
        }
      }
    }
    return out;
  };
  return pass(pass(rgb, 1, 0), 0, 1);
}

export function blurForInsertion(rgb: Float32Array, width: number, height: number): Float32Array {
  const scale = Math.min(width, height) / 224;
  const radius = Math.max(1, Math.round(RISE_BLUR_AT_224.radius * scale));
  return gaussianBlur(rgb, width, height, RISE_BLUR_AT_224.sigma * scale, radius);
}
