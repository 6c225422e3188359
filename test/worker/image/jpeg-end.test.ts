import { describe, expect, it } from 'vitest';
import { hasJpegEndOfImage } from '../../../worker/image/jpeg-end';
import { fixtureBytes } from '../../support/files';
import { concat } from '../../support/images';

describe('hasJpegEndOfImage', () => {
  it('finds EOI in every fixture JPEG and misses it in every cut-off prefix', async () => {
    for (const name of ['cat_720p.jpg', 'dog.jpg', 'pets.jpg', 'rocket.jpg']) {
      const bytes = await fixtureBytes(`images/${name}`);
      expect(hasJpegEndOfImage(bytes), name).toBe(true);
      for (const fraction of [0.1, 0.5, 0.9]) {
        expect(hasJpegEndOfImage(bytes.subarray(0, Math.floor(bytes.length * fraction))), `${name} ${fraction}`).toBe(false);
      }
      expect(hasJpegEndOfImage(bytes.subarray(0, bytes.length - 1)), `${name} minus one byte`).toBe(false);
    }
  });

  it('accepts bytes appended after EOI, as in motion photos', async () => {
    const bytes = await fixtureBytes('images/rocket.jpg');
    expect(hasJpegEndOfImage(concat(bytes, new TextEncoder().encode('....ftypmp42 trailing video')))).toBe(true);
  });

  it('does not take FF D9 inside a segment or stuffed scan data for EOI', () => {
    const app = [0xff, 0xe0, 0x00, 0x06, 0xff, 0xd9, 0x00, 0x00]; // EOI bytes inside an APP0 payload
    const scan = [0xff, 0xda, 0x00, 0x02, 0x12, 0xff, 0x00, 0x34, 0xff, 0xd3, 0x56]; // stuffed zero, RST3
    expect(hasJpegEndOfImage(new Uint8Array([0xff, 0xd8, ...app, ...scan]))).toBe(false);
    expect(hasJpegEndOfImage(new Uint8Array([0xff, 0xd8, ...app, ...scan, 0xff, 0xff, 0xd9]))).toBe(true);
  });
});
