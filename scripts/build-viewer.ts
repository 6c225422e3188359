/**
 * Builds the viewer into viewer/dist (the worker's static assets): esbuild bundles viewer/src (and the
 * worker's render module it imports) into one ES module per page, plus the private-mode worker (TF.js,
 * the Grad-CAM core and the image codecs; viewer/src/private-worker.ts), minifies the CSS, copies the
 * HTML, icons and TF.js's WASM binaries, and writes the `_headers` file the asset server applies to every
 * file it serves directly.
 *
 *   npx tsx scripts/build-viewer.ts     # prints each file's size, raw and gzipped
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { WEB_COMPONENT_PATH } from '../worker/http/links';
import { COMMON_HEADERS, ISOLATION_HEADERS, PRIVATE_WORKER_CSP, PRIVATE_WORKER_PATH, VIEWER_CSP } from '../worker/http/routes/pages';

const VIEWER_DIR = path.resolve(import.meta.dirname, '../viewer');
export const VIEWER_DIST = path.join(VIEWER_DIR, 'dist');

/** Page entry points (viewer/src) and style sheets (viewer/static), each bundled to dist/<name>. */
const SCRIPTS = {
  viewer: 'src/main.ts',
  embed: 'src/embed.ts',
  [PRIVATE_WORKER_PATH.slice(1, -'.js'.length)]: 'src/private-worker.ts',
  [WEB_COMPONENT_PATH.slice(1, -'.js'.length)]: 'src/web-component/gradcam-explanation.ts',
};
const STYLES = { viewer: 'static/viewer.css', embed: 'static/embed.css' };
/** Files other origins load: the embed page's script and styles, the web component. */
export const CROSS_ORIGIN_ASSETS = ['embed.js', 'embed.css', WEB_COMPONENT_PATH.slice(1)];
/** Copied as they are (folders whole: samples/ holds the gallery's photos and their licences). */
const STATIC_FILES = ['index.html', 'embed.html', 'favicon.svg', 'samples'];
/** tfjs-backend-wasm's binaries (plain, SIMD, threaded SIMD), served from /tfjs/ (worker/runtime/wasm-browser.ts picks one). */
const TFJS_WASM_DIR = path.resolve(import.meta.dirname, '../node_modules/@tensorflow/tfjs-backend-wasm/wasm-out');
const TFJS_WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

export interface BuiltFile {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/**
 * The `_headers` file: pages routed through the worker get their own policy there (routes/pages.ts).
 * Every file is same-origin only and isolated like the viewer; the private-mode worker swaps the page's
 * CSP for its own (rules apply in order, and `! Name` removes what an earlier rule set).
 */
function headersFile(): string {
  const header = ([name, value]: [string, string]) => `  ${name}: ${value}`;
  const lines = [
    '/*',
    header(['Content-Security-Policy', VIEWER_CSP]),
    ...Object.entries(COMMON_HEADERS).map(header),
    ...Object.entries(ISOLATION_HEADERS).map(header),
    PRIVATE_WORKER_PATH,
    '  ! Content-Security-Policy',
    header(['Content-Security-Policy', PRIVATE_WORKER_CSP]),
    // Loaded by other sites' pages and by the embed page in sandboxed frames, whose origin is opaque:
    // module scripts are CORS requests, and an isolated (COEP) document needs CORP to load either.
    ...CROSS_ORIGIN_ASSETS.flatMap((file) => [
      `/${file}`,
      '  ! Cross-Origin-Resource-Policy',
      header(['Cross-Origin-Resource-Policy', 'cross-origin']),
      header(['Access-Control-Allow-Origin', '*']),
    ]),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The image codecs import their `.wasm` as compiled modules (wrangler's CompiledWasm rule in the worker).
 * In the browser bundle such an import becomes a same-origin file, fetched and compiled when the module
 * is evaluated (top-level await: only the private-mode worker imports the codecs).
 */
const compiledWasm: Plugin = {
  name: 'compiled-wasm',
  setup(build) {
    build.onResolve({ filter: /\.wasm$/ }, async (args) => {
      if (args.namespace === 'compiled-wasm') return undefined;
      const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, namespace: 'compiled-wasm' });
      return resolved.errors.length > 0 ? { errors: resolved.errors } : { path: resolved.path, namespace: 'compiled-wasm' };
    });
    build.onLoad({ filter: /.*/, namespace: 'compiled-wasm' }, (args) => ({
      contents: `import url from ${JSON.stringify(args.path)};\nexport default await WebAssembly.compileStreaming(fetch(url));\n`,
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

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
    plugins: [compiledWasm],
    loader: { '.wasm': 'file' },
    assetNames: 'codecs/[name]-[hash]',
    publicPath: '/',
    target: ['es2022', 'chrome109', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: 'linked',
    legalComments: 'eof',
    logLevel: 'warning',
  });
  for (const file of STATIC_FILES) cpSync(path.join(VIEWER_DIR, 'static', file), path.join(outdir, file), { recursive: true });
  for (const file of TFJS_WASM_FILES) cpSync(path.join(TFJS_WASM_DIR, file), path.join(outdir, 'tfjs', file));
  writeFileSync(path.join(outdir, '_headers'), headersFile());
  return readdirSync(outdir, { recursive: true, encoding: 'utf8' })
    .filter((file) => !file.endsWith('.map') && statSync(path.join(outdir, file)).isFile())
    .map((file) => {
      const bytes = readFileSync(path.join(outdir, file));
      return { file, bytes: bytes.byteLength, gzipBytes: gzipSync(bytes, { level: 9 }).byteLength };
    });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = await buildViewer();
  for (const { file, bytes, gzipBytes } of files) console.log(`${file.padEnd(40)} ${String(bytes).padStart(8)} B  ${String(gzipBytes).padStart(7)} B gzip`);
}
