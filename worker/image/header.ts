/**
 * Sniffs an image's type and declared size from its first bytes, before anything is decoded, so limits can
 * be enforced on what the file claims rather than on what a decoder has already allocated.
 *
 * @example
 *   const { type, width, height, orientation } = readImageHeader(bytes);
 */
import { ImageInputError } from './error';
import { readJpegHeader } from './jpeg-header';
import { readPngHeader } from './png-header';
import { readWebpHeader } from './webp-header';

export type ImageType = 'image/jpeg' | 'image/png' | 'image/webp';

/** EXIF 2.3 §4.6.4 A, tag 0x0112: how the stored pixels must be turned for display (1 = as stored). */
export type ExifOrientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export interface ImageHeader {
  type: ImageType;
  /** Size as stored in the file; orientations 5–8 swap it for display. */
  width: number;
  height: number;
  /** From the JPEG's EXIF; always 1 for PNG and WebP. */
  orientation: ExifOrientation;
}

/**
 * @throws ImageInputError 'unsupported-type' when no supported signature matches, 'undecodable' when the
 * signature matches but the header is truncated or malformed.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  const header = readJpegHeader(bytes) ?? readPngHeader(bytes) ?? readWebpHeader(bytes);
  if (!header) {
    throw new ImageInputError('unsupported-type', 'Only JPEG, PNG and WebP images are supported.');
  }
  return header;
}
