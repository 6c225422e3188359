/**
 * The ten object classes of the synthetic scenes, each a region of the plane in a unit frame: the shape
 * is centred on the origin and fits inside the unit disc, u to the right and v downwards (image axes).
 * The generator scales, rotates and places them; `contains` is the only thing it asks of a shape.
 *
 * Example: `SHAPES.star.contains(0, -0.9)` is true (the upper tip), `SHAPES.ring.contains(0, 0)` false.
 */

/** Class names in output order: index i is the model's output i. */
export const SHAPE_CLASSES = [
  'circle',
  'triangle',
  'square',
  'star',
  'cross',
  'ring',
  'heart',
  'crescent',
  'arrow',
  'hexagon',
] as const;

export type ShapeClass = (typeof SHAPE_CLASSES)[number];

export interface Shape {
  contains(u: number, v: number): boolean;
}

type Point = readonly [number, number];

/** Even–odd rule: works for the concave star and arrow as well. */
function polygon(points: readonly Point[]): Shape {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const n = points.length;
  return {
    contains(u, v) {
      let inside = false;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        if (ys[i] > v !== ys[j] > v && u < ((xs[j] - xs[i]) * (v - ys[i])) / (ys[j] - ys[i]) + xs[i]) {
          inside = !inside;
        }
      }
      return inside;
    },
  };
}

/** Vertices on circles around the origin, the first pointing up; radii cycle (for the star). */
function radialPolygon(count: number, radii: readonly number[]): Shape {
  const points: Point[] = [];
  for (let i = 0; i < count; i++) {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / count;
    const r = radii[i % radii.length];
    points.push([r * Math.cos(angle), r * Math.sin(angle)]);
  }
  return polygon(points);
}

const CROSS_ARM = 0.3;
const RING_INNER = 0.55;
/** The crescent is the unit disc minus this disc. */
const CRESCENT_BITE = { u: 0.45, v: -0.2, r: 0.8 };
/** The heart curve (x² + y² − 1)³ ≤ x²y³ spans about ±1.14 × [−1, 1.25]; this fits it in the unit disc. */
const HEART_SCALE = 1.3;
const HEART_SHIFT = 0.15;

export const SHAPES: Record<ShapeClass, Shape> = {
  circle: { contains: (u, v) => u * u + v * v <= 1 },
  triangle: radialPolygon(3, [1]),
  square: radialPolygon(4, [1]),
  star: radialPolygon(10, [1, 0.42]),
  cross: {
    contains: (u, v) =>
      (Math.abs(u) <= CROSS_ARM && Math.abs(v) <= 0.95) || (Math.abs(v) <= CROSS_ARM && Math.abs(u) <= 0.95),
  },
  ring: {
    contains(u, v) {
      const r2 = u * u + v * v;
      return r2 <= 1 && r2 >= RING_INNER * RING_INNER;
    },
  },
  heart: {
    contains(u, v) {
      const x = u * HEART_SCALE;
      const y = -v * HEART_SCALE + HEART_SHIFT;
      const a = x * x + y * y - 1;
      return a * a * a <= x * x * y * y * y;
    },
  },
  crescent: {
    contains(u, v) {
      const du = u - CRESCENT_BITE.u;
      const dv = v - CRESCENT_BITE.v;
      return u * u + v * v <= 1 && du * du + dv * dv > CRESCENT_BITE.r * CRESCENT_BITE.r;
    },
  },
  arrow: polygon([
    [-0.95, -0.2],
    [0.15, -0.2],
    [0.15, -0.6],
    [0.95, 0],
    [0.15, 0.6],
    [0.15, 0.2],
    [-0.95, 0.2],
  ]),
  hexagon: radialPolygon(6, [1]),
};
