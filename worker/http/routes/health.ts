import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from '../../env';

export const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness: answers without touching models or storage',
  responses: { 200: { description: 'Alive', content: { 'application/json': { schema: z.object({ ok: z.literal(true) }) } } } },
});

export function registerHealth(app: OpenAPIHono<{ Bindings: Env }>) {
  app.openapi(healthRoute, (c) => c.json({ ok: true as const }, 200));
}
