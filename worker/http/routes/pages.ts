/**
 * The viewer's HTML pages, served from the static assets (viewer/dist, built by scripts/build-viewer.ts)
 * with per-page security headers:
 *
 * - `/` and `/e/{id}` (a shared explanation): the viewer, frameable only by this origin.
 * - `/embed/{id}`: the chrome-less page for `<iframe>`s in other sites' docs, frameable from anywhere.
 *
 * Both pages run no inline script and no eval, and the Trusted Types directives make any HTML sink
 * (`innerHTML`, …) throw: labels and API strings can only be inserted as text.
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
  "trusted-types 'none'",
];

/** The viewer's Content-Security-Policy: only this origin may frame it. */
export const VIEWER_CSP = [...BASE_POLICY, "frame-ancestors 'self'"].join('; ');
/** The embed page's Content-Security-Policy: any origin may frame it. */
export const EMBED_CSP = [...BASE_POLICY, 'frame-ancestors *'].join('; ');

/** Headers every page and asset carries, whatever its framing policy. */
export const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
} as const;

/** Asset paths of the two pages (the build writes index.html and embed.html; `auto-trailing-slash` drops ".html"). */
const VIEWER_ASSET = '/';
const EMBED_ASSET = '/embed';

async function servePage(assets: Fetcher, requestUrl: string, assetPath: string, csp: string): Promise<Response> {
  const asset = await assets.fetch(new URL(assetPath, requestUrl), { method: 'GET' });
  if (!asset.ok) {
    return new Response('The viewer is not built: run `npm run build:viewer`.', { status: 503, headers: { 'content-type': 'text/plain' } });
  }
  const response = new Response(asset.body, asset);
  for (const [name, value] of Object.entries(COMMON_HEADERS)) response.headers.set(name, value);
  response.headers.set('Content-Security-Policy', csp);
  // The page is the same for every id; the explanation is fetched by the page itself.
  response.headers.set('Cache-Control', 'no-cache');
  if (csp === VIEWER_CSP) response.headers.set('X-Frame-Options', 'SAMEORIGIN');
  else response.headers.delete('X-Frame-Options');
  return response;
}

export function registerPages(app: OpenAPIHono<{ Bindings: Env }>) {
  app.get('/', (c) => servePage(c.env.ASSETS, c.req.url, VIEWER_ASSET, VIEWER_CSP));
  app.get('/e/:id', (c) => servePage(c.env.ASSETS, c.req.url, VIEWER_ASSET, VIEWER_CSP));
  app.get('/embed/:id', (c) => servePage(c.env.ASSETS, c.req.url, EMBED_ASSET, EMBED_CSP));
}
