/**
 * Runs bench/worker-bench.ts in workerd through Miniflare's Node API. The worker is bundled by wrangler
 * (`deploy --dry-run`) with the project's CompiledWasm rule, so it loads the TF.js WASM backend exactly as
 * the deployed worker does. Models sit in a KV namespace persisted to a temporary directory, written once
 * and shared by every fresh instance (a fresh Miniflare is a fresh isolate: cold starts, heap peaks).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Miniflare } from 'miniflare';
import { QUIET_WRANGLER_ENV } from '../scripts/seed-models';
import { manifestKey, modelFileKey } from '../worker/model/model-store';
import type { BenchModel } from './bench-models';
import { REPO_DIR, wranglerValue } from './bench-models';
import type { MemorySample } from './engine-session';

export interface BenchWorker {
  /** POSTs to a /bench route; returns the answer and the wall time of the round trip (ms). */
  post(route: string, params?: Record<string, string | number>, body?: Uint8Array): Promise<{ ms: number; memory: MemorySample; json: Record<string, unknown> }>;
  dispose(): Promise<void>;
}

/** Bundles the bench worker into `workDir`; returns the entry file. */
export function bundleBenchWorker(workDir: string): string {
  return bundleWorker(path.join(REPO_DIR, 'bench/worker-bench.ts'), workDir, 'bench-worker');
}

/**
 * Bundles a worker entry as wrangler deploys it (its CompiledWasm rule, so the TF.js backend and the
 * codecs load from imported modules) into `workDir/<name>`; returns the entry file.
 */
export function bundleWorker(entry: string, workDir: string, name: string): string {
  const outDir = path.join(workDir, name);
  const config = path.join(workDir, `wrangler.${name}.toml`);
  writeFileSync(
    config,
    [
      `name = "gradcam-edge-${name}"`,
      `main = ${JSON.stringify(entry)}`,
      `compatibility_date = "${wranglerValue('compatibility_date')}"`,
      '[[rules]]',
      'type = "CompiledWasm"',
      'globs = ["**/*.wasm"]',
      'fallthrough = true',
    ].join('\n'),
  );
  const result = spawnSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outDir, '--config', config], {
    cwd: REPO_DIR,
    env: { ...process.env, ...QUIET_WRANGLER_ENV, NO_COLOR: '1' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`bundling ${entry} failed:\n${result.stdout}\n${result.stderr}`);
  const file = readdirSync(outDir).find((f) => f.endsWith('.js'));
  if (!file) throw new Error(`no JavaScript in ${outDir}`);
  return path.join(outDir, file);
}

/**
 * The modules of a bundled worker, listed rather than discovered: Miniflare's discovery follows the
 * `require`s of Node-only branches in the TF.js glue and gives up.
 */
function bundledModules(scriptPath: string) {
  const dir = path.dirname(scriptPath);
  const wasm = readdirSync(dir).filter((f) => f.endsWith('.wasm'));
  return {
    modulesRoot: dir,
    modules: [
      { type: 'ESModule' as const, path: scriptPath },
      ...wasm.map((f) => ({ type: 'CompiledWasm' as const, path: path.join(dir, f) })),
    ],
    compatibilityDate: wranglerValue('compatibility_date'),
  };
}

/** A workerd isolate running a bundled worker, with no bindings. */
export function workerdFor(scriptPath: string): Miniflare {
  return new Miniflare(bundledModules(scriptPath));
}

function miniflare(scriptPath: string, kvPersist: string): Miniflare {
  return new Miniflare({
    ...bundledModules(scriptPath),
    kvNamespaces: { MODELS: 'models', EXPLANATIONS: 'explanations' },
    kvPersist,
    bindings: { DEFAULT_MODEL: wranglerValue('DEFAULT_MODEL') ?? '' },
  });
}

/** Stores the models in the persisted MODELS namespace (once; later instances read the same files). */
export async function seedBenchKv(scriptPath: string, kvPersist: string, models: readonly BenchModel[]): Promise<void> {
  const mf = miniflare(scriptPath, kvPersist);
  try {
    const kv = await mf.getKVNamespace('MODELS');
    for (const { manifest, files } of models) {
      // Miniflare's put rejects Buffers: hand it plain ArrayBuffers.
      for (const [file, bytes] of files) await kv.put(modelFileKey(manifest, file), new Uint8Array(bytes).buffer);
      await kv.put(manifestKey(manifest.id), JSON.stringify(manifest));
    }
  } finally {
    await mf.dispose();
  }
}

/** A fresh isolate running the bench worker; `startMs` is how long Miniflare took to be ready. */
export async function startBenchWorker(scriptPath: string, kvPersist: string): Promise<BenchWorker & { startMs: number }> {
  const started = performance.now();
  const mf = miniflare(scriptPath, kvPersist);
  await mf.ready;
  const startMs = performance.now() - started;
  return {
    startMs,
    async post(route, params = {}, body) {
      const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
      const t0 = performance.now();
      const response = await mf.dispatchFetch(`http://bench.local/bench/${route}?${query}`, { method: 'POST', body });
      const json = (await response.json()) as Record<string, unknown>;
      const ms = performance.now() - t0;
      if (!response.ok) throw new Error(`/bench/${route} failed: ${String(json.error)}`);
      return { ms, memory: json.memory as MemorySample, json };
    },
    dispose: () => mf.dispose(),
  };
}
