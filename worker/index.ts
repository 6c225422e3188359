/** The worker's entry point: every request enters here and goes to the Hono app in http/app.ts. */
import type { Env } from './env';
import { createApp } from './http/app';

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
