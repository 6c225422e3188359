/**
 * Colour fields for scene backgrounds and object fills: plain data (so a scene description is JSON) and
 * one pure function, `textureColor`, that evaluates a field at a pixel centre.
 *
 * Example: `textureColor({ pattern: { kind: 'solid', color: [255, 0, 0] }, grain: 0, grainSeed: 0 }, 3.5, 7.5, out)`
 * writes [255, 0, 0] into `out`.
 */
import { hashNoise } from './random';

export type Rgb = [number, number, number];

export type Pattern =
  | { kind: 'solid'; color: Rgb }
  /** Colour ramps from `from` at (x0, y0) to `to` at distance `length` along `angle`. */
  | { kind: 'linear'; from: Rgb; to: Rgb; x0: number; y0: number; angle: number; length: number }
  | { kind: 'radial'; inner: Rgb; outer: Rgb; cx: number; cy: number; radius: number }
  /** Bands of `period` px across `angle`; soft bands blend with a cosine instead of switching. */
  | { kind: 'stripes'; a: Rgb; b: Rgb; angle: number; period: number; phase: number; soft: boolean }
  | { kind: 'checker'; a: Rgb; b: Rgb; angle: number; cell: number }
  /** Smooth value noise: a rows × cols grid of colours spread over the image, bilinearly blended. */
  | { kind: 'cells'; grid: Rgb[]; cols: number; rows: number; width: number; height: number };

export interface Texture {
  pattern: Pattern;
  /** Amplitude (in 0–255 units) of per-pixel noise added on top; 0 for none. */
  grain: number;
  grainSeed: number;
}

function lerp(a: Rgb, b: Rgb, t: number, out: Float64Array): void {
  out[0] = a[0] + (b[0] - a[0]) * t;
  out[1] = a[1] + (b[1] - a[1]) * t;
  out[2] = a[2] + (b[2] - a[2]) * t;
}

function clamp01(t: number): number {
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

function patternColor(p: Pattern, x: number, y: number, out: Float64Array): void {
  switch (p.kind) {
    case 'solid':
      out[0] = p.color[0];
      out[1] = p.color[1];
      out[2] = p.color[2];
      return;
    case 'linear': {
      const t = ((x - p.x0) * Math.cos(p.angle) + (y - p.y0) * Math.sin(p.angle)) / p.length;
      lerp(p.from, p.to, clamp01(t), out);
      return;
    }
    case 'radial': {
      const d = Math.hypot(x - p.cx, y - p.cy) / p.radius;
      lerp(p.inner, p.outer, clamp01(d), out);
      return;
    }
    case 'stripes': {
      const s = (x * Math.cos(p.angle) + y * Math.sin(p.angle)) / p.period + p.phase;
      const t = p.soft ? 0.5 - 0.5 * Math.cos(2 * Math.PI * s) : s - Math.floor(s) < 0.5 ? 0 : 1;
      lerp(p.a, p.b, t, out);
      return;
    }
    case 'checker': {
      const c = Math.cos(p.angle);
      const s = Math.sin(p.angle);
      const i = Math.floor((x * c + y * s) / p.cell);
      const j = Math.floor((-x * s + y * c) / p.cell);
      lerp(p.a, p.b, (i + j) & 1, out);
      return;
    }
    case 'cells': {
      const gx = clamp01(x / p.width) * (p.cols - 1);
      const gy = clamp01(y / p.height) * (p.rows - 1);
      const i = Math.min(Math.floor(gx), p.cols - 2);
      const j = Math.min(Math.floor(gy), p.rows - 2);
      const fx = gx - i;
      const fy = gy - j;
      // Smoothstep weights hide the grid lines of plain bilinear blending.
      const wx = fx * fx * (3 - 2 * fx);
      const wy = fy * fy * (3 - 2 * fy);
      const c00 = p.grid[j * p.cols + i];
      const c10 = p.grid[j * p.cols + i + 1];
      const c01 = p.grid[(j + 1) * p.cols + i];
      const c11 = p.grid[(j + 1) * p.cols + i + 1];
      for (let k = 0; k < 3; k++) {
        const top = c00[k] + (c10[k] - c00[k]) * wx;
        const bottom = c01[k] + (c11[k] - c01[k]) * wx;
        out[k] = top + (bottom - top) * wy;
      }
      return;
    }
  }
}

/** The texture's colour at the centre of pixel (px, py), in 0–255 floats (not yet rounded or clamped). */
export function textureColor(texture: Texture, px: number, py: number, out: Float64Array): void {
  patternColor(texture.pattern, px + 0.5, py + 0.5, out);
  if (texture.grain > 0) {
    const n = texture.grain * hashNoise(texture.grainSeed, px, py);
    out[0] += n;
    out[1] += n;
    out[2] += n;
  }
}

/** The colour without grain at a point: what the generator compares object colours against. */
export function textureMeanColor(texture: Texture, x: number, y: number): Rgb {
  const out = new Float64Array(3);
  patternColor(texture.pattern, x, y, out);
  return [out[0], out[1], out[2]];
}
