/**
 * `npm run bench`: the engine's speed, cold start and memory in workerd (Miniflare) and in Node, the
 * explain endpoint under load against `wrangler dev`, and the bundle size. Prints Markdown tables and
 * writes bench/results/bench-<time>.json and .md (plus latest.json / latest.md). What the tables compare
 * are ratios within the run: these machines are noisy, absolute times are not.
 *
 *   npm run bench                      # everything (about 10 minutes on 2 cores)
 *   npm run bench -- --rounds 5        # fewer samples per timing
 *   npm run bench -- --skip load,node  # leave out phases: engine-workerd, methods, cold-workerd, node, profile, load, bundle, soak
 *   npm run bench -- --peers           # also PyTorch and onnxruntime on the same weights (bench/peers; needs the venv)
 *   npm run bench -- --models efficientnet-b0-random   # only these models (ids, comma-separated)
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FIXTURES_DIR, prepareBenchModels, REPO_DIR, type BenchModel } from '../bench/bench-models';
import { measureBundle } from '../bench/bundle-size';
import { coldStartNode, coldStartWorkerd, type ColdStart } from '../bench/cold-start';
import { EngineSession, variantsFor } from '../bench/engine-session';
import { loadTest } from '../bench/load-test';
import { soak } from '../bench/soak';
import { measureEngine, type MeasureOptions } from '../bench/measure-engine';
import { checks, markdown, type BenchResult, type ModelInfo } from '../bench/report';
import { bundleBenchWorker, seedBenchKv, startBenchWorker } from '../bench/workerd';
import { measureMethodCosts } from '../bench/method-costs';
import { profileForward } from '../bench/op-profile';
import { peersUnavailable, runPeers } from '../bench/peers';
import { initWasmBackend } from '../worker/runtime/wasm-node';

const PHASES = ['engine-workerd', 'methods', 'cold-workerd', 'node', 'profile', 'load', 'bundle', 'soak'] as const;
const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '9' }, skip: { type: 'string', default: '' }, models: { type: 'string', default: '' }, peers: { type: 'boolean', default: false } },
});
const skip = new Set(values.skip.split(',').filter(Boolean));
for (const phase of skip) if (!(PHASES as readonly string[]).includes(phase)) throw new Error(`--skip: unknown phase ${phase} (${PHASES.join(', ')})`);
const measure: MeasureOptions = { rounds: Number(values.rounds), callMs: 250 };
const PHOTO = path.join(FIXTURES_DIR, 'images/cat_720p.jpg');

const log = (message: string) => console.error(`[bench] ${message}`);

function modelInfo(model: BenchModel): ModelInfo {
  const json = JSON.parse(new TextDecoder().decode(model.files.get(model.manifest.modelFile))) as {
    weightsManifest?: { weights: { shape: number[] }[] }[];
  };
  const parameters = json.weightsManifest?.flatMap((g) => g.weights).reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  const weightBytes = [...model.files].filter(([p]) => p !== model.manifest.modelFile).reduce((n, [, b]) => n + b.byteLength, 0);
  return { id: model.manifest.id, role: model.role, parameters, weightBytes };
}

const startedAt = new Date().toISOString();
const work = mkdtempSync(path.join(tmpdir(), 'gradcam-bench-'));
const result: Omit<BenchResult, 'checks'> = {
  startedAt,
  machine: { node: process.versions.node, cpus: cpus().length, loadAverage: loadavg() },
  rounds: measure.rounds,
  models: [],
  skipped: [],
  engine: {},
  coldStart: {},
};

try {
  await initWasmBackend();
  log('building the B0-sized model and collecting the others');
  const only = new Set(values.models.split(',').filter(Boolean));
  const prepared = await prepareBenchModels(path.join(work, 'models'));
  const models = prepared.models.filter((m) => only.size === 0 || only.has(m.manifest.id));
  const skipped = [...prepared.skipped, ...prepared.models.filter((m) => !models.includes(m)).map((m) => `${m.manifest.id}: not selected (--models)`)];
  result.models = models.map(modelInfo);
  result.skipped.push(...skipped);
  const photo = existsSync(PHOTO) ? new Uint8Array(readFileSync(PHOTO)) : undefined;
  if (!photo) result.skipped.push(`explanations of a photo (cold start in workerd, load test): ${PHOTO} is absent`);

  if (!skip.has('bundle')) {
    log('bundle size');
    result.bundle = measureBundle(path.join(work, 'bundle'));
  }

  if (!skip.has('engine-workerd') || !skip.has('methods') || !skip.has('cold-workerd') || values.peers) {
    log('bundling the bench worker and storing the models in its KV');
    const script = bundleBenchWorker(work);
    const kv = path.join(work, 'kv');
    await seedBenchKv(script, kv, models);
    result.workerdStartMs = [];

    if (!skip.has('engine-workerd')) {
      const worker = await startBenchWorker(script, kv);
      result.workerdStartMs.push(worker.startMs);
      result.engine.workerd = {};
      try {
        for (const { manifest } of models) {
          log(`workerd: timing ${manifest.id}`);
          const variants = variantsFor(manifest);
          await worker.post('open', { model: manifest.id, variants: variants.join(',') });
          result.engine.workerd[manifest.id] = await measureEngine(
            async (variant, op, reps, k) => (await worker.post('run', { model: manifest.id, variant, op, reps, k })).ms,
            variants,
            measure,
          );
          await worker.post('close', { model: manifest.id });
        }
      } finally {
        await worker.dispose();
      }
    }

    if (!skip.has('methods')) {
      const worker = await startBenchWorker(script, kv);
      result.methods = {};
      try {
        for (const { manifest } of models.filter((m) => m.manifest.format === 'tfjs-layers' && m.role !== 'fixture')) {
          log(`workerd: each method's cost on ${manifest.id}`);
          result.methods[manifest.id] = await measureMethodCosts(worker, manifest.id, measure.rounds);
        }
      } finally {
        await worker.dispose();
      }
    }

    if (values.peers) {
      const missing = peersUnavailable();
      if (missing) {
        console.error(`\n*** SKIPPING the peers (PyTorch, onnxruntime): ${missing}\n`);
        result.skipped.push(`peers: ${missing}`);
      } else {
        const worker = await startBenchWorker(script, kv);
        try {
          result.peers = await runPeers(worker, models, path.join(work, 'peers'), measure.rounds, log);
        } finally {
          await worker.dispose();
        }
      }
    }

    if (!skip.has('cold-workerd') && photo) {
      result.coldStart.workerd = {};
      for (const { manifest } of models) {
        const byPath: Partial<Record<'plain' | 'compiled', ColdStart>> = {};
        for (const optimize of manifest.format === 'tfjs-layers' ? [false, true] : [false]) {
          log(`workerd: cold start of ${manifest.id} (${optimize ? 'compiled' : 'plain'})`);
          const worker = await startBenchWorker(script, kv);
          result.workerdStartMs.push(worker.startMs);
          try {
            byPath[optimize ? 'compiled' : 'plain'] = await coldStartWorkerd(worker, manifest.id, optimize, photo);
          } finally {
            await worker.dispose();
          }
        }
        result.coldStart.workerd[manifest.id] = byPath;
      }
    }
  }

  if (!skip.has('node')) {
    result.engine.node = {};
    result.coldStart.node = {};
    for (const model of models) {
      log(`node: timing ${model.manifest.id}`);
      const variants = variantsFor(model.manifest);
      const session = await EngineSession.open(model.manifest, model.files, variants);
      try {
        result.engine.node[model.manifest.id] = await measureEngine(
          async (variant, op, reps, k) => {
            const started = performance.now();
            session.run(variant, op, reps, k);
            return performance.now() - started;
          },
          variants,
          measure,
        );
      } finally {
        session.dispose();
      }
      log(`node: cold start of ${model.manifest.id}`);
      const layers = model.manifest.format === 'tfjs-layers';
      result.coldStart.node[model.manifest.id] = {
        plain: coldStartNode(model.dir, false),
        ...(layers ? { compiled: coldStartNode(model.dir, true) } : {}),
      };
    }
  }

  if (!skip.has('profile')) {
    result.profile = {};
    for (const model of models.filter((m) => m.manifest.format === 'tfjs-layers')) {
      log(`node: profile of ${model.manifest.id} by operation kind`);
      result.profile[model.manifest.id] = await profileForward(model);
    }
  }

  if (!skip.has('load') && photo) {
    const defaultModel = models.find((m) => m.role === 'default model') ?? models.find((m) => m.role === 'fixture');
    if (defaultModel) {
      log(`load test against wrangler dev (${defaultModel.manifest.id})`);
      result.load = await loadTest(defaultModel.manifest.id, photo);
    } else {
      result.skipped.push('load test: neither the default model nor Tiny Darknet is available');
    }
  }

  if (!skip.has('soak') && photo) {
    const soakModel = models.find((m) => m.role === 'default model') ?? models.find((m) => m.role === 'fixture');
    if (soakModel) {
      log(`soak against wrangler dev (${soakModel.manifest.id})`);
      result.soak = await soak(soakModel.manifest.id, photo);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const final: BenchResult = { ...result, checks: checks(result) };
const report = markdown(final);
const resultsDir = path.join(REPO_DIR, 'bench/results');
mkdirSync(resultsDir, { recursive: true });
const stamp = startedAt.replace(/[:.]/g, '-');
for (const name of [`bench-${stamp}`, 'latest']) {
  writeFileSync(path.join(resultsDir, `${name}.json`), JSON.stringify(final, null, 2));
  writeFileSync(path.join(resultsDir, `${name}.md`), report);
}
console.log(report);
log(`results written to bench/results/bench-${stamp}.json and .md`);
