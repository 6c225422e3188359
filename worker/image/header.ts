/**
 * Sniffs an image's type and declared size from its first bytes, before anything is decoded, so limits can
 * be enforced on what the file claims rather than on what a decoder has already allocated.
 *
 * @example
 *   const { type, width, height, orientation } = readImageHeader(bytes);
 */
import { ImageInputError } from './error';
import type { ImageHeader } from './image-header';
import { readJpegHeader } from './jpeg-header';
import { readPngHeader } from './png-header';
import { readWebpHeader } from './webp-header';

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
