/** The card image in workerd: its size, weight and caching, and that it shows the overlay and text. */
import { SELF } from 'cloudflare:test';
import { decode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { explainFixture, type ExplainedBody } from '../../../support/explanations';

let explained: ExplainedBody;
const cardUrl = () => `http://worker/v1/explanations/${explained.id}/card.png`;

beforeAll(async () => {
  explained = await explainFixture('chelsea.png');
});

describe('/v1/explanations/{id}/card.png', () => {
  it('is a 1200×630 PNG under 1 MB, immutable, open to other origins', async () => {
    const response = await SELF.fetch(cardUrl());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(bytes.byteLength).toBeLessThan(1024 * 1024);
    const png = decode(bytes);
    expect([png.width, png.height]).toEqual([1200, 630]);

    // The left half holds the photo under the map (many colours), the right the text (white on the background).
    const pixel = (x: number, y: number) => [...png.data.subarray((y * png.width + x) * png.channels, (y * png.width + x) * png.channels + 3)].join(',');
    const colours = new Set<string>();
    for (let y = 40; y < 590; y += 7) for (let x = 40; x < 590; x += 7) colours.add(pixel(x, y));
    expect(colours.size).toBeGreaterThan(500);
    let white = 0;
    for (let y = 0; y < 630; y++) for (let x = 640; x < 1160; x++) if (pixel(x, y) === '255,255,255') white++;
    expect(white).toBeGreaterThan(2000);

    const again = await SELF.fetch(cardUrl(), { headers: { 'if-none-match': response.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('answers 404 problem+json for an unknown id', async () => {
    const response = await SELF.fetch('http://worker/v1/explanations/AAAAAAAAAAAAAAAAAAAAAA/card.png');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });
});
