/**
 * Deterministic randomness for the scene generator, in plain TypeScript (no platform APIs), so a seed
 * gives the same scene in Node, workerd and the browser.
 *
 * - `createRandom(seed)`: a stateful stream (mulberry32) for sampling a scene's description.
 * - `hashNoise(seed, x, y)`: a stateless value per pixel, so rendering is a pure function of the
 *   description and drawing one layer never shifts the noise of another.
 *
 * Example: `const rng = createRandom(42); rng.range(0, 1); rng.int(1, 4); rng.pick(['a', 'b']);`
 */

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number;
  /** Uniform integer in [lo, hiExclusive). */
  int(lo: number, hiExclusive: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A fresh 32-bit seed, for stateless noise or a sub-stream. */
  seed(): number;
}

/** Scrambles a 32-bit integer (the splitmix32 finaliser): neighbouring seeds give unrelated streams. */
export function mix32(value: number): number {
  let z = (value + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A mulberry32 stream; period 2^32, plenty for the few hundred draws a scene needs. */
export function createRandom(seed: number): Random {
  let state = mix32(seed >>> 0);
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    range: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hiExclusive) => lo + Math.floor((hiExclusive - lo) * next()),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(items.length * next())],
    seed: () => Math.floor(next() * 4294967296) >>> 0,
  };
}

/** A value in [-1, 1) that depends only on (seed, x, y): per-pixel noise without state. */
export function hashNoise(seed: number, x: number, y: number): number {
  let h = Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1) ^ seed;
  h = mix32(h);
  return h / 2147483648 - 1;
}
