/**
 * The bench worker: the real worker (every path it knows is passed to it) plus `/bench/*` routes that run
 * the engine's pieces one at a time, so that the benchmark can time them from outside. workerd's clocks
 * do not advance during pure computation (a Spectre mitigation), so nothing is timed in here: the Node
 * side times each request, and each request repeats its operation enough times to dwarf the round trip.
 *
 * Routes (all answer JSON with the WASM heap size and `tf.memory()` after the work):
 *   POST /bench/open?model=ID&variants=plain,compiled    load a model from MODELS into a session
 *   POST /bench/run?model=ID&variant=V&op=forward|gradcam|noop&reps=N&k=K[&method=M]  (gradcam: an explanation by M)
 *   POST /bench/close?model=ID                           dispose the session
 *   POST /bench/init                                     start the WASM backend (cold start, stage 1)
 *   POST /bench/read?model=ID                            read its manifest and files from KV, checked (stage 2)
 *   POST /bench/load?model=ID&optimize=1|0               build it as the worker does, from what was read (stage 3)
 *   POST /bench/explain?model=ID&topk=K  (image body)    explain it as the worker does (stage 4)
 */
import type { Env } from '../worker/env';
import type { MethodName } from '../worker/explain/methods';
import createWorker from '../worker/index';
import { loadModel, type LoadedModel } from '../worker/model/load-model';
import { readManifest, readModelFiles } from '../worker/model/model-store';
import { initWasmBackend } from '../worker/runtime/wasm-workerd';
import { sha256Hex } from '../worker/crypto/sha256';
import { explainImage } from '../worker/service/explain-image';
import { imageLimits } from '../worker/service/worker-deps';
import { EngineSession, memorySample, VARIANTS, type Operation, type Variant } from './engine-session';

const sessions = new Map<string, EngineSession>();
const loaded = new Map<string, LoadedModel>();
const read = new Map<string, Awaited<ReturnType<typeof manifestAndFiles>>>();

async function manifestAndFiles(env: Env, id: string) {
  const manifest = await readManifest(env.MODELS, id);
  if (!manifest) throw new Error(`model ${id} is not in MODELS`);
  return { manifest, files: await readModelFiles(env.MODELS, manifest) };
}

function variantsParam(value: string | null): Variant[] {
  const names = (value ?? '').split(',').filter(Boolean);
  for (const name of names) if (!(VARIANTS as readonly string[]).includes(name)) throw new Error(`unknown variant ${name}`);
  return names as Variant[];
}

async function handle(request: Request, env: Env, url: URL): Promise<unknown> {
  const model = url.searchParams.get('model') ?? env.DEFAULT_MODEL;
  switch (url.pathname) {
    case '/bench/init':
      await initWasmBackend();
      return {};
    case '/bench/open': {
      await initWasmBackend();
      const { manifest, files } = await manifestAndFiles(env, model);
      sessions.get(model)?.dispose();
      sessions.set(model, await EngineSession.open(manifest, files, variantsParam(url.searchParams.get('variants'))));
      return {};
    }
    case '/bench/close':
      sessions.get(model)?.dispose();
      sessions.delete(model);
      return {};
    case '/bench/run': {
      const session = sessions.get(model);
      if (!session) throw new Error(`no session for ${model}: POST /bench/open first`);
      const [variant] = variantsParam(url.searchParams.get('variant'));
      const operation = (url.searchParams.get('op') ?? 'noop') as Operation;
      const method = (url.searchParams.get('method') ?? undefined) as MethodName | undefined;
      session.run(variant, operation, Number(url.searchParams.get('reps') ?? 1), Number(url.searchParams.get('k') ?? 1), method);
      return {};
    }
    case '/bench/read':
      read.set(model, await manifestAndFiles(env, model));
      return {};
    case '/bench/load': {
      await initWasmBackend();
      const { manifest, files } = read.get(model) ?? (await manifestAndFiles(env, model));
      read.delete(model);
      loaded.get(model)?.dispose();
      loaded.set(model, await loadModel(manifest, files, { optimize: url.searchParams.get('optimize') !== '0' }));
      return {};
    }
    case '/bench/explain': {
      const target = loaded.get(model);
      if (!target) throw new Error(`model ${model} is not loaded: POST /bench/load first`);
      const bytes = new Uint8Array(await request.arrayBuffer());
      const deps = { limits: imageLimits(env), manifest: async () => target.manifest, load: async () => target };
      const resolved = { manifest: target.manifest, targets: { top: Number(url.searchParams.get('topk') ?? 3) }, method: 'grad-cam' as const };
      const { document } = await explainImage(deps, bytes, await sha256Hex(bytes), resolved);
      return { predictions: document.predictions.slice(0, 3) };
    }
    default:
      return undefined;
  }
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (!url.pathname.startsWith('/bench/')) return createWorker.fetch(request, env, ctx);
    try {
      const result = await handle(request, env, url);
      if (result === undefined) return Response.json({ error: `no bench route ${url.pathname}` }, { status: 404 });
      return Response.json({ ...result, memory: memorySample() });
    } catch (error) {
      return Response.json({ error: error instanceof Error ? error.stack ?? error.message : String(error) }, { status: 500 });
    }
  },
} satisfies ExportedHandler<Env>;
