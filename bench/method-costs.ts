/**
 * What each explanation method costs against a forward pass, in workerd on the compiled engine: in
 * rounds, one sample of the forward pass and of every method (top 3) per round, rotated, each sample a
 * call repeating the operation; the ratio is the median of the per-round ratios.
 */
import { METHODS, type MethodName } from '../worker/explain/methods';
import { pairedRatio, summarize, type Summary } from './stats';
import type { BenchWorker } from './workerd';

export interface MethodCosts {
  reps: number;
  forward: number[];
  methods: Partial<Record<MethodName, number[]>>;
  summaries: { forward: Summary } & Partial<Record<MethodName, Summary>>;
  /** method ÷ forward, median of per-round ratios. */
  ratios: Partial<Record<MethodName, number>>;
}

const CALL_MS = 250;
const TARGETS = 3;

export async function measureMethodCosts(worker: BenchWorker, model: string, rounds: number): Promise<MethodCosts> {
  await worker.post('open', { model, variants: 'compiled' });
  try {
    const call = async (method: MethodName | undefined, reps: number) => {
      const params: Record<string, string | number> = method ? { model, variant: 'compiled', op: 'gradcam', k: TARGETS, reps, method } : { model, variant: 'compiled', op: 'forward', reps };
      return (await worker.post('run', params)).ms / reps;
    };
    const names = Object.keys(METHODS) as MethodName[];
    for (const method of [undefined, ...names]) await call(method, 1);
    const reps = Math.min(50, Math.max(1, Math.round(CALL_MS / (await call(undefined, 2)))));
    const forward: number[] = [];
    const methods: MethodCosts['methods'] = {};
    const jobs: (MethodName | undefined)[] = [undefined, ...names];
    for (let round = 0; round < rounds; round++) {
      for (let j = 0; j < jobs.length; j++) {
        const method = jobs[(j + round) % jobs.length];
        const ms = await call(method, reps);
        if (method) (methods[method] ??= []).push(ms);
        else forward.push(ms);
      }
    }
    const summaries = { forward: summarize(forward), ...Object.fromEntries(Object.entries(methods).map(([m, v]) => [m, summarize(v)])) } as MethodCosts['summaries'];
    const ratios = Object.fromEntries(Object.entries(methods).map(([m, v]) => [m, pairedRatio(v, forward)]));
    return { reps, forward, methods, summaries, ratios };
  } finally {
    await worker.post('close', { model });
  }
}
