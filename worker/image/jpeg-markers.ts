/**
 * JPEG marker codes (ITU-T T.81 Table B.1) and the classes of markers the segment walkers need: the
 * header reader (jpeg-header.ts) and the end-of-image check (jpeg-end.ts). Each marker is 0xFF followed
 * by its code.
 */

export const MARKER_PREFIX = 0xff;
export const SOI = 0xd8;
export const EOI = 0xd9;
export const SOS = 0xda;
export const APP1 = 0xe1;
/** T.81 Table B.1: C0–CF are SOF0–SOF15 except these three. */
const DHT = 0xc4;
const JPG = 0xc8;
const DAC = 0xcc;

/** RST0–7: may occur inside entropy-coded data (T.81 B.1.1.5). */
export function isRestartMarker(marker: number): boolean {
  return marker >= 0xd0 && marker <= 0xd7;
}

/** Markers with no length field: TEM and RST0–7 (T.81 B.1.1.3). */
export function isStandaloneMarker(marker: number): boolean {
  return marker === 0x01 || isRestartMarker(marker);
}

/** SOF0–SOF15: a frame header, which carries the image's size (T.81 B.2.2). */
export function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== DHT && marker !== JPG && marker !== DAC;
}
