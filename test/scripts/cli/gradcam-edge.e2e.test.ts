/**
 * The `gradcam-edge` command as a user runs it: the bin (bin/gradcam-edge.js) in a child process against
 * `wrangler dev` with the real models, on a real photo.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../../scripts/cli/gradcam-edge';
import { FIXTURES_DIR, freePort, startDevServer, type DevServer } from '../../support/dev-server';

const REPO_DIR = path.resolve(import.meta.dirname, '../../..');
const PHOTO = path.join(FIXTURES_DIR, 'images/chelsea.png');
const MODEL = 'compact-efficientnet';

let server: DevServer;
let work: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: REPO_DIR, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const cli = (...args: string[]) => run(process.execPath, [path.join(REPO_DIR, 'bin/gradcam-edge.js'), ...args]);

const missing = [PHOTO].filter((file) => !existsSync(file));
if (missing.length > 0) console.warn(`CLI e2e tests skipped: missing ${missing.join(', ')} (../shared/fixtures)`);

beforeAll(async () => {
  if (missing.length > 0) return;
  work = mkdtempSync(path.join(tmpdir(), 'gradcam-cli-'));
  server = await startDevServer();
});

afterAll(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(missing.length > 0)('gradcam-edge', () => {
  it('explains a photo: the top classes, the links, and the overlay as a PNG that decodes', async () => {
    const out = path.join(work, 'overlay.png');
    const result = await cli('explain', PHOTO, '--url', server.origin, '--model', MODEL, '--topk', '2', '--out', out);
    expect(result.stderr).toMatch(/Uploading chelsea\.png: 100 % of [\d.]+ KB, computing/);
    expect(result.code).toBe(EXIT_CODES.ok);
    const id = /\/e\/([A-Za-z0-9_-]{22})/.exec(result.stdout)?.[1];
    expect(id).toBeDefined();
    const stored = (await (await fetch(`${server.origin}/v1/explanations/${id}`)).json()) as {
      predictions: { label: string }[];
      explanations: { label: string }[];
      links: Record<string, string>;
    };
    for (const p of stored.predictions) expect(result.stdout).toContain(p.label);
    expect(result.stdout.match(/ explained$/gm)).toHaveLength(stored.explanations.length);
    for (const link of [stored.links.page, stored.links.embed, stored.links.overlay, stored.links.self]) expect(result.stdout).toContain(link);
    const png = decode(readFileSync(out));
    const overlay = decode(new Uint8Array(await (await fetch(stored.links.overlay)).arrayBuffer()));
    expect([png.width, png.height]).toEqual([overlay.width, overlay.height]);
    expect(png.width).toBeGreaterThan(100);
  });

  it('prints the document with --json', async () => {
    const result = await cli('explain', PHOTO, '--url', server.origin, '--model', MODEL, '--class', '0', '--class', '3', '--json');
    expect(result.code).toBe(EXIT_CODES.ok);
    const document = JSON.parse(result.stdout) as { model: { id: string }; explanations: { index: number }[]; id: string };
    expect(document.model.id).toBe(MODEL);
    expect(document.explanations.map((e) => e.index)).toEqual([0, 3]);
    const stored = (await (await fetch(`${server.origin}/v1/explanations/${document.id}`)).json()) as { explanations: unknown };
    expect(document.explanations).toEqual(stored.explanations);
  });

  it("exits non-zero with the problem's title for a text file, an unknown class, a missing file and an unreachable URL", async () => {
    const notes = path.join(work, 'notes.txt');
    writeFileSync(notes, 'these bytes are not an image at all\n');
    const text = await cli('explain', notes, '--url', server.origin, '--model', MODEL);
    expect(text.code).toBe(EXIT_CODES.problem);
    const problem = (await (await fetch(`${server.origin}/v1/explain?model=${MODEL}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: readFileSync(notes) })).json()) as { title: string; detail: string };
    expect(text.stderr).toContain(`gradcam-edge: ${problem.title}: ${problem.detail}`);
    expect(text.stdout).toBe('');

    const unknownClass = await cli('explain', PHOTO, '--url', server.origin, '--model', MODEL, '--class', 'no-such-class');
    expect(unknownClass.code).toBe(EXIT_CODES.problem);
    expect(unknownClass.stderr).toContain('gradcam-edge: Bad request: ');

    const absent = await cli('explain', path.join(work, 'absent.jpg'), '--url', server.origin);
    expect(absent.code).toBe(EXIT_CODES.missingFile);
    expect(absent.stderr).toContain('cannot read');

    const closed = await cli('explain', PHOTO, '--url', `http://127.0.0.1:${await freePort()}`);
    expect(closed.code).toBe(EXIT_CODES.unreachable);
    expect(closed.stderr).toContain('The service could not be reached');

    const usage = await cli('explain');
    expect(usage.code).toBe(EXIT_CODES.usage);
  });

  it('runs as `npx gradcam-edge` from the repository', async () => {
    const help = await run('npx', ['--no-install', 'gradcam-edge', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: gradcam-edge explain <image>');
  });
});
