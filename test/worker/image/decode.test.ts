import { describe, expect, it } from 'vitest';
import { decodeImage, encodePng, ImageInputError, readImageHeader, type ExifOrientation } from '../../../worker/image';
import { encodeJpegRgba } from '../../../worker/image/codecs';
import { fixtureBytes } from '../../support/files';
import { craftPng, FIXTURE_IMAGE_SIZES, gradientPhoto, pixelAt, pngHeaderOnly, quadrants, withExifOrientation, type Rgb } from '../../support/images';
import { encodeWebp } from '../../support/webp';

async function kindOf(decoding: Promise<unknown>): Promise<string> {
  try {
    await decoding;
  } catch (error) {
    if (error instanceof ImageInputError) return error.kind;
    throw error;
  }
  throw new Error('expected an ImageInputError');
}

function expectClose(actual: Rgb, expected: Rgb, tolerance: number, label: string) {
  for (let c = 0; c < 3; c++) expect(Math.abs(actual[c] - expected[c]), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

async function medianMs(runs: number, run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

describe('decodeImage', () => {
  for (const [name, [width, height]] of Object.entries(FIXTURE_IMAGE_SIZES)) {
    it(`decodes ${name} to ${width}×${height} RGB, the size its header declares`, async () => {
      const bytes = await fixtureBytes(`images/${name}`);
      const header = readImageHeader(bytes);
      const image = await decodeImage(bytes);
      expect([image.width, image.height]).toEqual([width, height]);
      expect([image.width, image.height]).toEqual([header.width, header.height]);
      expect(image.type).toBe(header.type);
      expect(image.data).toBeInstanceOf(Uint8Array);
      expect(image.data.length).toBe(width * height * 3);
      // Real photos: neither blank nor saturated on average.
      const mean = image.data.reduce((sum, v) => sum + v, 0) / image.data.length;
      expect(mean).toBeGreaterThan(20);
      expect(mean).toBeLessThan(235);
    });
  }

  it('reports the median decode times of cat_720p.jpg and the PNG fixtures', async () => {
    const times: Record<string, number> = {};
    for (const name of ['cat_720p.jpg', 'astronaut.png', 'coffee.png']) {
      const bytes = await fixtureBytes(`images/${name}`);
      times[name] = await medianMs(5, () => decodeImage(bytes));
    }
    console.log('decodeImage median ms', times);
    expect(times['cat_720p.jpg']).toBeLessThan(500);
  });

  it('reports a truncated JPEG (first half of dog.jpg) as undecodable, though libjpeg would pad it with grey', async () => {
    const dog = await fixtureBytes('images/dog.jpg');
    const error = await decodeImage(dog.subarray(0, dog.length >> 1)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImageInputError);
    expect((error as ImageInputError).kind).toBe('undecodable');
    expect((error as ImageInputError).message).toMatch(/truncated/);
  });

  it('reports truncated PNG and WebP as undecodable', async () => {
    const png = await fixtureBytes('images/chelsea.png');
    expect(await kindOf(decodeImage(png.subarray(0, png.length >> 1)))).toBe('undecodable');
    const rgba = quadrants(64, 48, { tl: [255, 0, 0], tr: [0, 255, 0], bl: [0, 0, 255], br: [90, 90, 90] });
    const webp = await encodeWebp(rgba, 64, 48);
    expect(await kindOf(decodeImage(webp.subarray(0, webp.length >> 1)))).toBe('undecodable');
  });

  it('reports a JPEG libjpeg refuses as undecodable with its reason, and decodes the next one', async () => {
    const dog = await fixtureBytes('images/dog.jpg');
    const twelveBit = dog.slice();
    twelveBit[8338 + 4] = 12; // SOF0 precision: this build of libjpeg only does 8-bit samples
    const error = await decodeImage(twelveBit).catch((caught: unknown) => caught);
    expect((error as ImageInputError).kind).toBe('undecodable');
    expect((error as ImageInputError).message).toMatch(/precision/i);
    expect((await decodeImage(dog)).width).toBe(768);
  });

  it('rejects a PNG declaring 100000×100000 as too-many-pixels without decoding it', async () => {
    // The bytes hold no image data: reaching a decoder would make this 'undecodable'.
    expect(await kindOf(decodeImage(pngHeaderOnly(100_000, 100_000)))).toBe('too-many-pixels');
  });

  it('rejects a text file as unsupported-type and too many bytes as too-many-bytes', async () => {
    expect(await kindOf(decodeImage(new TextEncoder().encode('name,score\ncat,0.9\n')))).toBe('unsupported-type');
    const cat = await fixtureBytes('images/cat_720p.jpg');
    expect(await kindOf(decodeImage(cat, { maxBytes: cat.length - 1, maxPixels: 40_000_000 }))).toBe('too-many-bytes');
    expect(await kindOf(decodeImage(cat, { maxBytes: 10_000_000, maxPixels: 1280 * 720 - 1 }))).toBe('too-many-pixels');
  });

  it('decodes a view into a larger buffer', async () => {
    const png = await fixtureBytes('images/chelsea.png');
    const padded = new Uint8Array(png.length + 20);
    padded.set(png, 7);
    expect((await decodeImage(padded.subarray(7, 7 + png.length))).width).toBe(451);
  });

  describe('EXIF orientation', () => {
    // Stored 32×16 with flat 16×16 quadrants, so JPEG blocks and chroma subsampling keep the colours.
    const R: Rgb = [230, 20, 20];
    const G: Rgb = [20, 200, 40];
    const B: Rgb = [30, 30, 220];
    const Y: Rgb = [240, 230, 30];
    const stored = quadrants(32, 16, { tl: R, tr: G, bl: B, br: Y });
    /** Display quadrants [top-left, top-right, bottom-left, bottom-right], from the tag's definitions. */
    const DISPLAYED: Record<ExifOrientation, Rgb[]> = {
      1: [R, G, B, Y],
      2: [G, R, Y, B],
      3: [Y, B, G, R],
      4: [B, Y, R, G],
      5: [R, B, G, Y],
      6: [B, R, Y, G],
      7: [Y, G, B, R],
      8: [G, Y, R, B],
    };

    for (const byteOrder of ['II', 'MM'] as const) {
      it(`turns the pixels for all 8 orientations (${byteOrder})`, async () => {
        const jpeg = await encodeJpegRgba({ width: 32, height: 16, data: stored }, 95);
        for (const [orientation, [tl, tr, bl, br]] of Object.entries(DISPLAYED)) {
          const image = await decodeImage(withExifOrientation(jpeg, Number(orientation), byteOrder));
          const swapped = Number(orientation) >= 5;
          expect([image.width, image.height]).toEqual(swapped ? [16, 32] : [32, 16]);
          const [w, h] = [image.width, image.height];
          const at = (x: number, y: number) => pixelAt(image, x, y);
          expectClose(at(w / 4, h / 4), tl, 12, `${orientation} top-left`);
          expectClose(at((3 * w) / 4, h / 4), tr, 12, `${orientation} top-right`);
          expectClose(at(w / 4, (3 * h) / 4), bl, 12, `${orientation} bottom-left`);
          expectClose(at((3 * w) / 4, (3 * h) / 4), br, 12, `${orientation} bottom-right`);
        }
      });
    }
  });

  it('composites PNG alpha on white', async () => {
    const rgba = new Uint8ClampedArray([255, 0, 0, 128, 0, 0, 255, 0, 0, 255, 0, 255, 40, 80, 120, 64]);
    const image = await decodeImage(await encodePng(rgba, 2, 2));
    expect(Array.from(image.data)).toEqual([255, 127, 127, 255, 255, 255, 0, 255, 0, 201, 211, 221]);
  });

  it('turns greyscale PNGs (8-bit, 16-bit, with alpha) into RGB', async () => {
    const grey8 = await craftPng({ width: 3, height: 2, bitDepth: 8, colourType: 0, rows: [[0, 128, 255], [10, 20, 30]] });
    expect(Array.from((await decodeImage(grey8)).data)).toEqual([0, 0, 0, 128, 128, 128, 255, 255, 255, 10, 10, 10, 20, 20, 20, 30, 30, 30]);

    // 16-bit samples are big-endian; the decoder keeps the high byte.
    const grey16 = await craftPng({ width: 2, height: 1, bitDepth: 16, colourType: 0, rows: [[0x80, 0x10, 0xff, 0xff]] });
    expect(Array.from((await decodeImage(grey16)).data)).toEqual([128, 128, 128, 255, 255, 255]);

    const greyAlpha = await craftPng({ width: 2, height: 1, bitDepth: 8, colourType: 4, rows: [[0, 255, 0, 0]] });
    expect(Array.from((await decodeImage(greyAlpha)).data)).toEqual([0, 0, 0, 255, 255, 255]);
  });

  it('decodes real WebP files: lossless exactly, lossy closely, alpha on white', async () => {
    const rgba = quadrants(40, 30, { tl: [255, 0, 0], tr: [0, 255, 0], bl: [0, 0, 255], br: [250, 250, 250] });
    rgba.fill(0, 0, 4); // one transparent pixel, top-left
    const lossless = await decodeImage(await encodeWebp(rgba, 40, 30, { lossless: true }));
    expect(lossless).toMatchObject({ type: 'image/webp', width: 40, height: 30 });
    expect(pixelAt(lossless, 0, 0)).toEqual([255, 255, 255]);
    expect(pixelAt(lossless, 1, 0)).toEqual([255, 0, 0]);
    expect(pixelAt(lossless, 39, 29)).toEqual([250, 250, 250]);

    const lossy = await decodeImage(await encodeWebp(rgba, 40, 30, { quality: 95 }));
    expectClose(pixelAt(lossy, 30, 7), [0, 255, 0], 20, 'lossy top-right');
    expectClose(pixelAt(lossy, 10, 22), [0, 0, 255], 20, 'lossy bottom-left');
  });

  it('decodes a 12-megapixel photo, turned', async () => {
    const [width, height] = [4000, 3000];
    const rgba = gradientPhoto(width, height);
    const jpeg = withExifOrientation(await encodeJpegRgba({ width, height, data: rgba }, 85), 6, 'MM');
    const started = performance.now();
    const image = await decodeImage(jpeg);
    const elapsed = performance.now() - started;
    console.log(`12 MP JPEG (${jpeg.length} bytes), orientation 6: decodeImage ${elapsed.toFixed(0)} ms`);
    expect([image.width, image.height]).toEqual([3000, 4000]);
    // Stored top-left (dark red and green) is now top-right; stored top-right (red) is bottom-right.
    expectClose(pixelAt(image, 2999, 0), [0, 0, 128], 12, 'top-right');
    expectClose(pixelAt(image, 2999, 3999), [255, 0, 128 + 100 * Math.sin(3999 / 50)], 12, 'bottom-right');
    // The decoder was restarted to let its grown memory go; the next image still decodes.
    expect((await decodeImage(await fixtureBytes('images/rocket.jpg'))).width).toBe(640);
  });
});
