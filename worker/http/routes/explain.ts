import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from '../../env';
import { cachedExplain } from '../../service/cached-explain';
import { explainDeps, imageLimits } from '../../service/worker-deps';
import { apiKeyId, OPTIONAL_API_KEY, requireApiKey } from '../api-keys';
import { explanationLinks } from '../links';
import { announceRateLimits, clientKey, enforceRateLimit } from '../rate-limit';
import { problemResponses } from '../openapi-responses';
import { readUploadedImage } from '../read-upload';
import { ExplainQuerySchema, ExplainResponseSchema } from '../schemas';

const IMAGE_BODY = { schema: { type: 'string', format: 'binary' } } as const;

export const explainRoute = createRoute({
  method: 'post',
  path: '/v1/explain',
  summary: 'Explain an image: top predictions and a Grad-CAM map per explained class',
  description:
    'Answers from the cache when the same image was explained with the same options (X-Cache: HIT), ' +
    'otherwise computes and answers (MISS), storing the result in the background: `storage` is `pending` and ' +
    'the links work at once; GET /v1/explanations/{id} later says in `Explanation-Storage` whether the write succeeded.',
  middleware: [announceRateLimits('hits', 'misses'), requireApiKey()] as const,
  security: OPTIONAL_API_KEY,
  request: {
    query: ExplainQuerySchema,
    body: {
      required: true,
      content: {
        'image/jpeg': IMAGE_BODY,
        'image/png': IMAGE_BODY,
        'image/webp': IMAGE_BODY,
        'multipart/form-data': { schema: { type: 'object', properties: { image: { type: 'string', format: 'binary' } } } },
      },
    },
  },
  responses: {
    200: { description: 'The explanation', content: { 'application/json': { schema: ExplainResponseSchema } } },
    ...problemResponses(400, 401, 404, 413, 415, 422, 429, 503),
  },
});

export function registerExplain(app: OpenAPIHono<{ Bindings: Env }>) {
  app.openapi(explainRoute, async (c) => {
    const query = c.req.valid('query');
    const bytes = await readUploadedImage(c.req.raw, imageLimits(c.env).maxBytes);
    const background = (work: Promise<unknown>) => c.executionCtx.waitUntil(work);
    const client = clientKey(c.req.raw, apiKeyId(c.req.raw));
    const gates = { hit: () => enforceRateLimit(c.env, 'hits', client), miss: () => enforceRateLimit(c.env, 'misses', client) };
    const result = await cachedExplain(
      { ...explainDeps(c.env, background), gates },
      bytes,
      { modelId: query.model ?? c.env.DEFAULT_MODEL, topk: query.topk, classes: query.class, layer: query.layer, method: query.method },
      query.store,
    );
    const { decode, load, model } = result.timings;
    c.header('Server-Timing', `cache;desc=${result.cache}, decode;dur=${decode.toFixed(1)}, load;dur=${load.toFixed(1)}, model;dur=${model.toFixed(1)}`);
    c.header('X-Cache', result.cache.toUpperCase());
    c.header('Cache-Control', 'no-store');
    const links = result.id ? explanationLinks(new URL(c.req.url).origin, result.id) : undefined;
    return c.json({ ...result.document, id: result.id, cache: result.cache, storage: result.storage, links }, 200);
  });
}
