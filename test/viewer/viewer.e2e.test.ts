/**
 * The viewer end to end: `wrangler dev` with the real models, driven in headless Chromium. The tests
 * run in order: the upload makes the explanation the share, embed and phone tests open. Screenshots of
 * the main states go to artifacts/viewer/ (gitignored).
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBED_CSP, VIEWER_CSP } from '../../worker/http/routes/pages';
import { canvasPixels, collectPageErrors, launchChromium, meanAbsDiff, serveHtml, type StaticSite } from '../support/browser';
import { FIXTURES_DIR, startDevServer, type DevServer } from '../support/dev-server';
import { SCENES_MODEL_ID } from '../../models/training/scenes-model';
import { TINY_DARKNET_ID } from '../support/model-manifests';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../artifacts/viewer');
const DOG = path.join(FIXTURES_DIR, 'images/dog.jpg');
const DESKTOP = { width: 1360, height: 900 };

let server: DevServer;
let browser: Browser;
let site: StaticSite | undefined;
/** The embed snippet the viewer offered, served by the second origin. */
let hostPage = '';

/** Set by the upload test, read by the ones after it. */
const shared = { link: '', iframeSnippet: '', markdownSnippet: '', componentSnippet: '', pixels: [] as number[], label: '' };

async function openViewer(url = '/', viewport = DESKTOP): Promise<{ page: Page; errors: string[]; explainRequests: Request[] }> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  const explainRequests: Request[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/v1/explain') explainRequests.push(request);
  });
  await page.goto(new URL(url, server.origin).href);
  return { page, errors, explainRequests };
}

async function waitForExplanation(page: Page): Promise<void> {
  await page.locator('#result').waitFor({ state: 'visible', timeout: 90_000 });
  await page.locator('#workspace:not([aria-busy])').waitFor();
  // The main canvas is drawn on the next animation frame.
  await page.waitForFunction(() => (document.querySelector('#canvas') as HTMLCanvasElement).width > 300 || (document.querySelector('#caption')?.textContent ?? '') !== '');
}

function shot(page: Page, name: string, fullPage = false): Promise<Buffer> {
  return page.screenshot({ path: path.join(ARTIFACTS, name), fullPage });
}

// Only the shared fixtures may be absent (they live beside the clone, never in git); a missing Chromium
// is a failure: `.ci/run` installs Debian's package.
const missing = [DOG].filter((file) => !existsSync(file));
if (missing.length > 0) console.warn(`viewer e2e tests skipped: missing ${missing.join(', ')} (../shared/fixtures)`);

beforeAll(async () => {
  if (missing.length > 0) return;
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startDevServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await server?.stop();
});

