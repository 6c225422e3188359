/**
 * Reads the Orientation tag (0x0112, EXIF 2.3 / CIPA DC-008) from a JPEG APP1 payload: "Exif\0\0", then a
 * TIFF structure (TIFF 6.0 §2): byte order "II" or "MM", 42, the offset of IFD0, and IFD0's 12-byte entries.
 *
 * Returns undefined when the payload is not EXIF (XMP, for one, also lives in APP1). Broken EXIF or a
 * missing tag yields 1 (as stored): orientation is a display hint, and browsers also ignore an EXIF block
 * they cannot read rather than reject the photo.
 */
import type { ExifOrientation } from './image-header';

const EXIF_PREFIX = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]; // "Exif\0\0"
const LITTLE_ENDIAN = 0x4949; // "II"
const BIG_ENDIAN = 0x4d4d; // "MM"
const TIFF_MAGIC = 42;
const ORIENTATION_TAG = 0x0112;
const TIFF_SHORT = 3;
const IFD_ENTRY_BYTES = 12;

export function readExifOrientation(app1: Uint8Array): ExifOrientation | undefined {
  if (app1.length < EXIF_PREFIX.length || EXIF_PREFIX.some((byte, i) => app1[i] !== byte)) return undefined;
  if (app1.length < EXIF_PREFIX.length + 8) return 1;
  const tiff = new DataView(app1.buffer, app1.byteOffset + EXIF_PREFIX.length, app1.length - EXIF_PREFIX.length);
  const order = tiff.getUint16(0);
  if (order !== LITTLE_ENDIAN && order !== BIG_ENDIAN) return 1;
  const little = order === LITTLE_ENDIAN;
  if (tiff.getUint16(2, little) !== TIFF_MAGIC) return 1;

  const ifd0 = tiff.getUint32(4, little);
  if (ifd0 + 2 > tiff.byteLength) return 1;
  const entries = tiff.getUint16(ifd0, little);
  for (let i = 0; i < entries; i++) {
    const entry = ifd0 + 2 + i * IFD_ENTRY_BYTES;
    if (entry + IFD_ENTRY_BYTES > tiff.byteLength) return 1;
    if (tiff.getUint16(entry, little) !== ORIENTATION_TAG) continue;
    if (tiff.getUint16(entry + 2, little) !== TIFF_SHORT) return 1;
    // A single SHORT sits left-justified in the 4-byte value field (TIFF 6.0 §2, "Value/Offset").
    const value = tiff.getUint16(entry + 8, little);
    return value >= 1 && value <= 8 ? (value as ExifOrientation) : 1;
  }
  return 1;
}
