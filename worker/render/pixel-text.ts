/**
 * Text drawn into RGBA pixels with a bitmap font, for the card image (no font rasteriser runs in the
 * Worker): the "Seven plus" pixel font of js-pixel-fonts (MIT; its glyph data only — the package's
 * renderer needs Node's PNG streams), each font pixel drawn as a `scale` × `scale` square.
 *
 * @example drawText(canvas, 'tabby cat', { x: 40, y: 40, scale: 6, color: [255, 255, 255] });
 */
import sevenPlus from 'js-pixel-fonts/data/seven-plus.json';

interface Glyph {
  /** Rows above the glyph's first row (descenders have more). */
  offset: number;
  pixels: number[][];
}

const GLYPHS = sevenPlus.glyphs as Record<string, Glyph>;
/** Rows of a line: the font's line height plus room for descenders. */
export const FONT_ROWS = Math.max(...Object.values(GLYPHS).map((g) => g.offset + g.pixels.length));
const FALLBACK = GLYPHS['?'];

export interface RgbaCanvas {
  width: number;
  height: number;
  /** width × height × 4 bytes, row-major. */
  data: Uint8ClampedArray;
}

export interface TextStyle {
  x: number;
  /** Top of the line box. */
  y: number;
  scale: number;
  color: readonly [number, number, number];
}

/** The font covers printable ASCII: accents are dropped (é → e), a few marks replaced, the rest become "?". */
export function toFontText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[—–]/g, '-')
    .replace(/[·•]/g, '-')
    .replace(/[“”]/g, '"')
    .replace(/[‘’]/g, "'");
}

function glyphsOf(text: string): Glyph[] {
  return [...toFontText(text)].map((c) => GLYPHS[c] ?? FALLBACK);
}

/** Width in canvas pixels of `text` at `scale` (one font pixel between glyphs). */
export function measureText(text: string, scale: number): number {
  const glyphs = glyphsOf(text);
  const columns = glyphs.reduce((sum, g) => sum + (g.pixels[0]?.length ?? 0), 0) + Math.max(0, glyphs.length - 1);
  return columns * scale;
}

/** `text` shortened with "..." until it fits `maxWidth` at `scale`. */
export function fitText(text: string, scale: number, maxWidth: number): string {
  if (measureText(text, scale) <= maxWidth) return text;
  const chars = [...toFontText(text)];
  while (chars.length > 0 && measureText(`${chars.join('')}...`, scale) > maxWidth) chars.pop();
  return `${chars.join('')}...`;
}

export function drawText(canvas: RgbaCanvas, text: string, style: TextStyle): void {
  const { scale, color } = style;
  let left = style.x;
  for (const glyph of glyphsOf(text)) {
    glyph.pixels.forEach((row, r) => {
      row.forEach((on, c) => {
        if (!on) return;
        const top = style.y + (glyph.offset + r) * scale;
        for (let y = Math.max(0, top); y < Math.min(canvas.height, top + scale); y++) {
          for (let x = Math.max(0, left + c * scale); x < Math.min(canvas.width, left + (c + 1) * scale); x++) {
            canvas.data.set(color, (y * canvas.width + x) * 4);
          }
        }
      });
    });
    left += ((glyph.pixels[0]?.length ?? 0) + 1) * scale;
  }
}
