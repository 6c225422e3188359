/**
 * Contract fuzzing: Schemathesis (from the project's venv, scripts/python/setup-venv.sh) generates requests
 * for every operation of the running worker's own /v1/openapi.json — examples, coverage, fuzzing and
 * stateful phases, bounded in examples per operation and in time, with a fixed seed — against `wrangler dev`
 * on loopback, and checks for server errors, undocumented status codes, content types, headers and bodies
 * that do not match their schema. The number of generated cases is printed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../support/dev-server';
import { venvPython } from '../../support/python';

const python = venvPython('the Schemathesis run against the OpenAPI document');
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
];
/** Bounds of one run: a few minutes on the 2-core CI machine. */
const MAX_EXAMPLES = 20;
const MAX_SECONDS = 150;
const SEED = 16;

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe.skipIf(!python)('Schemathesis against the worker\'s OpenAPI document', () => {
  let server: DevServer;
  const reports = mkdtempSync(path.join(tmpdir(), 'gradcam-schemathesis-'));

  beforeAll(async () => {
    server = await startDevServer();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(reports, { recursive: true, force: true });
  });

  it('finds no failure in any operation', async () => {
    const schemathesis = path.join(path.dirname(python!), 'schemathesis');
    const { code, output } = await run(
      schemathesis,
      [
        'run', `${server.origin}/v1/openapi.json`,
        '--checks', CHECKS.join(','),
        '--max-examples', String(MAX_EXAMPLES),
        '--max-time', String(MAX_SECONDS),
        '--seed', String(SEED),
        // One worker: CPython 3.11's ast.parse, which Hypothesis calls, is not thread-safe.
        '--workers', '1',
        '--request-timeout', '30',
        '--report-dir', reports,
      ],
      { ...process.env, SCHEMATHESIS_HOOKS: path.join(import.meta.dirname, 'schemathesis_hooks.py'), NO_COLOR: '1' },
      // Schemathesis keeps a cache of past failures (.schemathesis/) in its working directory and replays
      // them: a fresh one per run, so no run depends on another.
      reports,
    );
    // From the first failure or error section (if any) to the end: what went wrong, then the counts.
    const sections = ['FAILURES', 'ERRORS', 'SUMMARY'].map((name) => output.indexOf(`= ${name} =`)).filter((at) => at >= 0);
    const summary = output.slice(Math.min(...sections)).slice(0, 20_000);
    const cases = /(\d+) generated/.exec(summary)?.[1];
    console.log(`Schemathesis: ${cases ?? '?'} generated cases (seed ${SEED}, ≤ ${MAX_EXAMPLES} examples per operation and phase, ≤ ${MAX_SECONDS} s)\n${summary}`);
    expect(code, output).toBe(0);
    expect(Number(cases)).toBeGreaterThan(100);
  }, (MAX_SECONDS + 120) * 1000);
});
