import { describe, expect, it } from 'vitest';
import { ImageInputError, readImageHeader } from '../../../worker/image';
import { fixtureBytes } from '../../support/files';
import { concat, FIXTURE_IMAGE_SIZES, pngHeaderOnly, quadrants } from '../../support/images';
import { encodeWebp } from '../../support/webp';

function kindOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ImageInputError) return error.kind;
    throw error;
  }
  return undefined;
}

describe('readImageHeader', () => {
  for (const [name, [width, height]] of Object.entries(FIXTURE_IMAGE_SIZES)) {
    it(`reads the type and size of ${name}`, async () => {
      const header = readImageHeader(await fixtureBytes(`images/${name}`));
      expect(header).toEqual({ type: name.endsWith('.png') ? 'image/png' : 'image/jpeg', width, height, orientation: 1 });
    });
  }

  it('reads a PNG size from IHDR alone', () => {
    expect(readImageHeader(pngHeaderOnly(100_000, 70_000))).toMatchObject({ type: 'image/png', width: 100_000, height: 70_000 });
  });

  it('reads all three WebP headers: VP8 (lossy), VP8L (lossless), VP8X (lossy with alpha)', async () => {
    const opaque = quadrants(37, 21, { tl: [255, 0, 0], tr: [0, 255, 0], bl: [0, 0, 255], br: [255, 255, 255] });
    const translucent = opaque.slice();
    translucent[3] = 10;
    const cases = [
      { bytes: await encodeWebp(opaque, 37, 21), chunk: 'VP8 ' },
      { bytes: await encodeWebp(opaque, 37, 21, { lossless: true }), chunk: 'VP8L' },
      { bytes: await encodeWebp(translucent, 37, 21), chunk: 'VP8X' },
    ];
    for (const { bytes, chunk } of cases) {
      expect(new TextDecoder().decode(bytes.subarray(12, 16))).toBe(chunk);
      expect(readImageHeader(bytes)).toEqual({ type: 'image/webp', width: 37, height: 21, orientation: 1 });
    }
  });

  it('rejects text, GIF and empty input as unsupported', () => {
    const text = new TextEncoder().encode('this is not an image, it is a sentence long enough to have a header');
    const gif = concat(new TextEncoder().encode('GIF89a'), [1, 0, 1, 0, 0, 0, 0], new Uint8Array(40));
    expect(kindOf(() => readImageHeader(text))).toBe('unsupported-type');
    expect(kindOf(() => readImageHeader(gif))).toBe('unsupported-type');
    expect(kindOf(() => readImageHeader(new Uint8Array(0)))).toBe('unsupported-type');
  });

  it('reports a recognised but truncated header as undecodable', async () => {
    const dog = await fixtureBytes('images/dog.jpg');
    const chelsea = await fixtureBytes('images/chelsea.png');
    // dog.jpg's frame header sits at byte 8338, after its EXIF block.
    for (const prefix of [dog.subarray(0, 3), dog.subarray(0, 200), chelsea.subarray(0, 20)]) {
      expect(kindOf(() => readImageHeader(prefix))).toBe('undecodable');
    }
    const webp = await encodeWebp(new Uint8ClampedArray(4 * 4 * 4).fill(255), 4, 4);
    expect(kindOf(() => readImageHeader(webp.subarray(0, 24)))).toBe('undecodable');
  });

  it('reports a JPEG without a frame header, or with a zero size, as undecodable', () => {
    const sosFirst = new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0xff, 0xd9]);
    const zeroHeight = new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x0b, 8, 0, 0, 0, 16, 1, 1, 0x11, 0, 0xff, 0xd9]);
    expect(kindOf(() => readImageHeader(sosFirst))).toBe('undecodable');
    expect(kindOf(() => readImageHeader(zeroHeight))).toBe('undecodable');
  });

  it('skips fill bytes and standalone markers before the frame header (T.81 B.1.1.2)', () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xff, 0xff, 0xd0, 0xff, 0xc2, 0x00, 0x0b, 8, 0, 3, 0, 5, 1, 1, 0x11, 0]);
    expect(readImageHeader(jpeg)).toEqual({ type: 'image/jpeg', width: 5, height: 3, orientation: 1 });
  });
});
