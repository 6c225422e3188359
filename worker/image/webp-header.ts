/**
 * WebP header, per the WebP container specification (RFC 9649): "RIFF", size, "WEBP", then the first
 * chunk, which is one of
 * - "VP8 " (lossy): a 3-byte frame tag, the start code 9D 01 2A, then 14-bit width and height (RFC 6386 §9.1);
 * - "VP8L" (lossless): the signature byte 0x2F, then 14-bit width − 1 and height − 1 (RFC 9649, lossless
 *   bitstream, "RIFF Header");
 * - "VP8X" (extended): flags, 3 reserved bytes, then 24-bit canvas width − 1 and height − 1.
 * All multi-byte values are little-endian.
 */
import { ImageInputError } from './error';
import type { ImageHeader } from './image-header';

const RIFF = 0x46464952; // "RIFF" read little-endian
const WEBP = 0x50424557; // "WEBP"
const VP8 = 0x20385056; // "VP8 "
const VP8L = 0x4c385056; // "VP8L"
const VP8X = 0x58385056; // "VP8X"
/** RFC 6386 §9.1. */
const VP8_START_CODE = [0x9d, 0x01, 0x2a];
/** RFC 9649, lossless bitstream. */
const VP8L_SIGNATURE = 0x2f;
/** Chunk payloads start after "RIFF", size, "WEBP", FourCC, chunk size. */
const PAYLOAD = 20;

/** Returns undefined when the bytes are not a WebP at all. */
export function readWebpHeader(bytes: Uint8Array): ImageHeader | undefined {
  if (bytes.length < 12) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== RIFF || view.getUint32(8, true) !== WEBP) return undefined;
  const truncated = () => new ImageInputError('undecodable', 'The WebP ends inside its header.');
  if (bytes.length < PAYLOAD) throw truncated();

  const fourCC = view.getUint32(12, true);
  if (fourCC === VP8) {
    if (bytes.length < PAYLOAD + 10) throw truncated();
    if (VP8_START_CODE.some((byte, i) => bytes[PAYLOAD + 3 + i] !== byte)) {
      throw new ImageInputError('undecodable', 'The WebP VP8 frame has no start code.');
    }
    // The top two bits of each are upscaling hints, not part of the size.
    return sized(view.getUint16(PAYLOAD + 6, true) & 0x3fff, view.getUint16(PAYLOAD + 8, true) & 0x3fff);
  }
  if (fourCC === VP8L) {
    if (bytes.length < PAYLOAD + 5) throw truncated();
    if (bytes[PAYLOAD] !== VP8L_SIGNATURE) throw new ImageInputError('undecodable', 'The WebP VP8L stream has no signature.');
    const bits = view.getUint32(PAYLOAD + 1, true);
    return sized((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (fourCC === VP8X) {
    if (bytes.length < PAYLOAD + 10) throw truncated();
    return sized(uint24(bytes, PAYLOAD + 4) + 1, uint24(bytes, PAYLOAD + 7) + 1);
  }
  throw new ImageInputError('undecodable', 'The WebP has no VP8, VP8L or VP8X chunk first.');
}

function sized(width: number, height: number): ImageHeader {
  if (width === 0 || height === 0) throw new ImageInputError('undecodable', `The WebP declares an invalid size ${width}×${height}.`);
  return { type: 'image/webp', width, height, orientation: 1 };
}

function uint24(bytes: Uint8Array, offset: number): number {
  return bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16);
}
