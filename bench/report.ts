/**
 * The benchmark's results as JSON and as Markdown tables. Every comparison is a ratio taken within the
 * run: forward against Grad-CAM per round (paired samples), each optimisation against the state before it.
 */
import type { BundleSize } from './bundle-size';
import { firstAnswerMs, type ColdStart } from './cold-start';
import type { Variant } from './engine-session';
import type { EngineTimings, Measured } from './measure-engine';
import type { LoadResult, LoadTest } from './load-test';
import { METHODS, type MethodName } from '../worker/explain/methods';
import type { MethodCosts } from './method-costs';
import { OP_KINDS, type OpProfile } from './op-profile';
import { FMA_PER_CYCLE, type PeerEngine, type PeersResult } from './peers';
import { bestRatio, pairedRatio, quantile, type Summary } from './stats';
import type { SoakResult } from './soak';

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
  /** ms per compiled forward pass by operation kind (Node), per model. */
  profile?: Record<string, OpProfile>;
  peers?: PeersResult;
  /** Each method's cost against a forward pass (workerd, compiled), per model. */
  methods?: Record<string, MethodCosts>;
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
/** The default model's cold start: a new isolate answers its first explanation within this. */
const FIRST_ANSWER_LIMIT_MS = 1500;

function samples(timings: EngineTimings, variant: Variant, measured: Measured): number[] | undefined {
  return timings.samples[variant]?.[measured];
}

/** The engine's targets for one model in workerd: Grad-CAM's extra cost, the compiler's gain, memory. */
function engineChecks(label: string, timings: EngineTimings | undefined, cold: ColdStart | undefined, firstAnswerLimitMs?: number): Check[] {
  const list: Check[] = [];
  if (timings) {
    const gc1 = pairedRatio(samples(timings, 'compiled', 'gradcam1'), samples(timings, 'compiled', 'forward'));
    const gc3 = pairedRatio(samples(timings, 'compiled', 'gradcam3'), samples(timings, 'compiled', 'forward'));
    const speedup = pairedRatio(samples(timings, 'layers', 'forward'), samples(timings, 'compiled', 'forward'));
    list.push({ name: `${label} in workerd: Grad-CAM (top-1) ÷ forward`, value: gc1, target: '≤ 1.15', pass: gc1 <= 1.15 });
    list.push({ name: `${label} in workerd: Grad-CAM (top-3) ÷ forward`, value: gc3, target: '≤ 1.15', pass: gc3 <= 1.15 });
    list.push({ name: `${label} in workerd: unfused TF.js layers forward ÷ compiled forward`, value: speedup, target: '≥ 2', pass: speedup >= 2 });
    const best = bestRatio(samples(timings, 'layers', 'forward'), samples(timings, 'compiled', 'forward'));
    list.push({ name: `${label} in workerd: the same, best sample ÷ best sample`, value: best, target: '≥ 2', pass: best >= 2 });
  }
  if (cold) {
    const peak = lastHeap(cold);
    list.push({ name: `${label} in workerd: WASM heap peak (MB)`, value: peak / 2 ** 20, target: '≤ 96', pass: peak <= HEAP_LIMIT_BYTES });
    if (firstAnswerLimitMs !== undefined) {
      const first = firstAnswerMs(cold);
      list.push({ name: `${label} in workerd: new isolate → first answer (ms)`, value: first, target: `≤ ${firstAnswerLimitMs}`, pass: first <= firstAnswerLimitMs });
    }
  }
  return list;
}

