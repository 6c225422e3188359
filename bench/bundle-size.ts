/**
 * The worker bundle as `wrangler deploy` would upload it (`--dry-run --outdir`, the real wrangler.toml):
 * the JavaScript and the WebAssembly modules, raw and gzip-compressed (Workers' size limits apply to the
 * compressed upload).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { QUIET_WRANGLER_ENV } from '../scripts/seed-models';
import { REPO_DIR } from './bench-models';

export interface BundleSize {
  files: { name: string; bytes: number; gzipBytes: number }[];
  jsBytes: number;
  jsGzipBytes: number;
  totalBytes: number;
  totalGzipBytes: number;
}

export function measureBundle(outDir: string): BundleSize {
  // wrangler refuses a missing [assets] directory; the viewer's build is not part of the worker bundle.
  mkdirSync(path.join(REPO_DIR, 'viewer/dist'), { recursive: true });
  const result = spawnSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outDir], {
    cwd: REPO_DIR,
    env: { ...process.env, ...QUIET_WRANGLER_ENV, NO_COLOR: '1' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${result.stdout}\n${result.stderr}`);
  const files = readdirSync(outDir)
    .filter((name) => name.endsWith('.js') || name.endsWith('.wasm'))
    .map((name) => {
      const bytes = readFileSync(path.join(outDir, name));
      return { name, bytes: bytes.byteLength, gzipBytes: gzipSync(bytes, { level: 9 }).byteLength };
    });
  const sum = (list: typeof files, key: 'bytes' | 'gzipBytes') => list.reduce((total, f) => total + f[key], 0);
  const js = files.filter((f) => f.name.endsWith('.js'));
  return { files, jsBytes: sum(js, 'bytes'), jsGzipBytes: sum(js, 'gzipBytes'), totalBytes: sum(files, 'bytes'), totalGzipBytes: sum(files, 'gzipBytes') };
}
