import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

/** The shared fixtures (real models and photos) live beside the clone, never in git. */
export const FIXTURES_DIR = path.resolve(import.meta.dirname, '../shared/fixtures');

/**
 * Test-only service binding: serves files of ../shared/fixtures and of this repository to tests that run
 * inside workerd, which has no file system. `http://fixtures/<path>` and `http://repo/<path>`.
 */
async function serveFile(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const root = url.hostname === 'repo' ? import.meta.dirname : FIXTURES_DIR;
  const file = path.resolve(root, decodeURIComponent(url.pathname).slice(1));
  if (!file.startsWith(root)) return new Response('outside', { status: 403 });
  try {
    return new Response(await readFile(file));
  } catch {
    return new Response(`not found: ${file}`, { status: 404 });
  }
}

// wrangler.toml's [assets] directory must exist for the workerd pool to start, even before the viewer is built.
mkdirSync(path.resolve(import.meta.dirname, 'viewer/dist'), { recursive: true });

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: { serviceBindings: { FILES: serveFile } },
          }),
        ],
        test: {
          name: 'workerd',
          include: ['test/worker/**/*.test.ts'],
          // `*.node.test.ts` test the Node side of a runtime edge (e.g. runtime/wasm-node.ts).
          exclude: ['test/**/*.node.test.ts'], testTimeout: 60_000, hookTimeout: 120_000 },
      },
      {
        test: {
          name: 'node',
          include: ['test/models/**/*.test.ts', 'test/viewer/**/*.test.ts', 'test/scripts/**/*.test.ts', 'test/**/*.node.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
