/**
 * The HTTP surface: routes, validation failures and errors as problem+json, and the OpenAPI document.
 * Handlers are thin: they parse and validate, call the service, and shape the response.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import type { Env } from '../env';
import { API_KEY_SCHEME, API_KEY_SECURITY_SCHEME } from './api-keys';
import { ProblemError, problemResponse, PROBLEMS } from './problem';
import { problemFromError, problemHeaders } from './problem-from-error';
import { registerCard } from './routes/card';
import { registerDiagnostics } from './routes/diagnostics';
import { registerExplain } from './routes/explain';
import { registerExplanationPages } from './routes/explanation-pages';
import { registerExplanations } from './routes/explanations';
import { registerHealth } from './routes/health';
import { registerModels } from './routes/models';
import { registerOembed } from './routes/oembed';
import { registerPages } from './routes/pages';
import { registerRobots } from './routes/robots';

export const API_TITLE = 'Grad-CAM at the edge';

export function createApp() {
  const app = new OpenAPIHono<{ Bindings: Env }>({
    defaultHook: (result) => {
      if (!result.success) {
        const detail = z.prettifyError(result.error as z.ZodError).replaceAll('\n', ' ');
        return problemResponse(new ProblemError('badRequest', detail).toProblem());
      }
    },
  });

  registerHealth(app);
  registerModels(app);
  registerPages(app);
  registerExplain(app);
  registerExplanations(app);
  // Link previews and embeds (after registerExplanations: the card shares its /v1/explanations/* headers).
  registerCard(app);
  registerExplanationPages(app);
  registerOembed(app);
  registerRobots(app);
  registerDiagnostics(app);

  app.openAPIRegistry.registerComponent('securitySchemes', API_KEY_SCHEME, API_KEY_SECURITY_SCHEME);
  app.doc31('/v1/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: API_TITLE,
      version: '1',
      description: 'Grad-CAM explanations for image classifiers, computed in a Cloudflare Worker. Errors are RFC 9457 problem+json.',
    },
  });

  app.notFound((c) => problemResponse({ ...PROBLEMS.notFound, detail: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` }));
  app.onError((error, c) => {
    const problem = problemFromError(error);
    if (problem) return problemResponse(problem, problemHeaders(error));
    // Hono's validators throw these for a body they cannot read (malformed JSON, say).
    if (error instanceof HTTPException && error.status === 400) return problemResponse(new ProblemError('badRequest', error.message).toProblem());
    console.error(`${c.req.method} ${c.req.path} failed:`, error);
    return problemResponse({ ...PROBLEMS.internal, detail: 'the server failed to answer; the error was logged' });
  });
  return app;
}
