/**
 * The benchmark's results as JSON and as Markdown tables. Every comparison is a ratio taken within the
 * run: forward against Grad-CAM per round (paired samples), each optimisation against the state before it.
 */
import type { BundleSize } from './bundle-size';
import type { ColdStart } from './cold-start';
import type { Variant } from './engine-session';
import type { EngineTimings, Measured } from './measure-engine';
import type { LoadResult, LoadTest } from './load-test';
import type { SoakResult } from './soak';
import { quantile, type Summary } from './stats';

export type Runtime = 'workerd' | 'node';

export interface ModelInfo {
  id: string;
  role: string;
  parameters?: number;
  weightBytes: number;
}

export interface BenchResult {
  startedAt: string;
  machine: { node: string; cpus: number; loadAverage: number[] };
  rounds: number;
  models: ModelInfo[];
  skipped: string[];
  engine: Partial<Record<Runtime, Record<string, EngineTimings>>>;
  coldStart: Partial<Record<Runtime, Record<string, Partial<Record<'plain' | 'compiled', ColdStart>>>>>;
  /** How long a fresh Miniflare took to be ready (a new workerd process: an upper bound on an isolate's start). */
  workerdStartMs?: number[];
  load?: LoadTest;
  soak?: SoakResult;
  bundle?: BundleSize;
  checks: Check[];
}

export interface Check {
  name: string;
  value: number;
  target: string;
  pass: boolean;
}

const B0 = 'efficientnet-b0-random';
const HEAP_LIMIT_BYTES = 96 * 2 ** 20;

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

function samples(timings: EngineTimings, variant: Variant, measured: Measured): number[] | undefined {
  return timings.samples[variant]?.[measured];
}

export function checks(result: Omit<BenchResult, 'checks'>): Check[] {
  const list: Check[] = [];
  const b0 = result.engine.workerd?.[B0];
  if (b0) {
    const gc1 = pairedRatio(samples(b0, 'compiled', 'gradcam1'), samples(b0, 'compiled', 'forward'));
    const gc3 = pairedRatio(samples(b0, 'compiled', 'gradcam3'), samples(b0, 'compiled', 'forward'));
    const speedup = pairedRatio(samples(b0, 'layers', 'forward'), samples(b0, 'compiled', 'forward'));
    list.push({ name: 'B0 in workerd: Grad-CAM (top-1) ÷ forward', value: gc1, target: '≤ 1.15', pass: gc1 <= 1.15 });
    list.push({ name: 'B0 in workerd: Grad-CAM (top-3) ÷ forward', value: gc3, target: '≤ 1.15', pass: gc3 <= 1.15 });
    list.push({ name: 'B0 in workerd: unfused TF.js layers forward ÷ compiled forward', value: speedup, target: '≥ 2', pass: speedup >= 2 });
    const best = bestRatio(samples(b0, 'layers', 'forward'), samples(b0, 'compiled', 'forward'));
    list.push({ name: 'B0 in workerd: the same, best sample ÷ best sample', value: best, target: '≥ 2', pass: best >= 2 });
  }
  const cold = result.coldStart.workerd?.[B0]?.compiled;
  if (cold) {
    const peak = lastHeap(cold);
    list.push({ name: 'B0 in workerd: WASM heap peak (MB)', value: peak / 2 ** 20, target: '≤ 96', pass: peak <= HEAP_LIMIT_BYTES });
  }
  if (result.load) {
    const ratio = result.load.hits.throughput / result.load.healthz.throughput;
    list.push({ name: 'cache hits ÷ /healthz throughput', value: ratio, target: '≥ 0.5', pass: ratio >= 0.5 });
    const storing = result.load.storingRatio;
    list.push({ name: 'explain miss ÷ the same with store=false (median of pairs)', value: storing, target: '≤ 1.3', pass: storing <= 1.3 });
  }
  if (result.soak) {
    const { start, end } = result.soak;
    list.push({ name: 'soak: tensors at the end − at the start', value: end.tensors - start.tensors, target: '0', pass: end.tensors === start.tensors });
    const heap = end.wasmHeapBytes / start.wasmHeapBytes;
    list.push({ name: 'soak: WASM heap at the end ÷ at the start', value: heap, target: '≤ 1.1', pass: heap <= 1.1 });
    const server = Object.entries(result.soak.statuses).filter(([key]) => /\s(5\d\d|error)$/.test(key)).reduce((n, [, count]) => n + count, 0);
    list.push({ name: 'soak: 5xx answers and failed requests', value: server, target: '0', pass: server === 0 });
  }
  return list;
}

