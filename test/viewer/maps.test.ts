import { describe, expect, it } from 'vitest';
import { decodeBase64, decodeRawMap, displayMap, rawRange } from '../../viewer/src/maps';
import type { EncodedMap } from '../../worker/service/explanation-document';

function encoded(raw: number[], width: number, height: number): EncodedMap {
  const floats = Buffer.from(new Float32Array(raw).buffer);
  const max = Math.max(...raw);
  const min = Math.min(...raw);
  const data = Buffer.from(raw.map((v) => Math.round(((v - min) / (max - min || 1)) * 255)));
  return { width, height, min, max, data: data.toString('base64'), raw: floats.toString('base64') };
}

describe('maps as the API sends them', () => {
  it('decodes base64 bytes and little-endian float32', () => {
    expect([...decodeBase64(Buffer.from([0, 7, 255]).toString('base64'))]).toEqual([0, 7, 255]);
    expect([...decodeRawMap(encoded([0, 0.5, 2, 1.25], 2, 2))]).toEqual([0, 0.5, 2, 1.25]);
  });

  it('draws the normalised map as sent', () => {
    const map = encoded([0, 1, 2, 4], 2, 2);
    expect([...displayMap(map, 'normalised', { min: 0, max: 8 }).data]).toEqual([0, 64, 128, 255]);
  });

  it('puts raw maps on the scale shared by every class', () => {
    const strong = encoded([0, 4, 2, 8], 2, 2);
    const weak = encoded([0, 1, 2, 0], 2, 2);
    const range = rawRange([{ map: strong }, { map: weak }]);
    expect(range).toEqual({ min: 0, max: 8 });
    // The weak class stays dim: 2 of 8 is a quarter of the scale, not its top.
    expect([...displayMap(weak, 'raw', range).data]).toEqual([0, 32, 64, 0]);
    expect([...displayMap(strong, 'raw', range).data]).toEqual([0, 128, 64, 255]);
  });

  it('draws an all-zero explanation as the bottom colour', () => {
    const flat = encoded([0, 0, 0, 0], 2, 2);
    expect([...displayMap(flat, 'raw', { min: 0, max: 0 }).data]).toEqual([0, 0, 0, 0]);
  });
});
