/**
 * Embedding on other sites, end to end: `wrangler dev` with the real models and headless Chromium, host
 * pages served from another loopback origin. The embed page in frames sandboxed as WordPress, as a
 * permissive host and with no scripts at all; its height messages in both formats; the web component
 * on a foreign page from one script tag. Screenshots go to artifacts/embedding/ (gitignored).
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { decode } from 'fast-png';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESIZE_MESSAGE_TYPE } from '../../viewer/src/embed-messages';
import { webComponentSnippet } from '../../viewer/src/snippets';
import { collectPageErrors, launchChromium, serveHtml, type StaticSite } from '../support/browser';
import { FIXTURES_DIR, startDevServer, type DevServer } from '../support/dev-server';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../artifacts/embedding');
const PHOTO = path.join(FIXTURES_DIR, 'images/chelsea.png');
/** A fast model of this repository, named whatever the default model is. */
const MODEL = 'compact-efficientnet';

let server: DevServer;
let browser: Browser;
let site: StaticSite;
/** What the host site serves next (one page at a time). */
let hostPage = '';
let explanation: { id: string; image: { width: number; height: number }; explanations: { index: number; label: string }[]; links: Record<string, string> };

const missing = [PHOTO].filter((file) => !existsSync(file));
if (missing.length > 0) console.warn(`embedding e2e tests skipped: missing ${missing.join(', ')} (../shared/fixtures)`);

beforeAll(async () => {
  if (missing.length > 0) return;
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startDevServer();
  browser = await launchChromium();
  site = await serveHtml(() => hostPage);
  const response = await fetch(`${server.origin}/v1/explain?model=${MODEL}&topk=2`, {
    method: 'POST',
    headers: { 'content-type': 'image/png' },
    body: readFileSync(PHOTO),
  });
  expect(response.status).toBe(200);
  explanation = (await response.json()) as typeof explanation;
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await server?.stop();
});

/** Opens a host page (from the other origin) that records every message its frames post. */
async function openHost(body: string): Promise<{ page: Page; errors: string[] }> {
  hostPage = `<!doctype html><html><head><meta charset="utf-8"><title>Host</title>
    <script>window.messages = []; addEventListener('message', (e) => messages.push({ data: e.data, origin: e.origin }));</script>
    </head><body style="margin: 0; font-family: sans-serif">${body}</body></html>`;
  expect(new URL(site.origin).origin).not.toBe(new URL(server.origin).origin);
  const context = await browser.newContext({ viewport: { width: 900, height: 1400 } });
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(site.origin);
  return { page, errors };
}

function frameOf(page: Page, name: string): Frame {
  const frame = page.frames().find((f) => f.name() === name);
  if (!frame) throw new Error(`no frame ${name}`);
  return frame;
}

/** The server-rendered picture is loaded and shown, or the script's canvas replaced it; either way a label. */
async function expectShown(frame: Frame, drawnBy: 'img' | 'canvas'): Promise<void> {
  await frame.locator('#label').waitFor({ state: 'visible', timeout: 30_000 });
  expect(await frame.locator('#label').textContent()).toContain(explanation.explanations[0].label);
  expect(await frame.locator('#error').isHidden()).toBe(true);
  if (drawnBy === 'img') {
    await frame.waitForFunction(() => {
      const img = document.querySelector('#picture') as HTMLImageElement;
      return img.complete && img.naturalWidth > 0;
    });
    expect(await frame.locator('#picture').isVisible()).toBe(true);
  } else {
    await frame.locator('#frame[data-drawn]').waitFor({ state: 'attached', timeout: 60_000 });
    expect(await frame.locator('#canvas').isVisible()).toBe(true);
    expect(await frame.locator('#picture').isHidden()).toBe(true);
    // Not a blank canvas: the map over the photo has many colours.
    const colours = await frame.evaluate(() => {
      const canvas = document.querySelector('#canvas') as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < data.length; i += 4 * 97) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      return seen.size;
    });
    expect(colours).toBeGreaterThan(200);
  }
  const box = (await frame.locator(drawnBy === 'img' ? '#picture' : '#canvas').boundingBox())!;
  expect(box.width).toBeGreaterThan(100);
  expect(box.height).toBeGreaterThan(100);
}

