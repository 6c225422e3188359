/**
 * Synthetic scenes for the compact EfficientNet: 1–3 objects of distinct classes (see `SHAPE_CLASSES`)
 * with random size, position, rotation, colour and fill texture, on a gradient, striped, checkered or
 * noise background, with clutter that belongs to no class behind and in front of them.
 *
 * Two steps, both deterministic: `sampleScene(seed)` draws a description (plain JSON-able data) from a
 * seeded stream, and `renderScene(spec)` paints it — a pure function of the description, so a test can
 * edit a description (drop an object, recolour it) and compare pixels. `generateScene` does both.
 * No platform APIs: the same code runs in Node, workerd and the browser.
 *
 * Example: `const scene = generateScene(7); scene.image` (RGB, 128 × 128 × 3 bytes),
 * `scene.objects[0].className`, `.box`, `.mask` (1 where the object is the visible paint).
 */
import { forEachClutterPixel, type Clutter } from './clutter';
import { createRandom, type Random } from './random';
import { SHAPE_CLASSES, SHAPES, type ShapeClass } from './shapes';
import { textureColor, textureMeanColor, type Pattern, type Rgb, type Texture } from './textures';

/** Default scene side: the compact EfficientNet's input, so no resampling sits between them. */
export const SCENE_SIZE = 128;

export interface SceneOptions {
  /** Side of the square image in pixels; every length scales with it. Default `SCENE_SIZE`. */
  size?: number;
}

export interface ObjectSpec {
  shape: ShapeClass;
  cx: number;
  cy: number;
  /** Radius of the shape's unit disc in px, before the aspect stretch. */
  radius: number;
  rotation: number;
  /** Width/height stretch of the shape's frame, near 1. */
  aspect: number;
  fill: Texture;
}

export interface SceneSpec {
  seed: number;
  width: number;
  height: number;
  background: Texture;
  clutterBehind: Clutter[];
  objects: ObjectSpec[];
  /** Thin strokes drawn over the objects (they cut the objects' masks). */
  clutterFront: Clutter[];
}

/** Pixel bounds, x1 and y1 exclusive. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface SceneObject {
  classIndex: number;
  className: ShapeClass;
  /** Tight box around the mask. */
  box: Box;
  /** width × height, 1 where this object's paint is what the image shows. */
  mask: Uint8Array;
  spec: ObjectSpec;
}

export interface Scene {
  seed: number;
  width: number;
  height: number;
  /** width × height × 3 bytes, RGB, row-major. */
  image: Uint8Array;
  objects: SceneObject[];
}

const OBJECT_COUNT_WEIGHTS = [0.3, 0.4, 0.3];
/** Object radius as a share of the side; at 128 px, objects are 31–61 px across. */
const RADIUS_RANGE: [number, number] = [0.12, 0.24];
const ASPECT_RANGE: [number, number] = [0.9, 1.1];
/** Objects keep apart: centre distance ≥ this × the sum of their outer radii (shapes rarely fill their disc). */
const SEPARATION = 0.9;
/** Minimum RGB distance (of 441) between an object's colours and the background around it. */
const MIN_CONTRAST = 90;
const PLACEMENT_ATTEMPTS = 60;

function randomColor(rng: Random): Rgb {
  return [rng.int(0, 256), rng.int(0, 256), rng.int(0, 256)];
}

/** A colour at most `spread` away per channel from `base`, clamped to the byte range. */
function nearbyColor(rng: Random, base: Rgb, spread: number): Rgb {
  return base.map((c) => Math.max(0, Math.min(255, Math.round(c + rng.range(-spread, spread))))) as Rgb;
}

function distance(a: Rgb, b: Rgb): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

