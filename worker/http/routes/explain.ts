import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from '../../env';
import { explainImage } from '../../service/explain-image';
import { problemResponses } from '../openapi-responses';
import { readUploadedImage } from '../read-upload';
import { ExplainQuerySchema, ExplanationSchema } from '../schemas';
import { explainDeps, imageLimits } from '../../service/worker-deps';

const IMAGE_BODY = { schema: { type: 'string', format: 'binary' } } as const;

export const explainRoute = createRoute({
  method: 'post',
  path: '/v1/explain',
  summary: 'Explain an image: top predictions and a Grad-CAM map per explained class',
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
    200: { description: 'The explanation', content: { 'application/json': { schema: ExplanationSchema } } },
    ...problemResponses(400, 404, 413, 415, 422),
  },
});

export function registerExplain(app: OpenAPIHono<{ Bindings: Env }>) {
  app.openapi(explainRoute, async (c) => {
    const query = c.req.valid('query');
    const deps = explainDeps(c.env);
    const bytes = await readUploadedImage(c.req.raw, imageLimits(c.env).maxBytes);
    const { document, timings } = await explainImage(deps, bytes, {
      modelId: query.model ?? c.env.DEFAULT_MODEL,
      topk: query.topk,
      classes: query.class,
      layer: query.layer,
      method: query.method,
    });
    c.header(
      'Server-Timing',
      `decode;dur=${timings.decode.toFixed(1)}, load;dur=${timings.load.toFixed(1)}, model;dur=${timings.model.toFixed(1)}`,
    );
    return c.json(document, 200);
  });
}