describe.skipIf(missing.length > 0).sequential('embedding', () => {
  it("serves the card, oEmbed, robots.txt and the cross-origin scripts from wrangler's own bundle and asset server", async () => {
    const card = await fetch(`${server.origin}/v1/explanations/${explanation.id}/card.png`);
    expect(card.status).toBe(200);
    const png = decode(new Uint8Array(await card.arrayBuffer()));
    expect([png.width, png.height]).toEqual([1200, 630]);
    const oembed = await fetch(`${server.origin}/oembed?url=${encodeURIComponent(explanation.links.page)}`);
    expect(oembed.status).toBe(200);
    expect(((await oembed.json()) as { type: string }).type).toBe('rich');
    expect((await fetch(`${server.origin}/robots.txt`)).status).toBe(200);
    // The built page, rendered per id, as a crawler gets it.
    const unfurl = await fetch(explanation.links.page, { headers: { 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' } });
    expect(unfurl.status).toBe(200);
    const head = await unfurl.text();
    expect(head).toContain(`<meta property="og:image" content="${server.origin}/v1/explanations/${explanation.id}/card.png">`);
    expect(head).toContain('<meta name="twitter:card" content="summary_large_image">');
    for (const file of ['embed.js', 'embed.css', 'gradcam-explanation.js']) {
      const response = await fetch(`${server.origin}/${file}`);
      expect(response.status, file).toBe(200);
      expect(response.headers.get('access-control-allow-origin'), file).toBe('*');
      expect(response.headers.get('cross-origin-resource-policy'), file).toBe('cross-origin');
    }
  });

  it('renders the embed in sandboxed frames (WordPress, permissive) and with no scripts at all', async () => {
    const embed = explanation.links.embed;
    const { page, errors } = await openHost(`
      <iframe name="wordpress" sandbox="allow-scripts" security="restricted" src="${embed}" width="480" height="320"></iframe>
      <iframe name="permissive" sandbox="allow-scripts allow-same-origin allow-popups" src="${embed}?colormap=viridis" width="480" height="320"></iframe>
      <iframe name="no-scripts" sandbox="" src="${embed}" width="480" height="320"></iframe>`);
    await expectShown(frameOf(page, 'wordpress'), 'canvas');
    await expectShown(frameOf(page, 'permissive'), 'canvas');
    await expectShown(frameOf(page, 'no-scripts'), 'img');
    // With scripts blocked, the link to the viewer is still there.
    expect(await frameOf(page, 'no-scripts').locator('#open').getAttribute('href')).toBe(explanation.links.page);
    await page.screenshot({ path: path.join(ARTIFACTS, '01-sandboxed-frames.png'), fullPage: true });
    // Chromium reports the blocked script of the script-less frame; nothing else may fail.
    expect(errors.filter((e) => !/sandbox|allow-scripts/i.test(e))).toEqual([]);
    await page.context().close();
  });

  it("reports its height in WordPress's secret format and in the generic one", async () => {
    const embed = explanation.links.embed;
    const { page } = await openHost(`
      <iframe name="wp" sandbox="allow-scripts" src="${embed}#?secret=abc123XYZ" width="400" height="200"></iframe>
      <iframe name="generic" src="${embed}" width="600" height="200"></iframe>`);
    const aspect = explanation.image.height / explanation.image.width;
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { messages: { data: unknown }[] }).messages.map((m) => m.data)), { timeout: 60_000 })
      .toEqual(
        expect.arrayContaining([
          { secret: 'abc123XYZ', message: 'height', value: Math.ceil(400 * aspect) },
          { type: RESIZE_MESSAGE_TYPE, id: explanation.id, height: Math.ceil(600 * aspect) },
        ]),
      );
    // A wider frame: a new height follows.
    await page.evaluate(() => document.querySelector('iframe[name="generic"]')!.setAttribute('width', '300'));
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { messages: { data: { height?: number } }[] }).messages.at(-1)?.data))
      .toEqual({ type: RESIZE_MESSAGE_TYPE, id: explanation.id, height: Math.ceil(300 * aspect) });
    await page.context().close();
  });

  it('renders the web component on a foreign page from one script tag, re-renders on attribute changes, and fires load and error', async () => {
    const snippet = (id: string, attributes: Record<string, string> = {}) =>
      webComponentSnippet({
        scriptUrl: `${server.origin}/gradcam-explanation.js`,
        id,
        attributes,
        pageUrl: `${server.origin}/e/${id}`,
        overlayUrl: `${server.origin}/v1/explanations/${id}/overlay.png`,
        alt: 'Grad-CAM heat map',
      });
    const second = explanation.explanations[1];
    const { page, errors } = await openHost(`
      <div style="width: 480px">${snippet(explanation.id, { 'class-index': String(second.index), colormap: 'jet', opacity: '0.5' }).replace('<gradcam-explanation', '<gradcam-explanation id="good"')}</div>
      <div style="width: 480px">${snippet('AAAAAAAAAAAAAAAAAAAAAA').replace('<gradcam-explanation', '<gradcam-explanation id="unknown"')}</div>
      <script>
        window.events = [];
        for (const element of document.querySelectorAll('gradcam-explanation'))
          for (const type of ['load', 'error']) element.addEventListener(type, (e) => events.push([element.id, type, e.detail ?? null]));
      </script>
      <script type="module" src="${server.origin}/gradcam-explanation.js?loaded-twice"></script>`);
    const events = () => page.evaluate(() => (window as unknown as { events: [string, string, string | null][] }).events);
    await expect.poll(events, { timeout: 60_000 }).toEqual(expect.arrayContaining([['good', 'load', null], ['unknown', 'error', expect.stringContaining('Not found')]]));

    const good = page.locator('#good');
    expect(await good.locator('figcaption span').textContent()).toContain(second.label);
    expect(await good.locator('figure').isVisible()).toBe(true);
    expect(await good.locator('img').isVisible()).toBe(false);
    expect(await good.locator('figcaption a').getAttribute('href')).toMatch(new RegExp(`^${server.origin}/e/${explanation.id}\\?class=${second.index}&`));
    const pixels = () =>
      good.evaluate((element) => {
        const canvas = element.shadowRoot!.querySelector('canvas')!;
        return [...canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data.filter((_, i) => i % 397 === 0)];
      });
    const jet = await pixels();
    expect(new Set(jet).size).toBeGreaterThan(50);
    await good.evaluate((element) => element.setAttribute('colormap', 'viridis'));
    await expect.poll(async () => (await events()).filter(([id, type]) => id === 'good' && type === 'load').length).toBe(2);
    expect(await pixels()).not.toEqual(jet);

    // The unknown one keeps its fallback: the linked image of the snippet.
    const unknown = page.locator('#unknown');
    expect(await unknown.locator('figure').isVisible()).toBe(false);
    expect(await unknown.locator('a > img').count()).toBe(1);
    expect(await unknown.locator('slot').evaluate((slot) => (slot as HTMLSlotElement).hidden)).toBe(false);
    await page.screenshot({ path: path.join(ARTIFACTS, '02-web-component.png'), fullPage: true });
    // Two copies of the module defined the element once, without an error.
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('shows the web component fallback, a linked overlay, where scripts do not run', async () => {
    hostPage = `<!doctype html><html><body>${webComponentSnippet({
      scriptUrl: `${server.origin}/gradcam-explanation.js`,
      id: explanation.id,
      attributes: {},
      pageUrl: explanation.links.page,
      overlayUrl: explanation.links.overlay,
      alt: 'Grad-CAM heat map',
    })}</body></html>`;
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(site.origin);
    const image = page.locator('gradcam-explanation a > img');
    await image.waitFor({ state: 'visible' });
    await page.waitForFunction(() => (document.querySelector('gradcam-explanation img') as HTMLImageElement).naturalWidth > 0);
    expect(await page.locator('gradcam-explanation a').getAttribute('href')).toBe(explanation.links.page);
    await context.close();
  });

  it('loads in a cross-origin isolated host page (COEP require-corp), the embed and the web component both', async () => {
    const isolated = await serveHtml(
      () => `<!doctype html><html><body>
        <iframe name="embed" src="${explanation.links.embed}" width="480" height="320"></iframe>
        ${webComponentSnippet({ scriptUrl: `${server.origin}/gradcam-explanation.js`, id: explanation.id, attributes: {}, pageUrl: explanation.links.page, overlayUrl: explanation.links.overlay, alt: 'Grad-CAM heat map' })}
        </body></html>`,
      { 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-opener-policy': 'same-origin' },
    );
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await page.goto(isolated.origin);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      await expectShown(frameOf(page, 'embed'), 'canvas');
      await page.locator('gradcam-explanation figure').waitFor({ state: 'visible', timeout: 30_000 });
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await isolated.close();
    }
  });
});
