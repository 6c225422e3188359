/**
 * The soak phase of `npm run bench`: thousands of mixed requests at concurrency 8 against `wrangler dev` on
 * loopback — cache hits, misses (stored and store=false), reads of the links, bad requests and /healthz —
 * bounded in requests and in time. Before and after: the isolate's tensors and WASM heap (GET
 * /v1/diagnostics, on for this server only) and the RSS of the workerd process (/proc). Flat is the target.
 * Every request comes from its own client address, so the rate limits never refuse the load.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { startDevServer } from '../test/support/dev-server';
import { benchClient, withJpegComment } from './load-test';
import { quantile } from './stats';

export interface SoakOptions {
  concurrency: number;
  maxRequests: number;
  maxMs: number;
}

export const SOAK_DEFAULTS: SoakOptions = { concurrency: 8, maxRequests: 3000, maxMs: 240_000 };

export interface IsolateSample {
  tensors: number;
  wasmHeapBytes: number;
  recentExplanations: number;
  /** Resident set of the workerd process, and its peak so far (VmHWM). */
  rssBytes: number;
  peakRssBytes: number;
}

export interface SoakResult extends SoakOptions {
  model: string;
  requests: number;
  elapsedMs: number;
  p50: number;
  p99: number;
  /** Per kind of request: how many, p50, p99. */
  kinds: Record<string, { requests: number; p50: number; p99: number }>;
  /** "kind status" → count. */
  statuses: Record<string, number>;
  start: IsolateSample;
  /** Halfway through the requests: growth that continues past it is a leak, a plateau is not. */
  middle?: IsolateSample;
  end: IsolateSample;
}

/** VmRSS and VmHWM (bytes) summed over the workerd processes of a process group (Linux /proc). */
function workerdMemory(processGroup: number): { rssBytes: number; peakRssBytes: number } {
  let rssBytes = 0;
  let peakRssBytes = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the parenthesised command: state, ppid, pgrp, …
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp !== processGroup || comm !== 'workerd') continue;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
      rssBytes += kb('VmRSS');
      peakRssBytes += kb('VmHWM');
    } catch {
      // The process ended while it was read.
    }
  }
  return { rssBytes, peakRssBytes };
}

type Kind = 'hit' | 'miss' | 'store-off' | 'link' | 'bad' | 'healthz';
/** Out of 20 requests: mostly hits, as a cache in service sees; a miss costs a decode and a model run. */
const MIX: Kind[] = ['hit', 'hit', 'hit', 'hit', 'hit', 'hit', 'hit', 'miss', 'miss', 'miss', 'store-off', 'store-off', 'link', 'link', 'link', 'bad', 'bad', 'bad', 'healthz', 'healthz'];

export async function soak(modelId: string, photo: Uint8Array, options: SoakOptions = SOAK_DEFAULTS): Promise<SoakResult> {
  const server = await startDevServer({ vars: { DIAGNOSTICS: 'on' } });
  try {
    const origin = server.origin;
    let sent = 0;
    const explain = (bytes: Uint8Array<ArrayBuffer>, query = '', type = 'image/jpeg') =>
      fetch(`${origin}/v1/explain?model=${encodeURIComponent(modelId)}&topk=3${query}`, {
        method: 'POST',
        headers: { 'content-type': type, 'cf-connecting-ip': benchClient(sent++) },
        body: bytes,
      });
    const sample = async (): Promise<IsolateSample> => {
      const diagnostics = (await (await fetch(`${origin}/v1/diagnostics`)).json()) as { tensors: number; wasmHeapBytes: number; recentExplanations: number };
      return { tensors: diagnostics.tensors, wasmHeapBytes: diagnostics.wasmHeapBytes, recentExplanations: diagnostics.recentExplanations, ...workerdMemory(server.processGroup) };
    };

    const hitImage = withJpegComment(photo, 'soak: hits');
    const first = await explain(hitImage);
    if (!first.ok) throw new Error(`soak warm-up failed: ${first.status} ${await first.text()}`);
    const links = ((await first.json()) as { links: { self: string; image: string; overlay: string } }).links;
    // Warm every path once (codecs, overlay rendering) so the start sample is the isolate at work, not at birth.
    for (const url of [links.self, links.image, links.overlay]) await (await fetch(url)).arrayBuffer();
    await (await explain(withJpegComment(photo, 'soak: warm store-off'), '&store=false')).arrayBuffer();
    const start = await sample();

    const truncated = photo.slice(0, photo.length >> 1) as Uint8Array<ArrayBuffer>;
    const whole = photo.slice() as Uint8Array<ArrayBuffer>;
    const stamp = Date.now();
    const send: Record<Kind, (i: number) => Promise<Response>> = {
      hit: () => explain(hitImage),
      miss: (i) => explain(withJpegComment(photo, `soak: miss ${stamp}-${i}`)),
      'store-off': (i) => explain(withJpegComment(photo, `soak: off ${stamp}-${i}`), '&store=false'),
      link: (i) => fetch([links.self, links.image, `${links.overlay}?colormap=viridis&alpha=${(i % 10) / 10}`][i % 3]),
      bad: (i) =>
        [
          () => explain(truncated),
          () => explain(whole, '', 'text/plain'),
          () => explain(whole, '&topk=99'),
        ][i % 3](),
      healthz: () => fetch(`${origin}/healthz`),
    };

    const latencies: Record<string, number[]> = {};
    const statuses: Record<string, number> = {};
    let issued = 0;
    let middle: Promise<IsolateSample> | undefined;
    const started = performance.now();
    const deadline = started + options.maxMs;
    const worker = async () => {
      while (issued < options.maxRequests && performance.now() < deadline) {
        const i = issued++;
        if (i === options.maxRequests >> 1) middle = sample();
        const kind = MIX[i % MIX.length];
        const t0 = performance.now();
        let status = 'error';
        try {
          const response = await send[kind](i);
          await response.arrayBuffer();
          status = String(response.status);
        } catch {
          // Counted as "error".
        }
        (latencies[kind] ??= []).push(performance.now() - t0);
        statuses[`${kind} ${status}`] = (statuses[`${kind} ${status}`] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    const elapsedMs = performance.now() - started;
    // Let the last background writes finish before the end sample.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const end = await sample();

    const all = Object.values(latencies).flat();
    const kinds = Object.fromEntries(
      Object.entries(latencies).map(([kind, values]) => [kind, { requests: values.length, p50: quantile(values, 0.5), p99: quantile(values, 0.99) }]),
    );
    return { ...options, model: modelId, requests: all.length, elapsedMs, p50: quantile(all, 0.5), p99: quantile(all, 0.99), kinds, statuses, start, middle: await middle, end };
  } finally {
    await server.stop();
  }
}