function soakTable(soak: SoakResult): string[] {
  const row = (name: string, s: { requests: number; p50: number; p99: number }) => [name, String(s.requests), ms(s.p50), ms(s.p99)];
  const memory = (s: SoakResult['start']) => `${s.tensors} tensors, WASM heap ${mb(s.wasmHeapBytes)} MB, workerd RSS ${mb(s.rssBytes)} MB (peak ${mb(s.peakRssBytes)}), ${s.recentExplanations} recent explanations`;
  return [
    `### Soak: \`wrangler dev\` on 127.0.0.1, model ${soak.model}, ${soak.requests} mixed requests at concurrency ${soak.concurrency} in ${(soak.elapsedMs / 1000).toFixed(0)} s (latency in ms)`,
    table(['requests', 'count', 'p50', 'p99'], [row('all', soak), ...Object.entries(soak.kinds).map(([kind, s]) => row(kind, s))]),
    `Statuses: ${Object.entries(soak.statuses).sort().map(([k, v]) => `${k}: ${v}`).join(', ')}.`,
    `Start: ${memory(soak.start)}.${soak.middle ? ` Halfway: ${memory(soak.middle)}.` : ''} End: ${memory(soak.end)}.`,
  ];
}

function lastHeap(cold: ColdStart): number {
  return [cold.init, cold.load, cold.firstExplain, ...cold.steadyExplains].reduce((peak, s) => Math.max(peak, s.memory.heapBytes), 0);
}

const ms = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '–' : value >= 100 ? value.toFixed(0) : value.toFixed(1));
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const kib = (bytes: number) => (bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0);
const ratio = (value: number) => (Number.isNaN(value) ? '–' : value.toFixed(2));
const spread = (s: Summary | undefined) => (s ? `${ms(s.median)} (${ms(s.p25)}–${ms(s.p75)})` : '–');

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function engineTables(result: BenchResult): string[] {
  const timingRows: string[][] = [];
  const gainRows: string[][] = [];
  for (const runtime of ['workerd', 'node'] as const) {
    for (const [model, t] of Object.entries(result.engine[runtime] ?? {})) {
      for (const variant of ['layers', 'plain', 'compiled'] as const) {
        const s = t.summaries[variant];
        if (!s) continue;
        const gc = (k: Measured) => ratio(pairedRatio(samples(t, variant, k), samples(t, variant, 'forward')));
        timingRows.push([runtime, model, variant, spread(s.forward), spread(s.gradcam1), spread(s.gradcam3), variant === 'layers' ? '–' : gc('gradcam1'), variant === 'layers' ? '–' : gc('gradcam3')]);
      }
      if (!t.summaries.compiled) continue;
      const gain = (before: Variant, after: Variant) => ratio(pairedRatio(samples(t, before, 'forward'), samples(t, after, 'forward')));
      const best = ratio(bestRatio(samples(t, 'layers', 'forward'), samples(t, 'compiled', 'forward')));
      gainRows.push([runtime, model, gain('plain', 'graph'), gain('graph', 'fold'), gain('fold', 'fuse'), gain('fuse', 'swish'), gain('swish', 'depthwise'), gain('depthwise', 'compiled'), gain('plain', 'compiled'), `${gain('layers', 'compiled')} (best ${best})`]);
    }
  }
  return [
    '### Forward pass and Grad-CAM (ms per image: median (p25–p75))',
    table(['runtime', 'model', 'path', 'forward', 'Grad-CAM top-1', 'Grad-CAM top-3', 'top-1 ÷ fwd', 'top-3 ÷ fwd'], timingRows),
    '### What each optimisation pays (forward: time before ÷ time after, median of per-round ratios; > 1 is faster. "best": fastest sample ÷ fastest sample)',
    table(['runtime', 'model', 'compile to op list', '+ fold BN', '+ fuse bias/act', '+ swish kernel', '+ depthwise+swish kernel', '+ pointwise conv kernel', 'plain ÷ compiled', 'TF.js layers ÷ compiled'], gainRows),
  ];
}

