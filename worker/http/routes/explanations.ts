/** Stored explanations by id: their JSON, the image preview, and the map drawn over it as a PNG. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { cors } from 'hono/cors';
import { decodeBase64 } from 'hono/utils/encode';
import { EXPLANATION_ID } from '../../cache/explanation-key';
import type { ExplanationStore, StoredExplanation } from '../../cache/explanation-store';
import type { Env } from '../../env';
import { decodeImage, encodePng } from '../../image';
import { renderOverlay } from '../../render/overlay';
import { explanationStore } from '../../service/worker-deps';
import { immutableHeaders, notModified, strongEtag } from '../immutable';
import { explanationLinks } from '../links';
import { problemResponses } from '../openapi-responses';
import { ProblemError } from '../problem';
import { ExplanationIdParamSchema, OverlayQuerySchema, StoredExplanationSchema } from '../schemas';

const ERRORS = problemResponses(400, 404);
const NOT_MODIFIED = { 304: { description: 'Not modified (If-None-Match matched the ETag)' } };

const explanationRoute = createRoute({
  method: 'get',
  path: '/v1/explanations/{id}',
  summary: 'A stored explanation',
  request: { params: ExplanationIdParamSchema },
  responses: {
    200: { description: 'The explanation', content: { 'application/json': { schema: StoredExplanationSchema } } },
    ...NOT_MODIFIED,
    ...ERRORS,
  },
});

const imageRoute = createRoute({
  method: 'get',
  path: '/v1/explanations/{id}/image',
  summary: "The explained image's preview (longest side ≤ 512 px)",
  request: { params: ExplanationIdParamSchema },
  responses: {
    200: { description: 'The preview', content: { 'image/jpeg': { schema: z.string().openapi({ format: 'binary' }) } } },
    ...NOT_MODIFIED,
    ...ERRORS,
  },
});

const overlayRoute = createRoute({
  method: 'get',
  path: '/v1/explanations/{id}/overlay.png',
  summary: 'The map drawn over the preview, for embedding as a plain image',
  request: { params: ExplanationIdParamSchema, query: OverlayQuerySchema },
  responses: {
    200: { description: 'The overlay', content: { 'image/png': { schema: z.string().openapi({ format: 'binary' }) } } },
    ...NOT_MODIFIED,
    ...ERRORS,
  },
});

function checkId(id: string): string {
  if (!EXPLANATION_ID.test(id)) throw new ProblemError('badRequest', `"${id}" is not an explanation id (22 characters of A–Z, a–z, 0–9, "-", "_")`);
  return id;
}

async function requireExplanation(store: ExplanationStore, id: string): Promise<StoredExplanation> {
  const explanation = await store.get(id);
  if (!explanation) throw new ProblemError('notFound', `no explanation with id ${id} (it may have expired)`);
  return explanation;
}

async function requirePreview(store: ExplanationStore, explanation: StoredExplanation) {
  const preview = await store.getPreview(explanation.image.sha256);
  if (!preview) throw new ProblemError('notFound', `the image of explanation ${explanation.id} is no longer stored`);
  return preview;
}

export function registerExplanations(app: OpenAPIHono<{ Bindings: Env }>) {
  // Open to every origin so other sites can embed the JSON, the preview and the overlay.
  app.use('/v1/explanations/*', cors({ origin: '*', allowMethods: ['GET', 'HEAD'], exposeHeaders: ['ETag'] }));

  app.openapi(explanationRoute, async (c) => {
    const id = checkId(c.req.valid('param').id);
    const etag = strongEtag(id);
    const cached = notModified(c, etag);
    if (cached) return cached;
    const explanation = await requireExplanation(explanationStore(c.env), id);
    const body = { ...explanation, links: explanationLinks(new URL(c.req.url).origin, id) };
    return c.json(body, 200, immutableHeaders(etag, 'application/json'));
  });

  app.openapi(imageRoute, async (c) => {
    const id = checkId(c.req.valid('param').id);
    const etag = strongEtag(id, 'image');
    const cached = notModified(c, etag);
    if (cached) return cached;
    const store = explanationStore(c.env);
    const preview = await requirePreview(store, await requireExplanation(store, id));
    return c.body(preview.bytes, 200, immutableHeaders(etag, preview.type));
  });

  app.openapi(overlayRoute, async (c) => {
    const id = checkId(c.req.valid('param').id);
    const query = c.req.valid('query');
    const etag = strongEtag(id, 'overlay', query.class ?? 'first', query.colormap, query.alpha);
    const cached = notModified(c, etag);
    if (cached) return cached;
    const store = explanationStore(c.env);
    const explanation = await requireExplanation(store, id);
    const target = query.class === undefined ? explanation.explanations[0] : explanation.explanations.find((e) => e.index === query.class);
    if (!target) {
      const explained = explanation.explanations.map((e) => e.index).join(', ');
      throw new ProblemError('badRequest', `class ${query.class} is not explained here; explained classes: ${explained}`);
    }
    const preview = await decodeImage((await requirePreview(store, explanation)).bytes);
    const map = { width: target.map.width, height: target.map.height, data: decodeBase64(target.map.data) };
    const rgba = renderOverlay(preview, map, { colormap: query.colormap, alpha: query.alpha });
    const png = await encodePng(rgba, preview.width, preview.height);
    return c.body(png as Uint8Array<ArrayBuffer>, 200, immutableHeaders(etag, 'image/png'));
  });
}
