/**
 * PNG header: the 8-byte signature, then the IHDR chunk, which the PNG specification (ISO/IEC 15948,
 * §5.2, §11.2.2) requires to come first: length, "IHDR", width and height as big-endian uint32.
 */
import { ImageInputError } from './error';
import type { ImageHeader } from './image-header';

/** PNG specification §5.2. */
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** "IHDR" as a big-endian uint32. */
const IHDR = 0x49484452;
/** PNG specification §11.2.2: "zero is an invalid value"; the maximum is 2^31 - 1. */
const PNG_MAX_DIMENSION = 0x7fffffff;

/** Returns undefined when the bytes are not a PNG at all. */
export function readPngHeader(bytes: Uint8Array): ImageHeader | undefined {
  if (bytes.length < PNG_SIGNATURE.length || PNG_SIGNATURE.some((byte, i) => bytes[i] !== byte)) return undefined;
  if (bytes.length < 24) throw new ImageInputError('undecodable', 'The PNG ends inside its header.');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(12) !== IHDR) throw new ImageInputError('undecodable', 'The PNG does not start with an IHDR chunk.');
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (width === 0 || height === 0 || width > PNG_MAX_DIMENSION || height > PNG_MAX_DIMENSION) {
    throw new ImageInputError('undecodable', `The PNG declares an invalid size ${width}×${height}.`);
  }
  return { type: 'image/png', width, height, orientation: 1 };
}