describe.skipIf(missing.length > 0).sequential('viewer', () => {
  it('serves the viewer with a strict CSP, its models and the sample gallery', async () => {
    const { page, errors } = await openViewer();
    const response = await page.request.get(`${server.origin}/`);
    expect(response.headers()['content-security-policy']).toBe(VIEWER_CSP);
    expect(response.headers()['x-frame-options']).toBe('SAMEORIGIN');
    await page.locator(`#model option[value="${TINY_DARKNET_ID}"]`).waitFor({ state: 'attached' });
    const models = (await (await page.request.get(`${server.origin}/v1/models`)).json()) as { models: { id: string; name?: string }[] };
    expect(await page.locator('#model option').allTextContents()).toEqual(models.models.map((m) => m.name ?? m.id));
    expect(await page.locator('#colormap option').allTextContents()).toEqual(['jet', 'viridis', 'turbo', 'inferno']);
    await expect.poll(() => page.locator('#gallery button').count()).toBe(6);
    expect(await page.locator('#gallery button').first().getAttribute('aria-label')).toMatch(/^Explain sample scene 1: /);
    await shot(page, '01-start.png');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('explains an uploaded photo: predictions, a map over the image, one map per class in the grid', async () => {
    const { page, errors, explainRequests } = await openViewer();
    await page.locator(`#model option[value="${TINY_DARKNET_ID}"]`).waitFor({ state: 'attached' });
    await page.selectOption('#model', TINY_DARKNET_ID);
    await page.fill('#topk', '4');
    // Hold the request a moment so the progress state can be seen (and photographed).
    await page.route('**/v1/explain?*', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 600));
      await route.continue();
    });
    await page.setInputFiles('#file', DOG);
    await page.locator('#status').waitFor({ state: 'visible' });
    expect(await page.locator('#status-text').textContent()).toMatch(/Uploading|Computing/);
    await shot(page, '02-progress.png');
    await waitForExplanation(page);

    expect(explainRequests).toHaveLength(1);
    expect(new URL(explainRequests[0].url()).searchParams.get('model')).toBe(TINY_DARKNET_ID);
    expect(new URL(explainRequests[0].url()).searchParams.get('topk')).toBe('4');
    expect(explainRequests[0].headers()['content-type']).toBe('image/jpeg');
    const explanation = (await (await page.request.get(`${server.origin}/v1/explanations/${page.url().split('/e/')[1].split('?')[0]}`)).json()) as {
      predictions: { label: string }[];
      explanations: { label: string }[];
    };
    // Every prediction listed with its label; the explained ones can be clicked.
    expect(await page.locator('#predictions li .label').allTextContents()).toEqual(explanation.predictions.map((p) => p.label));
    expect(await page.locator('#predictions button .label').allTextContents()).toEqual(explanation.explanations.map((e) => e.label));
    expect(await page.locator('#compare .label').allTextContents()).toEqual(explanation.explanations.map((e) => e.label));
    expect(explanation.explanations).toHaveLength(4);
    // One map per explained class, each drawn.
    expect(await page.locator('#compare canvas').count()).toBe(4);
    for (const canvas of await page.locator('#compare canvas').all()) {
      expect(await canvas.evaluate((c: HTMLCanvasElement) => c.width)).toBeGreaterThan(100);
    }
    // The map is drawn at the photo's own resolution (dog.jpg is 768 × 576).
    expect(await page.locator('#canvas').evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([768, 576]);
    // The page now has its own address.
    expect(new URL(page.url()).pathname).toMatch(/^\/e\/[A-Za-z0-9_-]{22}$/);
    await shot(page, '03-explained.png', true);

    const overlay = await canvasPixels(page, '#canvas');
    await page.locator('label:has(input[name="view"][value="image"])').click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('view') === 'image');
    const bare = await canvasPixels(page, '#canvas');
    expect(meanAbsDiff(overlay, bare)).toBeGreaterThan(15);
    for (const view of ['map', 'masked'] as const) {
      await page.locator(`label:has(input[name="view"][value="${view}"])`).click();
      await page.waitForFunction((v) => new URL(location.href).searchParams.get('view') === v, view);
      expect(meanAbsDiff(await canvasPixels(page, '#canvas'), bare)).toBeGreaterThan(10);
      await shot(page, `04-view-${view}.png`);
    }

    // Each view downloads as a PNG.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    expect(download.suggestedFilename()).toMatch(/^gradcam-.+-masked\.png$/);
    const file = readFileSync((await download.path())!);
    expect([...file.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

    // Back to the overlay by keyboard: arrows move through the radio group.
    await page.locator('input[name="view"][value="masked"]').focus();
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('view') === 'overlay');
    // Pick the second class in the grid, another colour map, and a stronger opacity (by keyboard).
    const second = page.locator('#compare button').nth(1);
    shared.label = (await second.locator('.label').textContent())!;
    expect(shared.label).not.toBe('');
    await second.click();
    await page.selectOption('#colormap', 'viridis');
    await page.locator('#alpha').focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('alpha') === '0.7');
    expect(await page.locator('#caption').textContent()).toContain(shared.label);
    expect(await second.getAttribute('aria-pressed')).toBe('true');
    // Raw scale: the legend shows the API's values.
    await page.locator('label:has(input[name="scale"][value="raw"])').click();
    await expect.poll(() => page.locator('#legend-note').textContent()).toMatch(/min \d/);
    await shot(page, '05-raw-scale.png');
    await page.locator('label:has(input[name="scale"][value="normalised"])').click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('scale') === 'normalised');

    shared.link = await page.inputValue('#share-link');
    shared.iframeSnippet = await page.inputValue('#iframe-snippet');
    shared.markdownSnippet = await page.inputValue('#markdown-snippet');
    shared.componentSnippet = await page.inputValue('#component-snippet');
    expect(shared.link).toBe(page.url());
    expect(new URL(shared.link).searchParams.get('colormap')).toBe('viridis');
    shared.pixels = await canvasPixels(page, '#canvas');
    await page.locator('#compare').scrollIntoViewIfNeeded();
    await shot(page, '06-compare-and-share.png', true);
    // Picking classes and views redraws; it never asks the API again.
    expect(explainRequests).toHaveLength(1);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('opens the share link in a fresh browser context: the same map, no explain request', async () => {
    expect(shared.link, 'the upload test must pass first').not.toBe('');
    const { page, errors, explainRequests } = await openViewer(shared.link);
    await waitForExplanation(page);
    expect(explainRequests).toEqual([]);
    expect(await page.inputValue('#topk')).toBe('4');
    expect(await page.inputValue('#model')).toBe(TINY_DARKNET_ID);
    expect(await page.inputValue('#colormap')).toBe('viridis');
    expect(await page.inputValue('#alpha')).toBe('0.7');
    expect(await page.locator('#caption').textContent()).toContain(shared.label);
    expect(await page.locator('#compare button[aria-pressed="true"] .label').textContent()).toBe(shared.label);
    // Drawn over the stored 512 px preview rather than the upload: equal up to resampling and JPEG.
    expect(meanAbsDiff(await canvasPixels(page, '#canvas'), shared.pixels)).toBeLessThan(4);
    await shot(page, '07-shared-link.png');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('renders the embed page in an iframe of a page from another origin, with the offered snippets', async () => {
    expect(shared.iframeSnippet, 'the upload test must pass first').toMatch(/^<iframe src="http/);
    hostPage = `<!doctype html><html><head><title>Docs</title></head><body style="font-family: sans-serif; max-width: 720px; margin: 24px auto">
      <h1>Our model's docs</h1><p>What the classifier looked at:</p>${shared.iframeSnippet}
      <p>The viewer itself refuses to be framed here:</p><iframe id="viewer" src="${server.origin}/" style="width: 100%; height: 120px"></iframe></body></html>`;
    site = await serveHtml(() => hostPage);
    expect(new URL(site.origin).origin).not.toBe(new URL(server.origin).origin);
    const embedResponse = await fetch(new URL(shared.iframeSnippet.match(/src="([^"]+)"/)![1].replaceAll('&amp;', '&')));
    expect(embedResponse.headers.get('content-security-policy')).toBe(EMBED_CSP);
    expect(embedResponse.headers.get('x-frame-options')).toBeNull();

    const context = await browser.newContext({ viewport: { width: 900, height: 1000 } });
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(site.origin);
    const embed = page.frames().find((f) => f.url().includes('/embed/'));
    expect(embed, 'the embed frame').toBeDefined();
    await embed!.locator('#frame[data-drawn]').waitFor({ state: 'attached', timeout: 60_000 });
    expect(await embed!.locator('#error').isHidden()).toBe(true);
    expect(await embed!.locator('#label').textContent()).toContain(shared.label);
    const pixels = await canvasPixels(embed!, '#canvas');
    expect(meanAbsDiff(pixels, shared.pixels)).toBeLessThan(4);
    // frame-ancestors 'self': Chromium shows an error page in place of the viewer.
    const viewerFrame = page.frames().find((f) => f !== page.mainFrame() && f !== embed);
    await expect.poll(() => viewerFrame?.url()).toMatch(/^chrome-error:/);
    await shot(page, '08-embed-on-another-origin.png', true);
    expect(errors.filter((e) => !e.includes('frame-ancestors'))).toEqual([]);

    // The Markdown snippet's image is the server-rendered overlay, linked to the page.
    const [, overlayUrl, pageUrl] = /^\[!\[[^\]]*\]\(([^)]+)\)\]\(([^)]+)\)$/.exec(shared.markdownSnippet)!;
    expect(pageUrl).toBe(shared.link);
    // The web component snippet: the service's module script and the element for this explanation.
    const id = new URL(shared.link).pathname.split('/').at(-1);
    expect(shared.componentSnippet).toContain(`<script type="module" src="${server.origin}/gradcam-explanation.js"></script>`);
    expect(shared.componentSnippet).toContain(`<gradcam-explanation explanation="${id}" class-index="`);
    const overlay = await fetch(overlayUrl);
    expect(overlay.status).toBe(200);
    expect(overlay.headers.get('content-type')).toBe('image/png');
    await context.close();
  });

  it("shows the API's message for files it cannot explain", async () => {
    const { page, errors } = await openViewer();
    await page.locator(`#model option[value="${TINY_DARKNET_ID}"]`).waitFor({ state: 'attached' });
    const jpegHead = readFileSync(DOG).subarray(0, 4096);
    const cases = [
      // A JPEG whose data stops after 4 KB: the header is fine, decoding is not.
      { name: 'cut-short.jpg', mimeType: 'image/jpeg', buffer: Buffer.concat([jpegHead, Buffer.alloc(512, 0x55)]), status: 422, shot: '09-error-undecodable.png' },
      { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('these bytes are not an image at all'), status: 415, shot: '09-error-not-an-image.png' },
    ];
    for (const file of cases) {
      const [response] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/explain'),
        page.setInputFiles('#file', { name: file.name, mimeType: file.mimeType, buffer: file.buffer }),
      ]);
      expect(response.status()).toBe(file.status);
      expect(response.headers()['content-type']).toBe('application/problem+json');
      const problem = (await response.json()) as { title: string; detail: string };
      await page.locator('#error').waitFor({ state: 'visible' });
      await expect.poll(() => page.locator('#error-detail').textContent()).toBe(problem.detail);
      expect(await page.locator('#error-title').textContent()).toBe(problem.title);
      expect(await page.locator('#status').isHidden()).toBe(true);
      await shot(page, file.shot);
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('explains a gallery sample with one click', async () => {
    const { page, errors, explainRequests } = await openViewer();
    const models = (await (await page.request.get(`${server.origin}/v1/models`)).json()) as { default: string; models: { id: string }[] };
    await page.locator(`#model option[value="${TINY_DARKNET_ID}"]`).waitFor({ state: 'attached' });
    await page.locator('#gallery button').first().click();
    await waitForExplanation(page);
    expect(explainRequests).toHaveLength(1);
    expect(explainRequests[0].headers()['content-type']).toBe('image/png');
    // Scenes go to the model that learned them.
    const expectedModel = models.models.some((m) => m.id === SCENES_MODEL_ID) ? SCENES_MODEL_ID : models.models[0].id;
    expect(new URL(explainRequests[0].url()).searchParams.get('model')).toBe(expectedModel);
    expect(await page.locator('#predictions button').count()).toBeGreaterThan(0);
    await shot(page, '10-gallery-sample.png');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('explains a real photo with the default model, EfficientNet-Lite0, and names its real class', async () => {
    const { page, errors, explainRequests } = await openViewer();
    await page.locator('#model option[value="efficientnet-lite0"]').waitFor({ state: 'attached' });
    expect(await page.inputValue('#model')).toBe('efficientnet-lite0');
    // The picker names both models for what they know.
    expect(await page.locator('#model option[value="efficientnet-lite0"]').textContent()).toMatch(/EfficientNet-Lite0 \(ImageNet/);
    expect(await page.locator(`#model option[value="${SCENES_MODEL_ID}"]`).textContent()).toMatch(/synthetic shapes/);
    await page.setInputFiles('#file', path.join(FIXTURES_DIR, 'images/chelsea.png'));
    await waitForExplanation(page);
    expect(new URL(explainRequests[0].url()).searchParams.get('model')).toBe('efficientnet-lite0');
    expect(await page.locator('#predictions li .label').first().textContent()).toBe('Egyptian cat');
    await shot(page, '11-real-photo.png');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('explains with the picked method, and again with another on the same image without a new upload', async () => {
    const { page, errors, explainRequests } = await openViewer();
    await page.locator('#model option[value="efficientnet-lite0"]').waitFor({ state: 'attached' });
    expect(await page.locator('#method option').count()).toBeGreaterThanOrEqual(8);
    await page.selectOption('#method', 'layer-cam');
    await page.setInputFiles('#file', path.join(FIXTURES_DIR, 'images/chelsea.png'));
    await waitForExplanation(page);
    expect(new URL(explainRequests[0].url()).searchParams.get('method')).toBe('layer-cam');
    await expect.poll(() => page.locator('#details').textContent()).toMatch(/^layer-cam on top_activation/);
    await page.selectOption('#method', 'eigen-cam');
    await expect.poll(() => explainRequests.length).toBe(2);
    expect(new URL(explainRequests[1].url()).searchParams.get('method')).toBe('eigen-cam');
    await expect.poll(() => page.locator('#details').textContent()).toMatch(/^eigen-cam on top_activation/);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('explains a sample photo with one click, with the ImageNet model even after a scene', async () => {
    const { page, errors, explainRequests } = await openViewer();
    await page.locator('#model option[value="efficientnet-lite0"]').waitFor({ state: 'attached' });
    await expect.poll(() => page.locator('#photos button').count()).toBe(4);
    await page.locator('#gallery button').first().click();
    await waitForExplanation(page);
    await page.locator('#photos button[aria-label="Explain sample photo: a cup of coffee"]').click();
    await expect.poll(() => explainRequests.length).toBe(2);
    await page.locator('#workspace:not([aria-busy])').waitFor();
    expect(explainRequests[1].headers()['content-type']).toBe('image/jpeg');
    expect(new URL(explainRequests[1].url()).searchParams.get('model')).toBe('efficientnet-lite0');
    await expect.poll(() => page.locator('#predictions li .label').first().textContent()).toBe('espresso');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('explains a dropped file and a pasted image', async () => {
    const { page, errors, explainRequests } = await openViewer();
    await page.locator(`#model option[value="${TINY_DARKNET_ID}"]`).waitFor({ state: 'attached' });
    const dog = readFileSync(DOG).toString('base64');
    for (const [n, gesture] of [[1, 'drop'], [2, 'paste']] as const) {
      await page.evaluate(
        ({ base64, gesture }) => {
          const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
          const transfer = new DataTransfer();
          transfer.items.add(new File([bytes], 'dog.jpg', { type: 'image/jpeg' }));
          const event =
            gesture === 'drop'
              ? new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true })
              : new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true });
          document.querySelector(gesture === 'drop' ? '#dropzone' : 'body')!.dispatchEvent(event);
        },
        { base64: dog, gesture },
      );
      await expect.poll(() => explainRequests.length).toBe(n);
      await waitForExplanation(page);
    }
    expect(explainRequests.every((r) => r.headers()['content-type'] === 'image/jpeg')).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('says so, on the page, when a shared explanation does not exist', async () => {
    const unknown = 'AAAAAAAAAAAAAAAAAAAAAA';
    const { page, errors } = await openViewer(`/e/${unknown}`);
    await page.locator('#error').waitFor({ state: 'visible' });
    const problem = (await (await page.request.get(`${server.origin}/v1/explanations/${unknown}`)).json()) as { title: string; detail: string };
    expect(await page.locator('#error-title').textContent()).toBe(problem.title);
    expect(await page.locator('#error-detail').textContent()).toBe(problem.detail);
    expect(await page.locator('#empty').isVisible()).toBe(true);

    await page.goto(`${server.origin}/embed/${unknown}`);
    await page.locator('#error').waitFor({ state: 'visible' });
    expect(await page.locator('#error').textContent()).toBe(`${problem.title}: ${problem.detail}`);
    expect(await page.locator('#caption').isHidden()).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('fits a phone-width screen', async () => {
    expect(shared.link, 'the upload test must pass first').not.toBe('');
    const { page, errors } = await openViewer(shared.link, { width: 390, height: 844 });
    await waitForExplanation(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const canvasBox = (await page.locator('#canvas').boundingBox())!;
    expect(canvasBox.width).toBeLessThanOrEqual(390);
    await shot(page, '11-phone.png', true);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(400); // the drop zone's colour transition
    await shot(page, '12-phone-dark.png');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
