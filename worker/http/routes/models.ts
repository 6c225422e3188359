import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from '../../env';
import { listManifests } from '../../model/model-store';
import { ModelSummarySchema } from '../schemas';

export const modelsRoute = createRoute({
  method: 'get',
  path: '/v1/models',
  summary: 'The models this service can explain, with their classes',
  responses: {
    200: {
      description: 'The models',
      content: { 'application/json': { schema: z.object({ default: z.string(), models: z.array(ModelSummarySchema) }) } },
    },
  },
});

export function registerModels(app: OpenAPIHono<{ Bindings: Env }>) {
  app.openapi(modelsRoute, async (c) => {
    const manifests = await listManifests(c.env.MODELS);
    const models = manifests.map((m) => ({
      id: m.id,
      version: m.version,
      name: m.name,
      description: m.description,
      task: m.task,
      format: m.format,
      input: { width: m.input.width, height: m.input.height },
      labels: m.labels,
      gradcamLayer: m.gradcamLayer,
      default: m.id === c.env.DEFAULT_MODEL,
    }));
    return c.json({ default: c.env.DEFAULT_MODEL, models }, 200);
  });
}
