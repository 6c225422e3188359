/**
 * Builds the viewer into viewer/dist (the worker's static assets): esbuild bundles viewer/src (and the
 * worker's render module it imports) into one ES module per page, minifies the CSS, copies the HTML and
 * icons, and writes the `_headers` file the asset server applies to every file it serves directly.
 *
 *   npx tsx scripts/build-viewer.ts     # prints each file's size, raw and gzipped
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { COMMON_HEADERS, VIEWER_CSP } from '../worker/http/routes/pages';

const VIEWER_DIR = path.resolve(import.meta.dirname, '../viewer');
export const VIEWER_DIST = path.join(VIEWER_DIR, 'dist');

/** Page entry points (viewer/src) and style sheets (viewer/static), each bundled to dist/<name>. */
const SCRIPTS = { viewer: 'src/main.ts', embed: 'src/embed.ts' };
const STYLES = { viewer: 'static/viewer.css', embed: 'static/embed.css' };
/** Copied as they are. */
const STATIC_FILES = ['index.html', 'embed.html', 'favicon.svg'];

export interface BuiltFile {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/** The `_headers` file: pages routed through the worker get their own policy there (routes/pages.ts). */
function headersFile(): string {
  const lines = ['/*', `  Content-Security-Policy: ${VIEWER_CSP}`, ...Object.entries(COMMON_HEADERS).map(([k, v]) => `  ${k}: ${v}`)];
  return `${lines.join('\n')}\n`;
}

export async function buildViewer(outdir = VIEWER_DIST): Promise<BuiltFile[]> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await build({
    absWorkingDir: VIEWER_DIR,
    entryPoints: [
      ...Object.entries(SCRIPTS).map(([out, entry]) => ({ in: entry, out })),
      ...Object.entries(STYLES).map(([out, entry]) => ({ in: entry, out })),
    ],
    outdir,
    bundle: true,
    format: 'esm',
    target: ['es2022', 'chrome109', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: 'linked',
    legalComments: 'eof',
    logLevel: 'warning',
  });
  for (const file of STATIC_FILES) cpSync(path.join(VIEWER_DIR, 'static', file), path.join(outdir, file));
  writeFileSync(path.join(outdir, '_headers'), headersFile());
  return readdirSync(outdir)
    .filter((file) => !file.endsWith('.map') && statSync(path.join(outdir, file)).isFile())
    .map((file) => {
      const bytes = readFileSync(path.join(outdir, file));
      return { file, bytes: bytes.byteLength, gzipBytes: gzipSync(bytes, { level: 9 }).byteLength };
    });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = await buildViewer();
  for (const { file, bytes, gzipBytes } of files) console.log(`${file.padEnd(14)} ${String(bytes).padStart(8)} B  ${String(gzipBytes).padStart(7)} B gzip`);
}
