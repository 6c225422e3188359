import { describe, expect, it } from 'vitest';
import { checkImageLimits, DEFAULT_IMAGE_LIMITS, ImageInputError, type ImageHeader } from '../../../worker/image';

const header: ImageHeader = { type: 'image/jpeg', width: 4000, height: 3000, orientation: 1 };

function error(run: () => void): ImageInputError {
  try {
    run();
  } catch (caught) {
    if (caught instanceof ImageInputError) return caught;
    throw caught;
  }
  throw new Error('expected an ImageInputError');
}

describe('checkImageLimits', () => {
  it('defaults to 10 MB and 12 megapixels, like wrangler.toml', () => {
    expect(DEFAULT_IMAGE_LIMITS).toEqual({ maxBytes: 10_000_000, maxPixels: 12_000_000 });
    expect(() => checkImageLimits(header, 10_000_000)).not.toThrow();
    expect(error(() => checkImageLimits(header, 10_000_001)).kind).toBe('too-many-bytes');
    expect(error(() => checkImageLimits({ ...header, width: 40_001, height: 1000 }, 1000)).kind).toBe('too-many-pixels');
  });

  it('applies limits passed in, inclusive, with a message naming both numbers', () => {
    const limits = { maxBytes: 1000, maxPixels: 12_000_000 };
    expect(() => checkImageLimits(header, 1000, limits)).not.toThrow();
    const tooBig = error(() => checkImageLimits({ ...header, height: 3001 }, 1000, limits));
    expect(tooBig.kind).toBe('too-many-pixels');
    expect(tooBig.message).toContain('4000×3001');
    expect(tooBig.message).toContain('12000000');
    expect(error(() => checkImageLimits(header, 1001, limits)).message).toContain('1001 bytes');
  });
});