function sampleBackground(rng: Random, size: number): Texture {
  const a = randomColor(rng);
  // Background contrast stays moderate so objects stand out from it.
  const b = nearbyColor(rng, a, 90);
  const kind = rng.pick(['linear', 'radial', 'stripes', 'checker', 'cells'] as const);
  let pattern: Pattern;
  switch (kind) {
    case 'linear':
      pattern = { kind, from: a, to: b, x0: 0, y0: 0, angle: rng.range(0, 2 * Math.PI), length: size * rng.range(0.8, 1.5) };
      if (Math.cos(pattern.angle) < 0) pattern.x0 = size;
      if (Math.sin(pattern.angle) < 0) pattern.y0 = size;
      break;
    case 'radial':
      pattern = { kind, inner: a, outer: b, cx: rng.range(0, size), cy: rng.range(0, size), radius: size * rng.range(0.5, 1.2) };
      break;
    case 'stripes':
      pattern = {
        kind,
        a,
        b: nearbyColor(rng, a, 60),
        angle: rng.range(0, Math.PI),
        period: size * rng.range(0.03, 0.15),
        phase: rng.next(),
        soft: rng.chance(0.5),
      };
      break;
    case 'checker':
      pattern = { kind, a, b: nearbyColor(rng, a, 50), angle: rng.range(0, Math.PI / 2), cell: size * rng.range(0.04, 0.12) };
      break;
    case 'cells': {
      const cols = rng.int(3, 7);
      const rows = rng.int(3, 7);
      const grid: Rgb[] = [];
      for (let i = 0; i < cols * rows; i++) grid.push(nearbyColor(rng, a, 80));
      pattern = { kind, grid, cols, rows, width: size, height: size };
      break;
    }
  }
  return { pattern, grain: rng.chance(0.7) ? rng.range(2, 22) : 0, grainSeed: rng.seed() };
}

/** A colour far enough from every background sample; falls back to the farthest of the tries. */
function contrastingColor(rng: Random, avoid: Rgb[]): Rgb {
  let best: Rgb = randomColor(rng);
  let bestScore = -1;
  for (let i = 0; i < 100; i++) {
    const c = i === 0 ? best : randomColor(rng);
    const score = Math.min(...avoid.map((a) => distance(a, c)));
    if (score >= MIN_CONTRAST) return c;
    if (score > bestScore) [best, bestScore] = [c, score];
  }
  return best;
}

function sampleFill(rng: Random, avoid: Rgb[], cx: number, cy: number, extent: number): Texture {
  const a = contrastingColor(rng, avoid);
  const second = (): Rgb => {
    for (let i = 0; i < 20; i++) {
      const c = nearbyColor(rng, a, 110);
      if (Math.min(...avoid.map((x) => distance(x, c))) >= MIN_CONTRAST && distance(c, a) > 40) return c;
    }
    return a;
  };
  const kind = rng.pick(['solid', 'solid', 'linear', 'stripes', 'checker'] as const);
  let pattern: Pattern;
  switch (kind) {
    case 'solid':
      pattern = { kind, color: a };
      break;
    case 'linear': {
      const angle = rng.range(0, 2 * Math.PI);
      pattern = {
        kind,
        from: a,
        to: second(),
        x0: cx - extent * Math.cos(angle),
        y0: cy - extent * Math.sin(angle),
        angle,
        length: 2 * extent,
      };
      break;
    }
    case 'stripes':
      pattern = { kind, a, b: second(), angle: rng.range(0, Math.PI), period: Math.max(3, extent * rng.range(0.25, 0.6)), phase: rng.next(), soft: rng.chance(0.3) };
      break;
    case 'checker':
      pattern = { kind, a, b: second(), angle: rng.range(0, Math.PI / 2), cell: Math.max(2, extent * rng.range(0.15, 0.35)) };
      break;
  }
  return { pattern, grain: rng.chance(0.5) ? rng.range(2, 16) : 0, grainSeed: rng.seed() };
}

function sampleObjectCount(rng: Random): number {
  let u = rng.next();
  for (let i = 0; i < OBJECT_COUNT_WEIGHTS.length; i++) {
    u -= OBJECT_COUNT_WEIGHTS[i];
    if (u < 0) return i + 1;
  }
  return OBJECT_COUNT_WEIGHTS.length;
}

