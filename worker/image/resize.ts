/**
 * Pure resizing helpers for RgbImage.
 *
 * `resizeArea` gives each output pixel the average of the source area it covers (a box filter with exact
 * fractional coverage, what Pillow calls BOX and OpenCV INTER_AREA). When shrinking, unlike nearest or
 * bilinear sampling, it uses every source pixel, so fine detail averages out instead of aliasing.
 *
 * @example
 *   const { width, height } = fitWithin(image.width, image.height, 512);
 *   const small = resizeArea(image, width, height);
 */
import type { RgbImage } from './rgb-image';

/** The largest size with the same aspect ratio whose longer side is at most `maxSide`; never enlarges. */
export function fitWithin(width: number, height: number, maxSide: number): { width: number; height: number } {
  const longer = Math.max(width, height);
  if (longer <= maxSide) return { width, height };
  const scale = maxSide / longer;
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

export function resizeArea(image: RgbImage, width: number, height: number): RgbImage {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`resizeArea: invalid size ${width}×${height}`);
  }
  if (width === image.width && height === image.height) return { width, height, data: image.data.slice() };
  // Separable: rows first into a float buffer (width × source height), then columns.
  const columns = areaTaps(image.width, width);
  const rows = areaTaps(image.height, height);
  const across = new Float32Array(width * image.height * 3);
  const src = image.data;
  for (let y = 0; y < image.height; y++) {
    const srcRow = y * image.width * 3;
    let dst = y * width * 3;
    for (let x = 0; x < width; x++, dst += 3) {
      let r = 0;
      let g = 0;
      let b = 0;
      const tapsEnd = columns.first[x + 1];
      for (let t = columns.first[x], s = srcRow + columns.index[t] * 3; t < tapsEnd; t++, s += 3) {
        const w = columns.weight[t];
        r += src[s] * w;
        g += src[s + 1] * w;
        b += src[s + 2] * w;
      }
      across[dst] = r;
      across[dst + 1] = g;
      across[dst + 2] = b;
    }
  }
  const out = new Uint8Array(width * height * 3);
  // A clamped view rounds to nearest on assignment and cannot wrap around if float error passes 255.
  const outClamped = new Uint8ClampedArray(out.buffer);
  const rowLength = width * 3;
  const sum = new Float32Array(rowLength);
  for (let y = 0; y < height; y++) {
    sum.fill(0);
    for (let t = rows.first[y]; t < rows.first[y + 1]; t++) {
      const w = rows.weight[t];
      const from = rows.index[t] * rowLength;
      for (let i = 0; i < rowLength; i++) sum[i] += across[from + i] * w;
    }
    const to = y * rowLength;
    for (let i = 0; i < rowLength; i++) outClamped[to + i] = sum[i];
  }
  return { width, height, data: out };
}

/**
 * For each output index i: the source indices it overlaps (`index[first[i]] … index[first[i + 1] - 1]`, which
 * are consecutive) and the fraction of its area each covers (`weight`, summing to 1).
 */
function areaTaps(sourceSize: number, targetSize: number) {
  const scale = sourceSize / targetSize;
  const capacity = targetSize * (Math.ceil(scale) + 1);
  const first = new Int32Array(targetSize + 1);
  const index = new Int32Array(capacity);
  const weight = new Float32Array(capacity);
  let t = 0;
  for (let i = 0; i < targetSize; i++) {
    first[i] = t;
    const from = i * scale;
    const to = Math.min((i + 1) * scale, sourceSize);
    for (let j = Math.floor(from); j < to; j++) {
      const covered = Math.min(to, j + 1) - Math.max(from, j);
      if (covered <= 0) continue;
      index[t] = j;
      weight[t] = covered / scale;
      t++;
    }
  }
  first[targetSize] = t;
  return { first, index, weight };
}
