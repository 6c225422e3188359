import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../worker/image';
import { fixtureBytes } from '../../support/files';

describe('decodeImage with maxSide', () => {
  it('shrinks to the longest side asked for, keeping the aspect ratio and the source size', async () => {
    const image = await decodeImage(await fixtureBytes('images/cat_720p.jpg'), undefined, { maxSide: 640 });
    expect([image.width, image.height]).toEqual([640, 360]);
    expect(image.data).toHaveLength(640 * 360 * 3);
    expect(image.source).toEqual({ width: 1280, height: 720 });
  });

  it('never enlarges', async () => {
    const image = await decodeImage(await fixtureBytes('images/chelsea.png'), undefined, { maxSide: 4096 });
    expect([image.width, image.height]).toEqual([451, 300]);
    expect(image.source).toEqual({ width: 451, height: 300 });
  });
});