function coldTable(result: BenchResult): string[] {
  const rows: string[][] = [];
  for (const runtime of ['workerd', 'node'] as const) {
    for (const [model, byPath] of Object.entries(result.coldStart[runtime] ?? {})) {
      for (const [path, c] of Object.entries(byPath) as [string, ColdStart][]) {
        const steady = quantile(c.steadyExplains.map((s) => s.ms), 0.5);
        const tensors = [c.firstExplain, ...c.steadyExplains].map((s) => s.memory.numTensors).join('/');
        rows.push([
          runtime, model, path,
          ms(c.init.ms), ms(c.load.ms), ms(c.firstExplain.ms), ms(c.init.ms + c.load.ms + c.firstExplain.ms), ms(steady),
          `${mb(c.init.memory.heapBytes)} / ${mb(c.load.memory.heapBytes)} / ${mb(c.firstExplain.memory.heapBytes)} / ${mb(lastHeap(c))}`,
          tensors,
        ]);
      }
    }
  }
  const start = result.workerdStartMs?.length ? ` A fresh Miniflare (new workerd process) took ${ms(quantile(result.workerdStartMs, 0.5))} ms to be ready (median).` : '';
  return [
    `### Cold start: new isolate → first answered explain (top-3), ms; WASM heap (MB) after init / load / first explain / peak; tensors after each explain.${start}`,
    table(['runtime', 'model', 'path', 'backend init', 'model load', 'first explain', 'total', 'steady explain', 'heap MB', 'tensors'], rows),
  ];
}

function loadTable(load: LoadTest): string[] {
  const row = (name: string, r: LoadResult) => [
    name, String(r.requests), String(r.concurrency), r.throughput.toFixed(1), ms(r.p50), ms(r.p90), ms(r.p99), String(r.errors),
    Object.entries(r.cache).map(([k, v]) => `${k} ${v}`).join(', ') || '–',
  ];
  return [
    `### Load test: \`wrangler dev\` on 127.0.0.1, model ${load.model}, top-3 (latency in ms). Cache hits ÷ /healthz throughput: ${ratio(load.hits.throughput / load.healthz.throughput)}`,
    table(['route', 'requests', 'concurrency', 'req/s', 'p50', 'p90', 'p99', 'errors', 'X-Cache'], [
      row('GET /healthz', load.healthz),
      row('POST /v1/explain (cache hits)', load.hits),
      row('POST /v1/explain (misses)', load.misses),
      row('POST /v1/explain (misses, one at a time)', load.storedMisses),
      row('POST /v1/explain (the same, store=false)', load.storeOffMisses),
    ]),
  ];
}

function bundleTable(bundle: BundleSize): string[] {
  return [
    '### Worker bundle (`wrangler deploy --dry-run`), KiB',
    table(['part', 'raw', 'gzip'], [
      ['JavaScript', kib(bundle.jsBytes), kib(bundle.jsGzipBytes)],
      ...bundle.files.filter((f) => f.name.endsWith('.wasm')).map((f) => [f.name.replace(/^[0-9a-f]{40}-/, ''), kib(f.bytes), kib(f.gzipBytes)]),
      ['total', kib(bundle.totalBytes), kib(bundle.totalGzipBytes)],
    ]),
  ];
}

export function markdown(result: BenchResult): string {
  const parts = [
    `## Benchmark ${result.startedAt} (Node ${result.machine.node}, ${result.machine.cpus} cores, load average ${result.machine.loadAverage.map((l) => l.toFixed(1)).join(' ')}; ${result.rounds} rounds)`,
    table(['check', 'value', 'target', 'ok'], result.checks.map((c) => [c.name, c.value.toFixed(2), c.target, c.pass ? 'yes' : '**no**'])),
    table(['model', 'role', 'parameters', 'weights MB'], result.models.map((m) => [m.id, m.role, m.parameters?.toLocaleString('en') ?? '–', mb(m.weightBytes)])),
    ...engineTables(result),
    ...coldTable(result),
    ...(result.load ? loadTable(result.load) : []),
    ...(result.soak ? soakTable(result.soak) : []),
    ...(result.bundle ? bundleTable(result.bundle) : []),
  ];
  if (result.skipped.length > 0) parts.push(`Skipped: ${result.skipped.join('; ')}.`);
  return parts.join('\n\n') + '\n';
}
