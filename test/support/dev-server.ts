/**
 * The whole service for browser tests (Node only): builds the viewer, seeds a temporary local KV with
 * this repository's models and the Tiny Darknet fixture, and runs `wrangler dev` on a free loopback
 * port, as `npm start` does. `stop()` ends wrangler and removes the temporary state.
 *
 * Example: `const server = await startDevServer(); await fetch(`${server.origin}/healthz`); await server.stop();`
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildViewer } from '../../scripts/build-viewer';
import type { ModelFolder } from '../../scripts/model-folders';
import { QUIET_WRANGLER_ENV, seedModels } from '../../scripts/seed-models';
import { tinyDarknetFrom } from './model-manifests';

const REPO_DIR = path.resolve(import.meta.dirname, '../..');
/** The shared fixtures beside the clone (as in vitest.config.mts); never in git. */
export const FIXTURES_DIR = path.resolve(REPO_DIR, '../shared/fixtures');
const START_TIMEOUT_MS = 60_000;

export interface DevServer {
  origin: string;
  /** The process group of wrangler and its workerd (for reading their memory from /proc). */
  processGroup: number;
  /** Everything wrangler printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** A port the OS just handed out and released: free at that moment. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(origin: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${output()}`);
    try {
      // wrangler's proxy holds requests while the worker does not build: never wait on one for long.
      const response = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`wrangler dev did not answer /healthz within ${START_TIMEOUT_MS} ms:\n${output()}`);
}

export interface DevServerOptions {
  /** Models to seed besides the repository's and Tiny Darknet (e.g. one a test imported). */
  extraModels?: ModelFolder[];
  /** Variables for the worker (`wrangler dev --var NAME:VALUE`), e.g. `{ DIAGNOSTICS: 'on' }`. */
  vars?: Record<string, string>;
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  await buildViewer();
  const persistDir = mkdtempSync(path.join(tmpdir(), 'gradcam-dev-'));
  const tinyDarknet = await tinyDarknetFrom(async (relativePath) => new Uint8Array(readFileSync(path.join(FIXTURES_DIR, relativePath))));
  // wrangler dev --persist-to <dir> keeps its state under <dir>/v3.
  await seedModels('local', {
    persistRoot: path.join(persistDir, 'v3'),
    extraFolders: [{ dir: path.join(FIXTURES_DIR, 'models/tiny_darknet'), ...tinyDarknet }, ...(options.extraModels ?? [])],
  });

  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child = spawn(
    'npx',
    ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', persistDir, '--inspector-port', String(await freePort()),
      ...Object.entries(options.vars ?? {}).flatMap(([name, value]) => ['--var', `${name}:${value}`])],
    { cwd: REPO_DIR, env: { ...process.env, ...QUIET_WRANGLER_ENV, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let log = '';
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const output = () => log;

  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // wrangler runs workerd as a child: signal the whole group this test started.
      process.kill(-child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    }
    rmSync(persistDir, { recursive: true, force: true });
  };

  try {
    await waitForHealth(origin, child, output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, processGroup: child.pid!, output, stop };
}
