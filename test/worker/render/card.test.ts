import { describe, expect, it } from 'vitest';
import { CARD_HEIGHT, CARD_WIDTH, renderCard } from '../../../worker/render/card';
import { measureText } from '../../../worker/render/pixel-text';

const image = { width: 64, height: 32, data: new Uint8Array(64 * 32 * 3).fill(200) };
const map = { width: 2, height: 2, data: Uint8Array.from([0, 255, 255, 0]) };
const options = { label: 'tabby cat', score: '87.3 %', caption: 'model - grad-cam', siteName: 'Grad-CAM at the edge', colormap: 'jet' as const, alpha: 0.5 };

function pixel(card: ReturnType<typeof renderCard>, x: number, y: number): number[] {
  return [...card.data.subarray((y * card.width + x) * 4, (y * card.width + x) * 4 + 4)];
}

describe('card', () => {
  it('is 1200×630 with the overlay fitted on the left and white text on the right', () => {
    const card = renderCard(image, map, options);
    expect([card.width, card.height, card.data.length]).toEqual([CARD_WIDTH, CARD_HEIGHT, CARD_WIDTH * CARD_HEIGHT * 4]);
    // A 2:1 image fitted into the 550 px square: 550 × 275, centred vertically.
    const background = pixel(card, 5, 5);
    expect(pixel(card, 40, 315)).not.toEqual(background);
    expect(pixel(card, 40, 170)).toEqual(background);
    // Hot and cold corners of the map differ.
    expect(pixel(card, 45, 180)).not.toEqual(pixel(card, 585, 180));
    let white = 0;
    for (let y = 0; y < CARD_HEIGHT; y++) for (let x = 640; x < CARD_WIDTH; x++) if (pixel(card, x, y).slice(0, 3).every((v) => v === 255)) white++;
    expect(white).toBeGreaterThan(1000);
  });

  it('shrinks a long label to fit its column, and shortens what still does not', () => {
    const long = renderCard(image, map, { ...options, label: 'x'.repeat(400) });
    for (let y = 0; y < CARD_HEIGHT; y++) for (let x = CARD_WIDTH - 40; x < CARD_WIDTH; x++) expect(pixel(long, x, y).slice(0, 3)).not.toEqual([255, 255, 255]);
    expect(measureText('ab', 3)).toBe(measureText('a', 3) + measureText('b', 3) + 3);
  });
});
