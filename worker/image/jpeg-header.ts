/**
 * JPEG header: walks the marker segments after SOI (ITU-T T.81 Annex B) up to the first frame header
 * (SOFn, B.2.2: length, precision, height, width, components), reading the EXIF orientation from an APP1
 * segment met on the way. Nothing after the frame header is read.
 */
import { ImageInputError } from './error';
import { readExifOrientation } from './exif-orientation';
import type { ExifOrientation, ImageHeader } from './header';

/** Marker codes, T.81 Table B.1. */
const MARKER_PREFIX = 0xff;
const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP1 = 0xe1;
/** T.81 Table B.1: C0–CF are SOF0–SOF15 except these three. */
const DHT = 0xc4;
const JPG = 0xc8;
const DAC = 0xcc;

/** Markers with no length field: TEM and RST0–7 (T.81 B.1.1.3). */
export function isStandaloneMarker(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);
}

function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== DHT && marker !== JPG && marker !== DAC;
}

/** Returns undefined when the bytes are not a JPEG at all. */
export function readJpegHeader(bytes: Uint8Array): ImageHeader | undefined {
  if (bytes.length < 3 || bytes[0] !== MARKER_PREFIX || bytes[1] !== SOI || bytes[2] !== MARKER_PREFIX) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let orientation: ExifOrientation | undefined;
  const truncated = () => new ImageInputError('undecodable', 'The JPEG ends before its frame header.');
  let pos = 2;
  for (;;) {
    if (pos >= bytes.length) throw truncated();
    if (bytes[pos] !== MARKER_PREFIX) throw new ImageInputError('undecodable', `The JPEG has no marker at byte ${pos}.`);
    // Any number of 0xFF fill bytes may precede a marker (T.81 B.1.1.2).
    while (pos < bytes.length && bytes[pos] === MARKER_PREFIX) pos++;
    if (pos >= bytes.length) throw truncated();
    const marker = bytes[pos++];
    if (isStandaloneMarker(marker)) continue;
    if (marker === SOS || marker === EOI || marker === SOI) {
      throw new ImageInputError('undecodable', 'The JPEG has no frame header before its image data.');
    }
    if (pos + 2 > bytes.length) throw truncated();
    const length = view.getUint16(pos);
    if (length < 2) throw new ImageInputError('undecodable', `The JPEG has a malformed segment at byte ${pos - 2}.`);
    if (isStartOfFrame(marker)) {
      if (pos + 7 > bytes.length) throw truncated();
      const height = view.getUint16(pos + 3);
      const width = view.getUint16(pos + 5);
      // Height 0 defers it to a DNL marker after the first scan, which the decoder does not support.
      if (width === 0 || height === 0) {
        throw new ImageInputError('undecodable', `The JPEG declares an unsupported size ${width}×${height}.`);
      }
      return { type: 'image/jpeg', width, height, orientation: orientation ?? 1 };
    }
    if (marker === APP1) {
      orientation ??= readExifOrientation(bytes.subarray(pos + 2, Math.min(pos + length, bytes.length)));
    }
    pos += length;
  }
}
