/**
 * JPEG header: walks the marker segments after SOI (ITU-T T.81 Annex B) up to the first frame header
 * (SOFn, B.2.2: length, precision, height, width, components), reading the EXIF orientation from an APP1
 * segment met on the way. Nothing after the frame header is read.
 */
import { ImageInputError } from './error';
import { readExifOrientation } from './exif-orientation';
import type { ExifOrientation, ImageHeader } from './image-header';
import { APP1, EOI, isStandaloneMarker, isStartOfFrame, MARKER_PREFIX, SOI, SOS } from './jpeg-markers';

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
