/**
 * The viewer's HTML pages, served from the static assets (viewer/dist, built by scripts/build-viewer.ts)
 * with per-page security headers (the pages of one explanation, `/e/{id}` and `/embed/{id}`, are
 * served through `servePage` by explanation-pages.ts, which renders their head per id):
 *
 * - `/` and `/e/{id}` (a shared explanation): the viewer, frameable only by this origin, and
 *   cross-origin isolated (COOP `same-origin` + COEP `require-corp`): its private mode runs TF.js's
 *   threaded WASM build, whose threads share a SharedArrayBuffer, which browsers grant isolated pages only.
 * - `/embed/{id}`: the chrome-less page for `<iframe>`s in other sites' docs, frameable from anywhere.
 *   It never computes, so it asks for no isolation of its own: no COOP (meaningless inside a frame), and
 *   isolation would need every page that frames it to be isolated too. It does send COEP `require-corp`
 *   (all it loads is same-origin) and CORP `cross-origin`, so isolated sites can frame it like any other.
 *
 * Both pages run no inline script and no eval, and the Trusted Types directives make any HTML sink
 * (`innerHTML`, …) throw: labels and API strings can only be inserted as text. The viewer's one script
 * URL sink is the private-mode worker (PRIVATE_WORKER_POLICY); that worker, which has no DOM, gets its
 * own policy (PRIVATE_WORKER_CSP) allowing WebAssembly and TF.js's `blob:` thread workers.
 * wrangler.toml routes these paths to the worker first (`run_worker_first`); every other asset is
 * served as a file, with the `_headers` the build writes from the same policies.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from '../../env';

/** Directives shared by both pages (CSP Level 3, Trusted Types). */
const BASE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "require-trusted-types-for 'script'",
];

/** The Trusted Types policy that may create the private-mode worker's URL, and nothing else. */
export const PRIVATE_WORKER_POLICY = 'private-mode-worker';
/** Where the build puts the private-mode worker (scripts/build-viewer.ts). */
export const PRIVATE_WORKER_PATH = '/private-worker.js';

/** The viewer's Content-Security-Policy: only this origin may frame it; it may start the private-mode worker. */
export const VIEWER_CSP = [...BASE_POLICY, "worker-src 'self'", `trusted-types ${PRIVATE_WORKER_POLICY}`, "frame-ancestors 'self'"].join('; ');
/** The embed page's Content-Security-Policy: any origin may frame it. */
export const EMBED_CSP = [...BASE_POLICY, "trusted-types 'none'", 'frame-ancestors *'].join('; ');
/**
 * The private-mode worker's policy (a worker served from a URL gets its own): it compiles WebAssembly
 * (`'wasm-unsafe-eval'`, CSP Level 3) and runs TF.js's thread workers, which Emscripten starts from
 * `blob:` URLs and which inherit this policy (so `importScripts(blob:)` needs `blob:` in script-src).
 */
export const PRIVATE_WORKER_CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src blob:",
  "connect-src 'self'",
  "base-uri 'none'",
].join('; ');

/** Headers every page and asset carries, whatever its framing policy. */
export const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
} as const;

/**
 * Cross-origin isolation for the viewer (HTML Standard, "Cross-origin opener policies" and
 * "Cross-origin embedder policies"): with both, `crossOriginIsolated` is true and SharedArrayBuffer exists.
 * Static assets carry the same (scripts/build-viewer.ts writes them into `_headers`): a worker script's own
 * COEP must be `require-corp` for an isolated page to start it.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

/** The embed page: no COOP (it lives in other sites' frames), COEP and CORP so isolated sites can frame it too. */
export const EMBED_ISOLATION_HEADERS = {
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'cross-origin',
} as const;

/** Asset paths of the two pages (the build writes index.html and embed.html; `auto-trailing-slash` drops ".html"). */
export const VIEWER_ASSET = '/';
export const EMBED_ASSET = '/embed';

export async function servePage(
  assets: Fetcher,
  requestUrl: string,
  assetPath: string,
  csp: string,
  render: (asset: Response) => Response = (asset) => asset,
): Promise<Response> {
  const asset = await assets.fetch(new URL(assetPath, requestUrl), { method: 'GET' });
  if (!asset.ok) {
    return new Response('The viewer is not built: run `npm run build:viewer`.', { status: 503, headers: { 'content-type': 'text/plain' } });
  }
  const rendered = render(asset);
  const response = new Response(rendered.body, asset);
  // A rewritten page has another length and other bytes than the file.
  if (rendered !== asset) for (const name of ['Content-Length', 'ETag']) response.headers.delete(name);
  for (const [name, value] of Object.entries(COMMON_HEADERS)) response.headers.set(name, value);
  response.headers.set('Content-Security-Policy', csp);
  // The start page is the same for everyone; explanation pages set their own (explanation-pages.ts).
  response.headers.set('Cache-Control', 'no-cache');
  const viewer = csp === VIEWER_CSP;
  if (viewer) response.headers.set('X-Frame-Options', 'SAMEORIGIN');
  else response.headers.delete('X-Frame-Options');
  response.headers.delete('Cross-Origin-Opener-Policy');
  for (const [name, value] of Object.entries(viewer ? ISOLATION_HEADERS : EMBED_ISOLATION_HEADERS)) response.headers.set(name, value);
  return response;
}

/** The start page; the pages of one explanation (`/e/{id}`, `/embed/{id}`) are in explanation-pages.ts. */
export function registerPages(app: OpenAPIHono<{ Bindings: Env }>) {
  app.get('/', (c) => servePage(c.env.ASSETS, c.req.url, VIEWER_ASSET, VIEWER_CSP));
}
