import { describe, expect, it } from 'vitest';
import { readExifOrientation } from '../../../worker/image/exif-orientation';
import { readImageHeader } from '../../../worker/image';
import { fixtureBytes } from '../../support/files';
import { withExifOrientation } from '../../support/images';

/** The APP1 payload (after marker and length) that withExifOrientation writes. */
function app1Payload(orientation: number, byteOrder: 'II' | 'MM'): Uint8Array {
  const jpeg = withExifOrientation(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]), orientation, byteOrder);
  return jpeg.subarray(6, jpeg.length - 2);
}

describe('readExifOrientation', () => {
  for (const byteOrder of ['II', 'MM'] as const) {
    it(`reads every orientation in ${byteOrder === 'II' ? 'little' : 'big'}-endian TIFF`, () => {
      for (let orientation = 1; orientation <= 8; orientation++) {
        expect(readExifOrientation(app1Payload(orientation, byteOrder))).toBe(orientation);
      }
    });
  }

  it('treats out-of-range values and truncated EXIF as 1, and non-EXIF APP1 as absent', () => {
    expect(readExifOrientation(app1Payload(9, 'MM'))).toBe(1);
    expect(readExifOrientation(app1Payload(0, 'II'))).toBe(1);
    expect(readExifOrientation(app1Payload(6, 'II').subarray(0, 20))).toBe(1);
    expect(readExifOrientation(new TextEncoder().encode('http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>'))).toBeUndefined();
  });

  it('finds the tag in real camera EXIF of both byte orders (dog.jpg: MM, pets.jpg: II)', async () => {
    for (const name of ['dog.jpg', 'pets.jpg']) {
      const bytes = await fixtureBytes(`images/${name}`);
      expect(readImageHeader(bytes).orientation).toBe(1);
      expect(readImageHeader(withExifOrientation(bytes, 6, 'II')).orientation).toBe(6);
    }
  });
});
