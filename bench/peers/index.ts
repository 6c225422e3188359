/**
 * `npm run bench -- --peers`: our engine in workerd against its peers on the same CPU and the same
 * weights, one thread each, in interleaved rounds (each round takes one sample of every engine, so slow
 * spells hit all alike and the ratios of a round stay meaningful):
 * - PyTorch (Debian's, through the venv of scripts/python): forward, Grad-CAM top-3 through the head only
 *   (as the service computes it), and pytorch-grad-cam's GradCAM as people use it (torch_peer.py);
 * - onnxruntime-web (WASM SIMD) and onnxruntime-node (native), forward, on ONNX files that torch_peer.py
 *   exports from the same PyTorch models once per run.
 * The onnxruntime packages are this folder's own (package.json, installed here on first use): the service
 * never installs them. Plus the physical floor: each model's multiply-accumulates, the CPU's clock, and
 * our forward pass as a fraction of 128-bit SIMD's fused multiply-add peak (8 per cycle: two f32x4 FMA
 * units).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { BenchModel } from '../bench-models';
import { REPO_DIR } from '../bench-models';
import { efficientNetB0Spec, B0_ID } from '../efficientnet-b0';
import { summarize, type Summary } from '../stats';
import type { BenchWorker } from '../workerd';
import { storesFloat16 } from '../../models/import/efficientnet-lite/float16-weights';
import { multiplyAccumulates } from './model-macs';

export const PEER_MODELS = ['efficientnet-lite0', B0_ID] as const;
/** Peak fused multiply-adds per cycle in 128-bit SIMD: two FMA units, four float32 lanes each. */
export const FMA_PER_CYCLE = 8;
const PEERS_DIR = import.meta.dirname;
const VENV_PYTHON = path.join(REPO_DIR, '.venv/bin/python');
/** Per sample, repeat each operation this long, so a call's own cost disappears against the work. */
const SAMPLE_MS = 250;

export type PeerEngine = 'ours-forward' | 'ours-gradcam3' | 'torch-forward' | 'torch-gradcam-head' | 'torch-gradcam-library' | 'ort-web-forward' | 'ort-node-forward';

export interface PeerModelResult {
  macs: number;
  /** Per engine, ms per image, one sample per round. */
  samples: Partial<Record<PeerEngine, number[]>>;
  summaries: Partial<Record<PeerEngine, Summary>>;
}

export interface PeersResult {
  torch: string;
  clockMHz: number;
  models: Record<string, PeerModelResult>;
}

/** Why the peers cannot run here, or undefined when they can. */
export function peersUnavailable(): string | undefined {
  if (!existsSync(VENV_PYTHON)) return `${VENV_PYTHON} is missing (run scripts/python/setup-venv.sh; it needs Debian's python3-torch)`;
  return undefined;
}

/** The CPU's clock as the kernel reports it (MHz, mean over cores). */
export function cpuClockMHz(): number {
  const values = [...readFileSync('/proc/cpuinfo', 'utf8').matchAll(/^cpu MHz\s*:\s*([\d.]+)/gm)].map((m) => Number(m[1]));
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
}

/** Installs this folder's packages (onnxruntime) unless they are there. */
function ensurePeerPackages(): void {
  if (existsSync(path.join(PEERS_DIR, 'node_modules/onnxruntime-node'))) return;
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: PEERS_DIR, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('installing bench/peers (onnxruntime) failed');
}

/** The B0-sized model's spec and weights in the export format models/training/efficientnet.py reads. */
export function writeB0Export(model: BenchModel, dir: string): void {
  const json = JSON.parse(new TextDecoder().decode(model.files.get(model.manifest.modelFile))) as { weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[] };
  const [group] = json.weightsManifest;
  let offset = 0;
  const weights = group.weights.map((w) => {
    const entry = { name: w.name, shape: w.shape, offset };
    offset += 4 * w.shape.reduce((a, b) => a * b, 1);
    return entry;
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'export.json'), JSON.stringify({ spec: efficientNetB0Spec(), weights }));
  writeFileSync(path.join(dir, 'export.bin'), model.files.get(group.paths[0])!);
}

export interface TorchPeer {
  version: string;
  /** Each repetition's wall time (ms) of `op` on `model`. */
  time(model: string, op: string, reps: number): Promise<number[]>;
  /** The model's logits on peerInput(). */
  logits(model: string): Promise<number[]>;
  stop(): void;
}

/** The PyTorch peer, a child process answering one timing command per line. */
export async function startTorchPeer(work: string, float16: boolean): Promise<TorchPeer> {
  const child: ChildProcessWithoutNullStreams = spawn(
    VENV_PYTHON,
    [path.join(PEERS_DIR, 'torch_peer.py'), '--b0', path.join(work, 'b0'), '--onnx', path.join(work, 'onnx'), ...(float16 ? ['--float16'] : [])],
    { cwd: REPO_DIR },
  );
  child.stderr.on('data', (chunk) => process.stderr.write(chunk));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the PyTorch peer exited');
    return JSON.parse(value as string) as Record<string, unknown>;
  };
  const ready = await next();
  return {
    version: String(ready.torch),
    async time(model, op, reps) {
      child.stdin.write(`${JSON.stringify({ model, op, reps })}\n`);
      return (await next()).ms as number[];
    },
    async logits(model) {
      child.stdin.write(`${JSON.stringify({ model, op: 'logits' })}\n`);
      return (await next()).logits as number[];
    },
    stop: () => child.kill(),
  };
}

