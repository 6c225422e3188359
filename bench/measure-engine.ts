/**
 * Times forward passes and Grad-CAM for every variant of one model, in rounds: each round takes one
 * sample of every (variant, operation), in the variants' order (compared ones are neighbours) rotated by
 * one each round, so slow spells on a noisy machine hit all of them alike and ratios of samples taken
 * in the same round stay meaningful.
 *
 * A sample is one call that repeats the operation `reps` times; the call's fixed cost (measured with a
 * no-op call) is subtracted and the rest divided by `reps`. Calls are timed by the caller's clock, which
 * for workerd is the Node side (see bench/worker-bench.ts).
 */
import { explainsWith, type Operation, type Variant } from './engine-session';
import { summarize, type Summary } from './stats';

/** Runs `operation` `reps` times in one call and returns the call's wall time in ms. */
export type TimedCall = (variant: Variant, operation: Operation, reps: number, k: number) => Promise<number>;

export interface MeasureOptions {
  rounds: number;
  /** Aim for calls of about this long (ms), so the call overhead is small against the work. */
  callMs: number;
}

/** A timed operation: forward pass, or Grad-CAM of the top k classes. */
export type Measured = 'forward' | 'gradcam1' | 'gradcam3';

export interface EngineTimings {
  reps: number;
  /** Median fixed cost of one call (ms). */
  callOverheadMs: number;
  /** Per-operation times in ms, by variant and operation. */
  samples: Partial<Record<Variant, Partial<Record<Measured, number[]>>>>;
  summaries: Partial<Record<Variant, Partial<Record<Measured, Summary>>>>;
}

const OPERATIONS: Record<Measured, { operation: Operation; k: number }> = {
  forward: { operation: 'forward', k: 1 },
  gradcam1: { operation: 'gradcam', k: 1 },
  gradcam3: { operation: 'gradcam', k: 3 },
};

export async function measureEngine(call: TimedCall, variants: readonly Variant[], options: MeasureOptions): Promise<EngineTimings> {
  const jobs = variants.flatMap((variant) =>
    (Object.keys(OPERATIONS) as Measured[])
      .filter((measured) => measured === 'forward' || explainsWith(variant))
      .map((measured) => ({ variant, measured })),
  );
  // Warm-up: first calls build XNNPACK operators and JIT the glue.
  for (const { variant, measured } of jobs) await call(variant, OPERATIONS[measured].operation, 1, OPERATIONS[measured].k);
  const overheads: number[] = [];
  for (let i = 0; i < 7; i++) overheads.push(await call(variants[0], 'noop', 1, 1));
  const callOverheadMs = summarize(overheads).median;
  const probe = Math.max(0.01, (await call(variants[0], 'forward', 1, 1)) - callOverheadMs);
  const reps = Math.min(100, Math.max(1, Math.round(options.callMs / probe)));

  const samples: EngineTimings['samples'] = {};
  for (let round = 0; round < options.rounds; round++) {
    for (let j = 0; j < jobs.length; j++) {
      const { variant, measured } = jobs[(j + round) % jobs.length];
      const { operation, k } = OPERATIONS[measured];
      const ms = await call(variant, operation, reps, k);
      const perVariant = (samples[variant] ??= {});
      (perVariant[measured] ??= []).push(Math.max(0, ms - callOverheadMs) / reps);
    }
  }
  const summaries: EngineTimings['summaries'] = {};
  for (const [variant, byOperation] of Object.entries(samples) as [Variant, Partial<Record<Measured, number[]>>][]) {
    summaries[variant] = Object.fromEntries(Object.entries(byOperation).map(([m, values]) => [m, summarize(values)]));
  }
  return { reps, callOverheadMs, samples, summaries };
}
