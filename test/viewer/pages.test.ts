/**
 * The start page on a bare app with a stand-in ASSETS binding, and the pages' policies; the pages of one
 * explanation (rendered per id) are tested in workerd (test/worker/http/routes/explanation-pages.test.ts),
 * the real assets by the e2e test.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../worker/env';
import { EMBED_CSP, PRIVATE_WORKER_CSP, PRIVATE_WORKER_POLICY, registerPages, VIEWER_CSP } from '../../worker/http/routes/pages';

const PAGES: Record<string, string> = { '/': '<title>viewer</title>', '/embed': '<title>embed</title>' };

function appWith(assets: Record<string, string>) {
  const app = new OpenAPIHono<{ Bindings: Env }>();
  registerPages(app);
  const requested: string[] = [];
  const ASSETS = {
    fetch: async (input: RequestInfo | URL) => {
      const { pathname } = new URL(input instanceof Request ? input.url : input);
      requested.push(pathname);
      const body = assets[pathname];
      return body === undefined
        ? new Response('not found', { status: 404 })
        : new Response(body, { headers: { 'content-type': 'text/html', 'x-frame-options': 'DENY' } });
    },
  } as unknown as Fetcher;
  return { request: (path: string) => app.request(path, {}, { ASSETS } as Env), requested };
}

describe('viewer pages', () => {
  it('/: the viewer, frameable by its own origin only, cross-origin isolated', async () => {
    const { request, requested } = appWith(PAGES);
    const response = await request('/');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('<title>viewer</title>');
    expect(requested).toEqual(['/']);
    expect(response.headers.get('content-security-policy')).toBe(VIEWER_CSP);
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  });

  it('allows no inline script, no eval and no HTML sinks on either page', () => {
    for (const csp of [VIEWER_CSP, EMBED_CSP]) {
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe');
      expect(csp).toContain("require-trusted-types-for 'script'");
    }
    expect(VIEWER_CSP).toContain("frame-ancestors 'self'");
    expect(EMBED_CSP).toContain('frame-ancestors *');
    // The viewer may create one script URL, the private-mode worker's; the embed page none.
    expect(VIEWER_CSP).toContain(`trusted-types ${PRIVATE_WORKER_POLICY};`);
    expect(EMBED_CSP).toContain("trusted-types 'none'");
  });

  it("lets only the private-mode worker compile WebAssembly and start TF.js's blob: threads", () => {
    expect(PRIVATE_WORKER_CSP).toContain("script-src 'self' 'wasm-unsafe-eval' blob:");
    expect(PRIVATE_WORKER_CSP).toContain('worker-src blob:');
    expect(PRIVATE_WORKER_CSP).not.toMatch(/'unsafe-(eval|inline)'/);
    for (const csp of [VIEWER_CSP, EMBED_CSP]) expect(csp).not.toContain('blob:');
  });

  it('says so when the viewer is not built', async () => {
    const response = await appWith({}).request('/');
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('build:viewer');
  });
});
