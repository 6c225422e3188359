/**
 * What an image's header declares, read before anything is decoded (header.ts and the readers per
 * format): its type, its stored size and its EXIF orientation. Types only, so that the readers and the
 * dispatcher above them all depend on this leaf and not on each other.
 */

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