/** Radius of the disc that holds the stretched shape. */
function outerRadius(o: Pick<ObjectSpec, 'radius' | 'aspect'>): number {
  return o.radius * Math.max(o.aspect, 1 / o.aspect);
}

function sampleObjects(rng: Random, size: number, background: Texture): ObjectSpec[] {
  const count = sampleObjectCount(rng);
  const classes = [...SHAPE_CLASSES];
  const objects: ObjectSpec[] = [];
  for (let n = 0; n < count; n++) {
    const shape = classes.splice(rng.int(0, classes.length), 1)[0];
    for (let attempt = 0; attempt < PLACEMENT_ATTEMPTS; attempt++) {
      const radius = size * rng.range(RADIUS_RANGE[0], RADIUS_RANGE[1]);
      const aspect = rng.range(ASPECT_RANGE[0], ASPECT_RANGE[1]);
      const outer = outerRadius({ radius, aspect });
      const cx = rng.range(outer, size - outer);
      const cy = rng.range(outer, size - outer);
      const clear = objects.every((o) => Math.hypot(o.cx - cx, o.cy - cy) >= SEPARATION * (outer + outerRadius(o)));
      if (!clear) continue;
      const avoid = [[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]].map(([dx, dy]) =>
        textureMeanColor(background, cx + dx * outer, cy + dy * outer),
      );
      const rotation = rng.range(0, 2 * Math.PI);
      objects.push({ shape, cx, cy, radius, rotation, aspect, fill: sampleFill(rng, avoid, cx, cy, outer) });
      break;
    }
  }
  return objects;
}

function sampleStroke(rng: Random, size: number, maxWidth: number): Clutter {
  const k = size / SCENE_SIZE;
  const width = k * rng.range(0.8, maxWidth);
  const color = randomColor(rng);
  const style = rng.pick(['line', 'zigzag', 'squiggle'] as const);
  const x = rng.range(0, size);
  const y = rng.range(0, size);
  const angle = rng.range(0, 2 * Math.PI);
  const length = size * rng.range(0.15, 0.6);
  const points: [number, number][] = [];
  if (style === 'line') {
    points.push([x, y], [x + length * Math.cos(angle), y + length * Math.sin(angle)]);
  } else if (style === 'zigzag') {
    const turns = rng.int(3, 7);
    let [px, py, a] = [x, y, angle];
    points.push([px, py]);
    for (let i = 0; i < turns; i++) {
      a += rng.range(-2.2, 2.2);
      px += (length / turns) * Math.cos(a);
      py += (length / turns) * Math.sin(a);
      points.push([px, py]);
    }
  } else {
    const amplitude = size * rng.range(0.02, 0.06);
    const waves = rng.range(1, 4);
    const steps = 24;
    for (let i = 0; i <= steps; i++) {
      const t = i / steps;
      const off = amplitude * Math.sin(2 * Math.PI * waves * t);
      points.push([
        x + t * length * Math.cos(angle) - off * Math.sin(angle),
        y + t * length * Math.sin(angle) + off * Math.cos(angle),
      ]);
    }
  }
  return { kind: 'stroke', points, width, color };
}

function sampleClutter(rng: Random, size: number, count: number, maxWidth: number): Clutter[] {
  const k = size / SCENE_SIZE;
  const items: Clutter[] = [];
  for (let i = 0; i < count; i++) {
    if (rng.chance(0.25)) {
      // A sprinkle of specks, each far smaller than the smallest object.
      const cx = rng.range(0, size);
      const cy = rng.range(0, size);
      const color = randomColor(rng);
      const n = rng.int(3, 10);
      for (let j = 0; j < n; j++) {
        items.push({ kind: 'speck', x: cx + rng.range(-12, 12) * k, y: cy + rng.range(-12, 12) * k, radius: k * rng.range(0.7, 2), color });
      }
    } else {
      items.push(sampleStroke(rng, size, maxWidth));
    }
  }
  return items;
}

