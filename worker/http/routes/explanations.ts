/**
 * Stored explanations by id: their JSON, the image preview, and the map drawn over it as a PNG; and
 * POST /v1/explanations, which stores an explanation computed in a browser when its user shares it.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { decodeBase64 } from 'hono/utils/encode';
import type { ExplanationStore, StoredExplanation } from '../../cache/explanation-store';
import type { Env } from '../../env';
import { decodeImage, encodePng } from '../../image';
import { renderOverlay } from '../../render/overlay';
import { readManifest } from '../../model/model-store';
import { shareExplanation } from '../../service/share-explanation';
import { explanationStore } from '../../service/worker-deps';
import { immutableHeaders, notModified, strongEtag } from '../immutable';
import { OPTIONAL_API_KEY, requireApiKey } from '../api-keys';
import { explanationLinks } from '../links';
import { announceRateLimits, limitRequests } from '../rate-limit';
import { problemResponses } from '../openapi-responses';
import { ProblemError, problemResponse } from '../problem';
import {
  ExplanationIdParamSchema,
  OverlayQuerySchema,
  SharedExplanationSchema,
  ShareRequestSchema,
  StoredExplanationSchema,
} from '../schemas';

/** Largest share request: a preview (≤ 512 KB, as base64) and a document of ten 256×256 maps (≈ 3.5 MB as base64). */
export const SHARE_MAX_BYTES = 4 * 1024 * 1024;

const ERRORS = problemResponses(400, 404);
/** Where a just-computed explanation's background write stands (cache/recent-explanations.ts). */
export const STORAGE_HEADER = 'Explanation-Storage';
const NOT_MODIFIED = { 304: { description: 'Not modified (If-None-Match matched the ETag)' } };

const explanationRoute = createRoute({
  method: 'get',
  path: '/v1/explanations/{id}',
  summary: 'A stored explanation',
  request: { params: ExplanationIdParamSchema },
  responses: {
    200: {
      description: 'The explanation',
      headers: {
        [STORAGE_HEADER]: {
          description: 'stored: in KV; pending: just computed, this isolate serves it while KV is written; failed: that write failed',
          schema: { type: 'string', enum: ['stored', 'pending', 'failed'] },
        },
      },
      content: { 'application/json': { schema: StoredExplanationSchema } },
    },
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

/** The validator skips a body of another media type, so the handler would see none: refuse it first. */
const requireJsonBody: MiddlewareHandler = async (c, next) => {
  const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') throw new ProblemError('notJson', `Content-Type "${type || '(none)'}" is not accepted: send application/json`);
  return next();
};

const shareRoute = createRoute({
  method: 'post',
  path: '/v1/explanations',
  summary: 'Share an explanation computed in a browser: stores it and its preview, answers its links',
  description:
    'For results the viewer computed on the device (private mode): never called unless its user chooses to share. ' +
    'The document is checked against the model (version, labels, map sizes), stored under a fresh random id and ' +
    'marked `computedOn: "device"`; its `image.sha256` becomes the SHA-256 of the preview, the only image the service receives.',
  middleware: [
    announceRateLimits('shares'),
    requireApiKey(),
    limitRequests('shares'),
    requireJsonBody,
    bodyLimit({
      maxSize: SHARE_MAX_BYTES,
      onError: () => problemResponse(new ProblemError('tooLarge', `a share request may have at most ${SHARE_MAX_BYTES} bytes`).toProblem()),
    }),
  ] as const,
  security: OPTIONAL_API_KEY,
  request: { body: { required: true, content: { 'application/json': { schema: ShareRequestSchema } } } },
  responses: {
    201: { description: 'Stored', content: { 'application/json': { schema: SharedExplanationSchema } } },
    ...problemResponses(400, 401, 404, 413, 415, 429, 500),
  },
});

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
  app.use('/v1/explanations/*', cors({ origin: '*', allowMethods: ['GET', 'HEAD'], exposeHeaders: ['ETag', STORAGE_HEADER] }));

  // Also readable by cross-origin-isolated pages (their `Cross-Origin-Embedder-Policy: require-corp` needs it
  // for an overlay.png in an <img>).
  app.use('/v1/explanations/*', async (c, next) => {
    await next();
    c.res.headers.set('Cross-Origin-Resource-Policy', 'cross-origin');
  });

  app.openapi(shareRoute, async (c) => {
    const { document, preview } = c.req.valid('json');
    const manifest = await readManifest(c.env.MODELS, document.model.id);
    if (!manifest) throw new ProblemError('modelNotFound', `no model with id "${document.model.id}"`);
    const id = await shareExplanation(explanationStore(c.env), manifest, document, decodeBase64(preview) as Uint8Array<ArrayBuffer>);
    if (!id) throw new ProblemError('internal', 'the explanation could not be stored; try again');
    const links = explanationLinks(new URL(c.req.url).origin, id);
    return c.json({ id, computedOn: 'device' as const, links }, 201, { location: links.self, 'cache-control': 'no-store' });
  });

  app.openapi(explanationRoute, async (c) => {
    const id = c.req.valid('param').id;
    const etag = strongEtag(id);
    const cached = notModified(c, etag);
    if (cached) return cached;
    const found = await explanationStore(c.env).find(id);
    if (!found) throw new ProblemError('notFound', `no explanation with id ${id} (it may have expired)`);
    const body = { ...found.explanation, links: explanationLinks(new URL(c.req.url).origin, id) };
    // A failed write is served by this isolate only for a while: nobody may keep it as if it were stored.
    const headers: Record<string, string> = { ...immutableHeaders(etag, 'application/json'), [STORAGE_HEADER]: found.storage };
    if (found.storage === 'failed') headers['cache-control'] = 'no-store';
    return c.json(body, 200, headers);
  });

  app.openapi(imageRoute, async (c) => {
    const id = c.req.valid('param').id;
    const etag = strongEtag(id, 'image');
    const cached = notModified(c, etag);
    if (cached) return cached;
    const store = explanationStore(c.env);
    const preview = await requirePreview(store, await requireExplanation(store, id));
    return c.body(preview.bytes, 200, immutableHeaders(etag, preview.type));
  });

  app.openapi(overlayRoute, async (c) => {
    const id = c.req.valid('param').id;
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
