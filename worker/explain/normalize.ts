/** Post-processing of maps: small pure functions over plain arrays, so any runtime can use them. */

/** Below this range a map is treated as flat: min–max would only amplify float noise (or divide by 0). */
export const NORMALIZE_EPSILON = 1e-8;

export interface MapRange {
  min: number;
  max: number;
}

export function mapRange(values: ArrayLike<number>): MapRange {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return values.length === 0 ? { min: 0, max: 0 } : { min, max };
}

/** Min–max normalisation to [0, 1]; a flat map (all zero, say) becomes all zero, never NaN. */
export function normalizeMinMax(values: ArrayLike<number>, range: MapRange = mapRange(values)): Float32Array {
  const out = new Float32Array(values.length);
  const span = range.max - range.min;
  if (!(span > NORMALIZE_EPSILON)) return out;
  for (let i = 0; i < values.length; i++) out[i] = (values[i] - range.min) / span;
  return out;
}

/** [0, 1] → bytes 0…255, rounded. */
export function quantizeUnit(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, values[i])) * 255);
  return out;
}