/** The part of onnxruntime's API the peers use (its types live in this folder's node_modules, absent until first use). */
interface Ort {
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
  InferenceSession: { create(model: Uint8Array, options: Record<string, unknown>): Promise<{ run(feeds: Record<string, unknown>): Promise<unknown>; release(): Promise<void> }> };
  env: { wasm: { numThreads: number } };
}

/** onnxruntime from this folder's node_modules: `web` on its WASM SIMD build with one thread, `node` native. */
async function ortSessions(onnxFile: string) {
  const requireHere = createRequire(path.join(PEERS_DIR, 'package.json'));
  const ortNode = requireHere('onnxruntime-node') as Ort;
  const ortWeb = requireHere('onnxruntime-web') as Ort;
  ortWeb.env.wasm.numThreads = 1;
  const bytes = new Uint8Array(readFileSync(onnxFile));
  const node = await ortNode.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const web = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const input = peerInput();
  const feeds = (ort: Ort) => ({ input: new ort.Tensor('float32', input, [1, 3, 224, 224]) });
  return {
    node: async () => void (await node.run(feeds(ortNode))),
    web: async () => void (await web.run(feeds(ortWeb))),
    release: async () => {
      await node.release();
      await web.release();
    },
  };
}

/** The timing input of every peer, NCHW [1, 3, 224, 224]: x[i] = 2·sin(i) (torch_peer.py makes the same). */
export function peerInput(): Float32Array {
  return new Float32Array(3 * 224 * 224).map((_, i) => 2 * Math.sin(i));
}

/** Repetitions that make one sample about SAMPLE_MS long, from one timed probe. */
function repsFor(probeMs: number): number {
  return Math.min(100, Math.max(1, Math.round(SAMPLE_MS / Math.max(probeMs, 0.01))));
}

async function timeLocal(run: () => Promise<void>, reps: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < reps; i++) await run();
  return (performance.now() - started) / reps;
}

/**
 * Times every engine on every peer model. `ours` is the bench worker in workerd with each model opened
 * in its compiled variant.
 */
export async function runPeers(ours: BenchWorker, models: readonly BenchModel[], work: string, rounds: number, log: (line: string) => void): Promise<PeersResult> {
  ensurePeerPackages();
  const b0 = models.find((m) => m.manifest.id === B0_ID);
  if (!b0) throw new Error(`the peers need the ${B0_ID} model`);
  writeB0Export(b0, path.join(work, 'b0'));
  const lite0 = models.find((m) => m.manifest.id === 'efficientnet-lite0');
  const float16 = !!lite0 && storesFloat16(lite0);
  log('peers: starting PyTorch (one thread) and exporting ONNX');
  const torch = await startTorchPeer(work, float16);
  const result: PeersResult = { torch: torch.version, clockMHz: cpuClockMHz(), models: {} };
  try {
    for (const id of PEER_MODELS) {
      const model = models.find((m) => m.manifest.id === id);
      if (!model) continue;
      log(`peers: ${id}`);
      const ort = await ortSessions(path.join(work, 'onnx', `${id}.onnx`));
      await ours.post('open', { model: id, variants: 'compiled' });
      const oursTime = async (op: 'forward' | 'gradcam', k: number, reps: number) =>
        (await ours.post('run', { model: id, variant: 'compiled', op, reps, k })).ms / reps;
      const torchTime = async (op: string, reps: number) => summarize(await torch.time(id, op, reps)).median;
      const timed: Record<PeerEngine, (reps: number) => Promise<number>> = {
        'ours-forward': (reps) => oursTime('forward', 1, reps),
        'ours-gradcam3': (reps) => oursTime('gradcam', 3, reps),
        'torch-forward': (reps) => torchTime('forward', reps),
        'torch-gradcam-head': (reps) => torchTime('gradcam-head', reps),
        'torch-gradcam-library': (reps) => torchTime('gradcam-library', reps),
        'ort-web-forward': (reps) => timeLocal(ort.web, reps),
        'ort-node-forward': (reps) => timeLocal(ort.node, reps),
      };
      const engines = Object.keys(timed) as PeerEngine[];
      // Warm-up (XNNPACK packs weights, onnxruntime plans its memory, the JITs settle), then a probe for the reps.
      for (const engine of engines) await timed[engine](1);
      const reps = {} as Record<PeerEngine, number>;
      for (const engine of engines) reps[engine] = repsFor(await timed[engine](2));
      const sample = (engine: PeerEngine) => timed[engine](reps[engine]);
      const samples: PeerModelResult['samples'] = {};
      for (let round = 0; round < rounds; round++) {
        for (let j = 0; j < engines.length; j++) {
          const engine = engines[(j + round) % engines.length];
          (samples[engine] ??= []).push(await sample(engine));
        }
      }
      await ours.post('close', { model: id });
      await ort.release();
      const summaries = Object.fromEntries(Object.entries(samples).map(([engine, values]) => [engine, summarize(values)]));
      result.models[id] = { macs: await multiplyAccumulates(model), samples, summaries };
    }
  } finally {
    torch.stop();
  }
  return result;
}
