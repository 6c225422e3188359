/** Order statistics for noisy timings: medians and quartiles, never means. */

export interface Summary {
  n: number;
  median: number;
  p25: number;
  p75: number;
  min: number;
  max: number;
}

/** The q-quantile (0 ≤ q ≤ 1) by linear interpolation between order statistics. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
}

export function summarize(values: readonly number[]): Summary {
  return {
    n: values.length,
    median: quantile(values, 0.5),
    p25: quantile(values, 0.25),
    p75: quantile(values, 0.75),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

/** Ratio of the best (smallest) samples: what each costs when nothing else competes for the machine. */
export function bestRatio(a: readonly number[] | undefined, b: readonly number[] | undefined): number {
  if (!a?.length || !b?.length) return Number.NaN;
  return Math.min(...a) / Math.min(...b);
}

/** Median over rounds of a[r] / b[r]: both were sampled within the same round, under the same load. */
export function pairedRatio(a: readonly number[] | undefined, b: readonly number[] | undefined): number {
  if (!a || !b || a.length === 0 || a.length !== b.length) return Number.NaN;
  return quantile(
    a.map((x, i) => x / b[i]),
    0.5,
  );
}
