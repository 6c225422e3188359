/**
 * `/e/{id}` (the viewer) and `/embed/{id}` (for iframes) of one explanation: the static pages with their
 * head, and for the embed its content, rendered on the server (explanation-page.ts), so link previews and
 * script-less frames see the explanation. 200 with a cacheable answer (an explanation never changes) and
 * the oEmbed discovery `Link` header; 404 with a generic head for an unknown or expired id.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from '../../env';
import { explanationStore } from '../../service/worker-deps';
import { renderExplanationPage, type PageKind } from '../explanation-page';
import { summarizeExplanation } from '../explanation-summary';
import { oembedLinkHeader } from '../page-head';
import { findExplanation } from '../stored-explanation';
import { EMBED_ASSET, EMBED_CSP, servePage, VIEWER_ASSET, VIEWER_CSP } from './pages';

/** Shared caches keep an explanation's page for a day (Mastodon instances fetch a shared link in bursts). */
export const EXPLANATION_PAGE_CACHE_CONTROL = 'public, max-age=300, s-maxage=86400';

async function serveExplanationPage(env: Env, requestUrl: string, id: string, kind: PageKind): Promise<Response> {
  const url = new URL(requestUrl);
  const explanation = await findExplanation(explanationStore(env), id);
  const found = explanation && { explanation, summary: summarizeExplanation(explanation, url.origin), search: url.search };
  const [assetPath, csp] = kind === 'viewer' ? [VIEWER_ASSET, VIEWER_CSP] : [EMBED_ASSET, EMBED_CSP];
  const page = await servePage(env.ASSETS, requestUrl, assetPath, csp, (asset) => renderExplanationPage(asset, kind, id, found));
  if (!page.ok) return page;
  const response = new Response(page.body, { status: found ? 200 : 404, headers: page.headers });
  response.headers.set('Content-Type', 'text/html; charset=utf-8');
  if (found) {
    response.headers.set('Cache-Control', EXPLANATION_PAGE_CACHE_CONTROL);
    response.headers.set('Link', oembedLinkHeader(found.summary));
  }
  return response;
}

export function registerExplanationPages(app: OpenAPIHono<{ Bindings: Env }>) {
  app.get('/e/:id', (c) => serveExplanationPage(c.env, c.req.url, c.req.param('id'), 'viewer'));
  app.get('/embed/:id', (c) => serveExplanationPage(c.env, c.req.url, c.req.param('id'), 'embed'));
}
