/**
 * The explain endpoint under concurrent load, against `wrangler dev` on loopback (the whole worker, as
 * `npm start` serves it), beside /healthz measured in the same run. Every phase is bounded in requests
 * and in time. Cache hits and /healthz alternate in short bursts so that both see the same machine;
 * misses use a fresh image per request (the photo with a JPEG comment carrying a counter), so each one
 * decodes, runs the model and stores its result.
 */
import { startDevServer } from '../test/support/dev-server';
import { quantile } from './stats';

export interface LoadPhase {
  concurrency: number;
  maxRequests: number;
  maxMs: number;
}

export interface LoadResult extends LoadPhase {
  requests: number;
  errors: number;
  elapsedMs: number;
  /** Completed requests per second. */
  throughput: number;
  p50: number;
  p90: number;
  p99: number;
  /** Values of X-Cache seen, with counts (explain routes only). */
  cache: Record<string, number>;
}

export interface LoadTest {
  model: string;
  healthz: LoadResult;
  hits: LoadResult;
  misses: LoadResult;
  /** Misses alternating with the same work under `store=false`, one at a time: what storing adds to an answer. */
  storedMisses: LoadResult;
  storeOffMisses: LoadResult;
  /** Median over pairs of (stored miss ÷ store=false miss). */
  storingRatio: number;
}

const HEALTHZ_BURST: LoadPhase = { concurrency: 8, maxRequests: 400, maxMs: 6_000 };
const HITS_BURST: LoadPhase = { concurrency: 8, maxRequests: 400, maxMs: 6_000 };
const BURSTS = 3;
const MISSES: LoadPhase = { concurrency: 2, maxRequests: 16, maxMs: 90_000 };
const STORAGE_PAIRS: LoadPhase = { concurrency: 1, maxRequests: 24, maxMs: 60_000 };
/** Longer than a miss's background work (a 512 px JPEG and two local KV writes) takes here. */
const BACKGROUND_SETTLE_MS = 400;

/** The i-th client address of the benchmarking range 198.18.0.0/15 (RFC 2544). */
export function benchClient(i: number): string {
  return `198.${18 + ((i >> 16) & 1)}.${(i >> 8) & 255}.${i & 255}`;
}

/** The JPEG with a comment segment (FF FE) right after its start-of-image marker: new bytes, same pixels. */
export function withJpegComment(jpeg: Uint8Array, comment: string): Uint8Array<ArrayBuffer> {
  const text = new TextEncoder().encode(comment);
  const segment = new Uint8Array(4 + text.length);
  segment.set([0xff, 0xfe, (text.length + 2) >> 8, (text.length + 2) & 0xff]);
  segment.set(text, 4);
  const out = new Uint8Array(jpeg.length + segment.length);
  out.set(jpeg.subarray(0, 2));
  out.set(segment, 2);
  out.set(jpeg.subarray(2), 2 + segment.length);
  return out;
}

async function runPhase(phase: LoadPhase, send: (i: number) => Promise<Response>): Promise<Omit<LoadResult, keyof LoadPhase> & { latencies: number[] }> {
  const latencies: number[] = [];
  const cache: Record<string, number> = {};
  let issued = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + phase.maxMs;
  const worker = async () => {
    while (issued < phase.maxRequests && performance.now() < deadline) {
      const i = issued++;
      const t0 = performance.now();
      try {
        const response = await send(i);
        await response.arrayBuffer();
        if (!response.ok) errors++;
        const status = response.headers.get('x-cache');
        if (status) cache[status] = (cache[status] ?? 0) + 1;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: phase.concurrency }, worker));
  const elapsedMs = performance.now() - started;
  return { latencies, requests: latencies.length, errors, elapsedMs, throughput: 0, p50: 0, p90: 0, p99: 0, cache };
}

function finish(phase: LoadPhase, runs: Awaited<ReturnType<typeof runPhase>>[]): LoadResult {
  const latencies = runs.flatMap((r) => r.latencies);
  const elapsedMs = runs.reduce((sum, r) => sum + r.elapsedMs, 0);
  const cache: Record<string, number> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.cache)) cache[k] = (cache[k] ?? 0) + v;
  return {
    ...phase,
    requests: latencies.length,
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    elapsedMs,
    throughput: (latencies.length / elapsedMs) * 1000,
    p50: quantile(latencies, 0.5),
    p90: quantile(latencies, 0.9),
    p99: quantile(latencies, 0.99),
    cache,
  };
}

/** Starts `wrangler dev` with the repository's models and Tiny Darknet, runs the phases, stops it. */
export async function loadTest(modelId: string, photo: Uint8Array): Promise<LoadTest> {
  const server = await startDevServer();
  try {
    const explainUrl = `${server.origin}/v1/explain?model=${encodeURIComponent(modelId)}&topk=3`;
    // Every request from its own client, so the per-client rate limits (wrangler.toml) never refuse the
    // load it measures; Miniflare keeps a CF-Connecting-IP the request already has.
    let sent = 0;
    const explain = (bytes: Uint8Array<ArrayBuffer>, query = '') =>
      fetch(explainUrl + query, { method: 'POST', headers: { 'content-type': 'image/jpeg', 'cf-connecting-ip': benchClient(sent++) }, body: bytes });
    const healthz = () => fetch(`${server.origin}/healthz`);

    const hitImage = withJpegComment(photo, 'bench: cache hits');
    // Warm-up: the model is loaded and the hit image's explanation stored before anything is timed.
    const first = await explain(hitImage);
    if (!first.ok) throw new Error(`explain failed during warm-up: ${first.status} ${await first.text()}`);
    for (let i = 0; i < 20; i++) await (await healthz()).arrayBuffer();

    const healthRuns = [];
    const hitRuns = [];
    for (let burst = 0; burst < BURSTS; burst++) {
      healthRuns.push(await runPhase(HEALTHZ_BURST, healthz));
      hitRuns.push(await runPhase(HITS_BURST, () => explain(hitImage)));
    }
    const stamp = Date.now();
    const missRun = await runPhase(MISSES, (i) => explain(withJpegComment(photo, `bench: miss ${stamp}-${i}`)));
    // Pairs of a stored miss and a store=false miss, each on fresh bytes, back to back so both see the same
    // machine. What is timed is the answer: each request starts once the previous one's background work
    // (preview, KV writes) is done, so that work is charged to neither side.
    const storedRuns: Awaited<ReturnType<typeof runPhase>>[] = [];
    const offRuns: Awaited<ReturnType<typeof runPhase>>[] = [];
    const pair = { ...STORAGE_PAIRS, maxRequests: 1 };
    const settle = () => new Promise((resolve) => setTimeout(resolve, BACKGROUND_SETTLE_MS));
    for (let i = 0; i < STORAGE_PAIRS.maxRequests; i++) {
      storedRuns.push(await runPhase(pair, () => explain(withJpegComment(photo, `bench: stored ${stamp}-${i}`))));
      await settle();
      offRuns.push(await runPhase(pair, () => explain(withJpegComment(photo, `bench: off ${stamp}-${i}`), '&store=false')));
      await settle();
    }
    return {
      model: modelId,
      healthz: finish(HEALTHZ_BURST, healthRuns),
      hits: finish(HITS_BURST, hitRuns),
      misses: finish(MISSES, [missRun]),
      storedMisses: finish(STORAGE_PAIRS, storedRuns),
      storeOffMisses: finish(STORAGE_PAIRS, offRuns),
      storingRatio: quantile(storedRuns.map((run, i) => run.latencies[0] / offRuns[i].latencies[0]), 0.5),
    };
  } finally {
    await server.stop();
  }
}
