/**
 * /robots.txt (RFC 9309): link-preview crawlers that honour it (Twitterbot, Teams' SkypeUriPreview) may
 * fetch the explanation pages, the oEmbed answers and the images they point to; the rest of the API is
 * not for crawling. The longest matching rule wins, so `/v1/explanations/` beats `/v1/`.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from '../../env';

export const ROBOTS_TXT = [
  'User-agent: *',
  'Allow: /$',
  'Allow: /e/',
  'Allow: /embed/',
  'Allow: /oembed',
  'Allow: /v1/explanations/',
  'Disallow: /v1/',
  '',
].join('\n');

export function registerRobots(app: OpenAPIHono<{ Bindings: Env }>) {
  app.get('/robots.txt', (c) => c.text(ROBOTS_TXT, 200, { 'cache-control': 'public, max-age=86400' }));
}
