/**
 * Browser-test helpers (Node only): headless Chromium from Debian's package driven by playwright-core,
 * canvas read-back, and a second origin serving a page of our choosing (for the iframe test).
 */
import { createServer, type Server } from 'node:http';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { freePort } from './dev-server';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** Console errors and uncaught exceptions of a page (CSP violations land here), minus failed HTTP loads. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    // Chromium logs every 4xx/5xx response as "Failed to load resource"; the tests check those themselves.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  return errors;
}

/**
 * A canvas read back as RGBA, scaled to `width` × `height` by the browser, so canvases of one scene at
 * different resolutions (the upload and its 512 px preview) can be compared cell by cell.
 */
export function canvasPixels(target: Page | Frame, selector: string, width = 48, height = 36): Promise<number[]> {
  return target.evaluate(
    ({ selector, width, height }) => {
      const source = document.querySelector(selector);
      if (!(source instanceof HTMLCanvasElement)) throw new Error(`no canvas ${selector}`);
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const context = canvas.getContext('2d')!;
      context.imageSmoothingQuality = 'high';
      context.drawImage(source, 0, 0, width, height);
      return [...context.getImageData(0, 0, width, height).data];
    },
    { selector, width, height },
  );
}

/** Mean absolute difference per channel between two RGBA arrays of the same size (0…255). */
export function meanAbsDiff(a: number[], b: number[]): number {
  if (a.length !== b.length) throw new Error(`sizes differ: ${a.length} and ${b.length}`);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < a.length; i++) {
    if (i % 4 === 3) continue;
    sum += Math.abs(a[i] - b[i]);
    count++;
  }
  return sum / count;
}

export interface StaticSite {
  origin: string;
  close(): Promise<void>;
}

/** Serves `html` at every path from another loopback port: a different origin from the service. */
export async function serveHtml(html: () => string, headers: Record<string, string> = {}): Promise<StaticSite> {
  const port = await freePort();
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers });
    response.end(html());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    origin: `http://localhost:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
