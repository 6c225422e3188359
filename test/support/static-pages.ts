/**
 * A stand-in for the ASSETS binding (the asset server is Cloudflare's, not ours) serving the pages as
 * the build copies them (viewer/static/*.html → viewer/dist), read from this repository: tests of the
 * server-rendered pages need not wait for, or race with, a build of viewer/dist.
 */
import { repoBytes } from './files';

const PAGE_FILES: Record<string, string> = { '/': 'viewer/static/index.html', '/embed': 'viewer/static/embed.html' };

export const staticPages = {
  async fetch(input: RequestInfo | URL): Promise<Response> {
    const { pathname } = new URL(input instanceof Request ? input.url : input);
    const file = PAGE_FILES[pathname];
    if (!file) return new Response('not found', { status: 404 });
    const bytes = await repoBytes(file);
    return new Response(bytes, { headers: { 'content-type': 'text/html', 'content-length': String(bytes.byteLength), etag: '"asset"' } });
  },
} as unknown as Fetcher;
