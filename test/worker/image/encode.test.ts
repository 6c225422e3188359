import { describe, expect, it } from 'vitest';
import { decodeImage, encodePng, encodePreview, resizeArea } from '../../../worker/image';
import { decodePngRgba } from '../../../worker/image/codecs';
import { fixtureBytes } from '../../support/files';

const JPEG_SOI = [0xff, 0xd8];
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function meanAbsoluteDifference(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

describe('encodePreview', () => {
  it('shrinks cat_720p.jpg to 512×288 and encodes a JPEG that decodes to the same picture', async () => {
    const image = await decodeImage(await fixtureBytes('images/cat_720p.jpg'));
    const preview = await encodePreview(image);
    expect(preview).toMatchObject({ type: 'image/jpeg', width: 512, height: 288 });
    expect(Array.from(preview.bytes.subarray(0, 2))).toEqual(JPEG_SOI);
    expect(preview.bytes.length).toBeLessThan(80_000);

    const again = await decodeImage(preview.bytes);
    expect([again.width, again.height]).toEqual([512, 288]);
    expect(meanAbsoluteDifference(again.data, resizeArea(image, 512, 288).data)).toBeLessThan(4);
  });

  it('never enlarges, and takes another longest side', async () => {
    const image = await decodeImage(await fixtureBytes('images/chelsea.png'));
    expect(await encodePreview(image)).toMatchObject({ width: 451, height: 300 });
    expect(await encodePreview(image, 100)).toMatchObject({ width: 100, height: 67 });
  });
});

describe('encodePng', () => {
  it('round-trips RGBA exactly, alpha included, also from a view into a larger buffer', async () => {
    const [width, height] = [5, 3];
    const backing = new Uint8Array(width * height * 4 + 8);
    const rgba = backing.subarray(8);
    for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 37) & 255;
    const png = await encodePng(rgba, width, height);
    expect(Array.from(png.subarray(0, 8))).toEqual(PNG_SIGNATURE);
    const decoded = await decodePngRgba(png);
    expect([decoded.width, decoded.height]).toEqual([width, height]);
    expect(Array.from(decoded.data)).toEqual(Array.from(rgba));
  });

  it('refuses a buffer that does not match the size', async () => {
    await expect(encodePng(new Uint8ClampedArray(15), 2, 2)).rejects.toThrow(RangeError);
    await expect(encodePng(new Uint8ClampedArray(0), 0, 0)).rejects.toThrow(RangeError);
  });
});
