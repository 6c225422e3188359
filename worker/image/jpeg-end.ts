/**
 * Finds whether a JPEG reaches its EOI marker, walking segments and skipping entropy-coded data the way
 * T.81 B.1.1.5 defines it: inside a scan, 0xFF is followed by 0x00 (a stuffed data byte), RST0–7 or fill
 * bytes; anything else is the next marker.
 *
 * Why: libjpeg (and so @jsquash/jpeg) decodes a truncated JPEG without failing — it warns "Premature end of
 * JPEG file" and pads the missing rows with grey — so a cut-off upload would otherwise be explained as if
 * it were a photo. Bytes after EOI (an appended video in "motion photos", say) are allowed.
 */
import { EOI, isRestartMarker, isStandaloneMarker, MARKER_PREFIX, SOS } from './jpeg-markers';

/** 0xFF 0x00 is a stuffed data byte 0xFF, not a marker (T.81 B.1.1.5). */
const STUFFED_ZERO = 0x00;

export function hasJpegEndOfImage(bytes: Uint8Array): boolean {
  let pos = 2; // after SOI
  for (;;) {
    // Bytes between segments are an error libjpeg tolerates with a warning; skip to the next marker.
    pos = bytes.indexOf(MARKER_PREFIX, pos);
    if (pos < 0) return false;
    while (pos < bytes.length && bytes[pos] === MARKER_PREFIX) pos++;
    if (pos >= bytes.length) return false;
    const marker = bytes[pos++];
    if (marker === EOI) return true;
    if (isStandaloneMarker(marker) || marker === STUFFED_ZERO) continue;
    if (pos + 2 > bytes.length) return false;
    pos += (bytes[pos] << 8) | bytes[pos + 1];
    if (marker === SOS) {
      pos = endOfEntropyCodedData(bytes, pos);
      if (pos < 0) return false;
    }
  }
}

/** The offset of the marker that ends a scan, or -1 when the data runs out first. */
function endOfEntropyCodedData(bytes: Uint8Array, from: number): number {
  let pos = from;
  for (;;) {
    pos = bytes.indexOf(MARKER_PREFIX, pos);
    if (pos < 0 || pos + 1 >= bytes.length) return -1;
    const next = bytes[pos + 1];
    if (next === STUFFED_ZERO || isRestartMarker(next)) pos += 2;
    else if (next === MARKER_PREFIX) pos += 1;
    else return pos;
  }
}
