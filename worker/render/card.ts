/**
 * The card image of an explanation for large link previews: 1200×630 (Facebook's recommended size,
 * 1.91:1; X and LinkedIn show it uncropped), the map drawn over the image on the left, the top class, its
 * score and the model on the right. Pure: pixels in, pixels out (routes/card.ts encodes the PNG).
 */
import { resizeArea } from '../image/resize';
import type { RgbImage } from '../image/rgb-image';
import type { ColormapName } from './colormap';
import { renderOverlay, type HeatMap } from './overlay';
import { drawText, fitText, FONT_ROWS, measureText, type RgbaCanvas } from './pixel-text';

export const CARD_WIDTH = 1200;
export const CARD_HEIGHT = 630;
const MARGIN = 40;
/** The square the overlay is fitted into, on the left. */
const PICTURE_BOX = CARD_HEIGHT - 2 * MARGIN;
const TEXT_LEFT = MARGIN + PICTURE_BOX + 50;
const TEXT_WIDTH = CARD_WIDTH - TEXT_LEFT - MARGIN;

const BACKGROUND = [17, 19, 26] as const;
const TEXT = [255, 255, 255] as const;
const MUTED = [163, 170, 186] as const;
const ACCENT = [129, 140, 248] as const;

export interface CardOptions {
  label: string;
  score: string;
  /** "compact-efficientnet · grad-cam". */
  caption: string;
  siteName: string;
  colormap: ColormapName;
  alpha: number;
}

/** The largest font scale (≤ `max`) at which `text` fits the text column, but at least `min`. */
function scaleToFit(text: string, max: number, min: number): number {
  for (let scale = max; scale > min; scale--) if (measureText(text, scale) <= TEXT_WIDTH) return scale;
  return min;
}

export function renderCard(image: RgbImage, map: HeatMap, options: CardOptions): RgbaCanvas {
  const canvas: RgbaCanvas = { width: CARD_WIDTH, height: CARD_HEIGHT, data: new Uint8ClampedArray(CARD_WIDTH * CARD_HEIGHT * 4) };
  for (let p = 0; p < CARD_WIDTH * CARD_HEIGHT; p++) canvas.data.set([...BACKGROUND, 255], p * 4);

  const fit = Math.min(PICTURE_BOX / image.width, PICTURE_BOX / image.height);
  const width = Math.max(1, Math.round(image.width * fit));
  const height = Math.max(1, Math.round(image.height * fit));
  const picture = renderOverlay(resizeArea(image, width, height), map, { colormap: options.colormap, alpha: options.alpha });
  const left = MARGIN + Math.floor((PICTURE_BOX - width) / 2);
  const top = MARGIN + Math.floor((PICTURE_BOX - height) / 2);
  for (let y = 0; y < height; y++) {
    canvas.data.set(picture.subarray(y * width * 4, (y + 1) * width * 4), ((top + y) * CARD_WIDTH + left) * 4);
  }

  let y = 110;
  drawText(canvas, 'GRAD-CAM', { x: TEXT_LEFT, y, scale: 4, color: ACCENT });
  y += FONT_ROWS * 4 + 40;
  const labelScale = scaleToFit(options.label, 10, 5);
  drawText(canvas, fitText(options.label, labelScale, TEXT_WIDTH), { x: TEXT_LEFT, y, scale: labelScale, color: TEXT });
  y += FONT_ROWS * labelScale + 24;
  drawText(canvas, options.score, { x: TEXT_LEFT, y, scale: 8, color: TEXT });
  y += FONT_ROWS * 8 + 40;
  drawText(canvas, fitText(options.caption, 3, TEXT_WIDTH), { x: TEXT_LEFT, y, scale: 3, color: MUTED });
  drawText(canvas, fitText(options.siteName, 3, TEXT_WIDTH), { x: TEXT_LEFT, y: CARD_HEIGHT - MARGIN - FONT_ROWS * 3 - 30, scale: 3, color: MUTED });
  return canvas;
}
