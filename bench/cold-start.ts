/**
 * Cold start, stage by stage, in a fresh runtime: start the WASM backend, read the model's files as the
 * worker does (from KV in workerd, each checked against its SHA-256; from disk in Node), build it (parse,
 * split or compile), answer a first explanation of a photo, then a few more (steady
 * state). After each stage: the WASM heap (it only grows, so the last sample is the peak) and
 * `tf.memory()`, whose tensor count must not drift between requests.
 *
 * workerd: each run is a fresh Miniflare (a fresh isolate), timed from Node around each request; an
 * explanation there is the worker's own (decode, preprocess, Grad-CAM). Node: each run is a child process
 * (this file run as a script), timed in-process; the image codecs load only in workerd, so an explanation
 * there starts from decoded pixels (preprocess, Grad-CAM).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_DIR } from './bench-models';
import type { MemorySample } from './engine-session';
import type { BenchWorker } from './workerd';

/** Explanations answered after the first one, to see the steady state and any drift. */
export const STEADY_EXPLAINS = 3;
export const COLD_TOPK = 3;

export interface Stage {
  ms: number;
  memory: MemorySample;
}

export interface ColdStart {
  init: Stage;
  /** Reading the manifest and the model's files. */
  read: Stage;
  /** Building the model from them. */
  load: Stage;
  firstExplain: Stage;
  steadyExplains: Stage[];
}

/** Runs the stages in a fresh bench worker. */
export async function coldStartWorkerd(worker: BenchWorker, modelId: string, optimize: boolean, photo: Uint8Array): Promise<ColdStart> {
  const stage = async (route: string, params: Record<string, string | number> = {}, body?: Uint8Array): Promise<Stage> => {
    const { ms, memory } = await worker.post(route, params, body);
    return { ms, memory };
  };
  const init = await stage('init');
  const read = await stage('read', { model: modelId });
  const load = await stage('load', { model: modelId, optimize: optimize ? 1 : 0 });
  const firstExplain = await stage('explain', { model: modelId, topk: COLD_TOPK }, photo);
  const steadyExplains: Stage[] = [];
  for (let i = 0; i < STEADY_EXPLAINS; i++) steadyExplains.push(await stage('explain', { model: modelId, topk: COLD_TOPK }, photo));
  return { init, read, load, firstExplain, steadyExplains };
}

/** New isolate → first answer: every stage up to the first explanation. */
export function firstAnswerMs(c: ColdStart): number {
  return c.init.ms + c.read.ms + c.load.ms + c.firstExplain.ms;
}

/** Runs the stages in a new Node process (see the end of this file). */
export function coldStartNode(modelDir: string, optimize: boolean): ColdStart {
  const result = spawnSync('npx', ['tsx', path.join(REPO_DIR, 'bench/cold-start.ts'), modelDir, optimize ? '1' : '0'], {
    cwd: REPO_DIR,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = result.stdout.trim().split('\n').pop() ?? '';
  if (result.status !== 0 || !line.startsWith('{')) throw new Error(`cold start in Node failed:\n${result.stdout}\n${result.stderr}`);
  return JSON.parse(line) as ColdStart;
}

/** A 1280×720 RGB test card: smooth gradients, so the bilinear resize does real work. */
function syntheticPhoto(width = 1280, height = 720) {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0; x < width; x++, o += 3) {
      data[o] = (x * 255) / width;
      data[o + 1] = (y * 255) / height;
      data[o + 2] = ((x + y) * 97) & 255;
    }
  }
  return { width, height, data };
}

async function runInThisProcess(modelDir: string, optimize: boolean): Promise<ColdStart> {
  const { initWasmBackend } = await import('../worker/runtime/wasm-node');
  const { loadModel } = await import('../worker/model/load-model');
  const { toModelInput } = await import('../worker/model/preprocess');
  const { explainClasses } = await import('../worker/explain/explain-classes');
  const { readModelFolder } = await import('../scripts/model-folders');
  const { memorySample } = await import('./engine-session');
  const timed = async (work: () => unknown): Promise<Stage> => {
    const started = performance.now();
    await work();
    return { ms: performance.now() - started, memory: memorySample() };
  };

  const init = await timed(() => initWasmBackend());
  let folder: ReturnType<typeof readModelFolder> | undefined;
  const read = await timed(() => (folder = readModelFolder(modelDir)));
  let model: Awaited<ReturnType<typeof loadModel>> | undefined;
  const load = await timed(async () => {
    model = await loadModel(folder!.manifest, folder!.files, { optimize });
  });
  const { manifest, exposed } = model!;
  const photo = syntheticPhoto();
  const explain = () =>
    timed(() => {
      const input = toModelInput(photo, manifest);
      explainClasses(exposed, input, { targets: { top: COLD_TOPK }, activation: manifest.output.activation, ignoredOutputs: manifest.output.labelOffset });
      input.dispose();
    });
  const firstExplain = await explain();
  const steadyExplains: Stage[] = [];
  for (let i = 0; i < STEADY_EXPLAINS; i++) steadyExplains.push(await explain());
  return { init, read, load, firstExplain, steadyExplains };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [modelDir, optimize] = process.argv.slice(2);
  console.log(JSON.stringify(await runInThisProcess(modelDir, optimize === '1')));
}