export function checks(result: Omit<BenchResult, 'checks'>): Check[] {
  const defaultModel = result.models.find((m) => m.role === 'default model')?.id;
  const list = engineChecks('B0', result.engine.workerd?.[B0], result.coldStart.workerd?.[B0]?.compiled);
  if (defaultModel && defaultModel !== B0) {
    list.push(...engineChecks(`${defaultModel} (default)`, result.engine.workerd?.[defaultModel], result.coldStart.workerd?.[defaultModel]?.compiled, FIRST_ANSWER_LIMIT_MS));
  }
  list.push(...peerChecks(result.peers));
  const b0Methods = result.methods?.[B0];
  if (b0Methods) {
    for (const [method, value] of Object.entries(b0Methods.ratios)) {
      const { needs, family } = METHODS[method as MethodName];
      if (needs === 'gradients' && family === 'weighted') list.push({ name: `B0 in workerd: ${method} (top-3) ÷ forward`, value, target: '≤ 1.2', pass: value <= 1.2 });
    }
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

/** Our engine's share of the 128-bit FMA peak: the convolutions' floor at the CPU's clock ÷ our forward pass. */
function peakFraction(macs: number, clockMHz: number, forwardMs: number): { floorMs: number; fraction: number } {
  const floorMs = (macs / (FMA_PER_CYCLE * clockMHz * 1e6)) * 1000;
  return { floorMs, fraction: floorMs / forwardMs };
}

/** The targets against the peers (issue: faster than PyTorch on the same CPU). */
function peerChecks(peers: PeersResult | undefined): Check[] {
  if (!peers) return [];
  const list: Check[] = [];
  const ratioOf = (model: string, a: PeerEngine, b: PeerEngine) => pairedRatio(peers.models[model]?.samples[a], peers.models[model]?.samples[b]);
  const push = (name: string, value: number, target: string, pass: boolean) => {
    if (!Number.isNaN(value)) list.push({ name, value, target, pass });
  };
  const b0 = peers.models[B0];
  if (b0) {
    const forward = ratioOf(B0, 'ours-forward', 'torch-forward');
    push('B0: our forward (workerd) ÷ PyTorch one-thread forward', forward, '≤ 0.9', forward <= 0.9);
    const web = ratioOf(B0, 'ort-web-forward', 'ours-forward');
    push('B0: onnxruntime-web forward ÷ ours', web, '≥ 2.5', web >= 2.5);
    const gradcam = ratioOf(B0, 'ours-gradcam3', 'torch-gradcam-head');
    push('B0: our Grad-CAM top-3 ÷ PyTorch head-only Grad-CAM', gradcam, '≤ 1', gradcam <= 1);
    const { fraction } = peakFraction(b0.macs, peers.clockMHz, b0.summaries['ours-forward']?.median ?? Number.NaN);
    push('B0: our forward, fraction of the 128-bit FMA peak', fraction, '≥ 0.65', fraction >= 0.65);
  }
  for (const model of Object.keys(peers.models).filter((m) => m !== B0)) {
    const forward = ratioOf(model, 'ours-forward', 'torch-forward');
    push(`${model}: our forward (workerd) ÷ PyTorch one-thread forward`, forward, '≤ 1', forward <= 1);
  }
  return list;
}

function peersTable(peers: PeersResult): string[] {
  const rows = Object.entries(peers.models).map(([model, r]) => {
    const median = (engine: PeerEngine) => r.summaries[engine]?.median;
    const paired = (a: PeerEngine, b: PeerEngine) => ratio(pairedRatio(r.samples[a], r.samples[b]));
    const { floorMs, fraction } = peakFraction(r.macs, peers.clockMHz, median('ours-forward') ?? Number.NaN);
    return [
      model, (r.macs / 1e9).toFixed(3),
      ms(median('ours-forward')), ms(median('ours-gradcam3')), ms(median('torch-forward')), ms(median('torch-gradcam-head')),
      ms(median('torch-gradcam-library')), ms(median('ort-web-forward')), ms(median('ort-node-forward')),
      paired('ours-forward', 'torch-forward'), paired('ort-web-forward', 'ours-forward'), paired('ours-gradcam3', 'torch-gradcam-head'),
      `${ms(floorMs)} (${(100 * fraction).toFixed(0)} %)`,
    ];
  });
  return [
    `### Peers, one thread each, same weights, interleaved rounds (ms per image, medians; ratios are medians of per-round ratios). PyTorch ${peers.torch}; clock ${peers.clockMHz.toFixed(0)} MHz (/proc/cpuinfo); floor: MACs at ${FMA_PER_CYCLE} FMA per cycle`,
    table(
      ['model', 'GMAC', 'ours fwd (workerd)', 'ours Grad-CAM top-3', 'PyTorch fwd', 'PyTorch head-only Grad-CAM top-3', 'pytorch-grad-cam top-3', 'onnxruntime-web fwd', 'onnxruntime-node fwd', 'ours ÷ PyTorch fwd', 'ort-web ÷ ours', 'ours ÷ PyTorch Grad-CAM', 'floor ms (ours: % of peak)'],
      rows,
    ),
  ];
}

function methodsTable(methods: Record<string, MethodCosts>): string[] {
  const names = Object.keys(METHODS) as MethodName[];
  const rows = Object.entries(methods).map(([model, m]) => [model, ms(m.summaries.forward.median), ...names.map((n) => `${ms(m.summaries[n]?.median)} (${ratio(m.ratios[n] ?? Number.NaN)})`)]);
  return ["### Each method's cost, top 3 (workerd, compiled engine; ms, and ÷ forward as the median of per-round ratios)", table(['model', 'forward', ...names], rows)];
}

function profileTable(profile: Record<string, OpProfile>): string[] {
  const rows = Object.entries(profile).map(([model, p]) => {
    const total = OP_KINDS.reduce((n, k) => n + p[k], 0);
    return [model, ...OP_KINDS.map((k) => `${ms(p[k])} (${((100 * p[k]) / total).toFixed(0)} %)`), ms(total)];
  });
  return ['### Where a compiled forward pass spends its time (Node, tf.profile; ms per pass and share)', table(['model', ...OP_KINDS, 'total'], rows)];
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
    table(['runtime', 'model', 'compile to op list', '+ fold BN', '+ fuse bias/act', '+ swish kernel', '+ depthwise kernel', '+ pointwise conv kernel', 'plain ÷ compiled', 'TF.js layers ÷ compiled'], gainRows),
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
          ms(c.init.ms), ms(c.read.ms), ms(c.load.ms), ms(c.firstExplain.ms), ms(firstAnswerMs(c)), ms(steady),
          `${mb(c.init.memory.heapBytes)} / ${mb(c.load.memory.heapBytes)} / ${mb(c.firstExplain.memory.heapBytes)} / ${mb(lastHeap(c))}`,
          tensors,
        ]);
      }
    }
  }
  const start = result.workerdStartMs?.length ? ` A fresh Miniflare (new workerd process) took ${ms(quantile(result.workerdStartMs, 0.5))} ms to be ready (median).` : '';
  return [
    `### Cold start: new isolate → first answered explain (top-3), ms; files read from KV (workerd, SHA-256 checked) or disk (Node); WASM heap (MB) after init / build / first explain / peak; tensors after each explain.${start}`,
    table(['runtime', 'model', 'path', 'backend init', 'read files', 'model build', 'first explain', 'total', 'steady explain', 'heap MB', 'tensors'], rows),
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
    ...(result.methods ? methodsTable(result.methods) : []),
    ...(result.profile ? profileTable(result.profile) : []),
    ...(result.peers ? peersTable(result.peers) : []),
    ...(result.load ? loadTable(result.load) : []),
    ...(result.soak ? soakTable(result.soak) : []),
    ...(result.bundle ? bundleTable(result.bundle) : []),
  ];
  if (result.skipped.length > 0) parts.push(`Skipped: ${result.skipped.join('; ')}.`);
  return parts.join('\n\n') + '\n';
}
