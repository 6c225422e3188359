/**
 * Size limits, checked on the header before any decoder allocates: a small file can declare a huge canvas
 * (a "decompression bomb"), so pixels are limited separately from bytes.
 *
 * @example
 *   checkImageLimits(readImageHeader(bytes), bytes.byteLength, { maxBytes: 5e6, maxPixels: 12e6 });
 */
import { ImageInputError } from './error';
import type { ImageHeader } from './image-header';

export interface ImageLimits {
  maxBytes: number;
  /** Declared width × height. */
  maxPixels: number;
}

/**
 * Mirrors MAX_IMAGE_BYTES and MAX_IMAGE_PIXELS in wrangler.toml. 12 megapixels (a 4000×3000 phone photo) is
 * what one isolate's admission budget holds (service/admission.ts: 8 bytes a pixel while decoding).
 */
export const DEFAULT_IMAGE_LIMITS: Readonly<ImageLimits> = { maxBytes: 10_000_000, maxPixels: 12_000_000 };

/** @throws ImageInputError 'too-many-bytes' or 'too-many-pixels'. */
export function checkImageLimits(header: ImageHeader, byteLength: number, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): void {
  if (byteLength > limits.maxBytes) {
    throw new ImageInputError('too-many-bytes', `The image is ${byteLength} bytes; at most ${limits.maxBytes} are accepted.`);
  }
  const pixels = header.width * header.height;
  if (pixels > limits.maxPixels) {
    throw new ImageInputError(
      'too-many-pixels',
      `The image is ${header.width}×${header.height} (${pixels} pixels); at most ${limits.maxPixels} pixels are accepted.`,
    );
  }
}
