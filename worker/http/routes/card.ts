/**
 * GET /v1/explanations/{id}/card.png: the 1200×630 card that link previews show large (og:image,
 * twitter:image; render/card.ts). Immutable like the overlay: the id fixes every pixel, so it is cached
 * for a year and revalidated by a strong ETag that costs no KV read.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { decodeBase64 } from 'hono/utils/encode';
import type { Env } from '../../env';
import { decodeImage, encodePng } from '../../image';
import { renderCard } from '../../render/card';
import { DEFAULT_COLORMAP } from '../../render/colormap';
import { explanationStore } from '../../service/worker-deps';
import { formatPercent, SITE_NAME } from '../explanation-summary';
import { immutableHeaders, notModified, strongEtag } from '../immutable';
import { problemResponses } from '../openapi-responses';
import { ExplanationIdParamSchema } from '../schemas';
import { requireExplanation, requirePreview } from '../stored-explanation';

const cardRoute = createRoute({
  method: 'get',
  path: '/v1/explanations/{id}/card.png',
  summary: 'A 1200×630 card of the explanation for link previews (Open Graph, Twitter cards)',
  request: { params: ExplanationIdParamSchema },
  responses: {
    200: { description: 'The card', content: { 'image/png': { schema: z.string().openapi({ format: 'binary' }) } } },
    304: { description: 'Not modified (If-None-Match matched the ETag)' },
    ...problemResponses(400, 404),
  },
});

/** Registered after routes/explanations.ts, whose `/v1/explanations/*` middleware adds CORS and CORP. */
export function registerCard(app: OpenAPIHono<{ Bindings: Env }>) {
  app.openapi(cardRoute, async (c) => {
    const { id } = c.req.valid('param');
    const etag = strongEtag(id, 'card');
    const cached = notModified(c, etag);
    if (cached) return cached;
    const store = explanationStore(c.env);
    const explanation = await requireExplanation(store, id);
    const preview = await decodeImage((await requirePreview(store, explanation)).bytes);
    const top = explanation.explanations[0];
    const map = { width: top.map.width, height: top.map.height, data: decodeBase64(top.map.data) };
    const card = renderCard(preview, map, {
      label: top.label,
      score: formatPercent(top.score),
      caption: `${explanation.model.id} - ${explanation.method}`,
      siteName: SITE_NAME,
      colormap: DEFAULT_COLORMAP,
      alpha: 0.5,
    });
    const png = await encodePng(card.data, card.width, card.height);
    return c.body(png as Uint8Array<ArrayBuffer>, 200, immutableHeaders(etag, 'image/png'));
  });
}