/** Draws a scene description from `seed` (any 32-bit integer). */
export function sampleScene(seed: number, options: SceneOptions = {}): SceneSpec {
  const size = options.size ?? SCENE_SIZE;
  const rng = createRandom(seed);
  const background = sampleBackground(rng, size);
  const clutterBehind = sampleClutter(rng, size, rng.int(0, 7), 3);
  const objects = sampleObjects(rng, size, background);
  const clutterFront = sampleClutter(rng, size, rng.int(0, 3), 1.6);
  return { seed, width: size, height: size, background, clutterBehind, objects, clutterFront };
}

function toByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/** Paints a description; every pixel is sampled once at its centre (hard edges, so masks are exact). */
export function renderScene(spec: SceneSpec): Scene {
  const { width, height } = spec;
  const image = new Uint8Array(width * height * 3);
  /** Index of the object whose paint each pixel shows, or -1. */
  const owner = new Int16Array(width * height).fill(-1);
  const color = new Float64Array(3);
  const put = (index: number, c: ArrayLike<number>): void => {
    image[3 * index] = toByte(c[0]);
    image[3 * index + 1] = toByte(c[1]);
    image[3 * index + 2] = toByte(c[2]);
  };

  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      textureColor(spec.background, px, py, color);
      put(py * width + px, color);
    }
  }
  const paintClutter = (item: Clutter): void =>
    forEachClutterPixel(item, width, height, (i) => {
      put(i, item.color);
      owner[i] = -1;
    });
  spec.clutterBehind.forEach(paintClutter);

  spec.objects.forEach((o, k) => {
    const shape = SHAPES[o.shape];
    const outer = outerRadius(o);
    const cos = Math.cos(o.rotation);
    const sin = Math.sin(o.rotation);
    const su = 1 / (o.radius * o.aspect);
    const sv = o.aspect / o.radius;
    const x0 = Math.max(0, Math.floor(o.cx - outer));
    const x1 = Math.min(width - 1, Math.ceil(o.cx + outer));
    const y0 = Math.max(0, Math.floor(o.cy - outer));
    const y1 = Math.min(height - 1, Math.ceil(o.cy + outer));
    for (let py = y0; py <= y1; py++) {
      for (let px = x0; px <= x1; px++) {
        const dx = px + 0.5 - o.cx;
        const dy = py + 0.5 - o.cy;
        // Into the shape's frame: undo the rotation, then the scale and stretch.
        const u = (cos * dx + sin * dy) * su;
        const v = (-sin * dx + cos * dy) * sv;
        if (!shape.contains(u, v)) continue;
        textureColor(o.fill, px, py, color);
        put(py * width + px, color);
        owner[py * width + px] = k;
      }
    }
  });
  spec.clutterFront.forEach(paintClutter);

  const objects = spec.objects.map((o, k): SceneObject => {
    const mask = new Uint8Array(width * height);
    const box: Box = { x0: width, y0: height, x1: 0, y1: 0 };
    for (let i = 0; i < owner.length; i++) {
      if (owner[i] !== k) continue;
      mask[i] = 1;
      const x = i % width;
      const y = (i - x) / width;
      if (x < box.x0) box.x0 = x;
      if (y < box.y0) box.y0 = y;
      if (x + 1 > box.x1) box.x1 = x + 1;
      if (y + 1 > box.y1) box.y1 = y + 1;
    }
    return { classIndex: SHAPE_CLASSES.indexOf(o.shape), className: o.shape, box, mask, spec: o };
  });
  return { seed: spec.seed, width, height, image, objects };
}

/** `renderScene(sampleScene(seed, options))`: the same seed always gives the same bytes. */
export function generateScene(seed: number, options: SceneOptions = {}): Scene {
  return renderScene(sampleScene(seed, options));
}

/** Multi-hot labels over `SHAPE_CLASSES`. */
export function sceneLabels(scene: Pick<Scene, 'objects'>): Uint8Array {
  const labels = new Uint8Array(SHAPE_CLASSES.length);
  for (const o of scene.objects) labels[o.classIndex] = 1;
  return labels;
}
