/**
 * Private mode end to end: `wrangler dev` with the real models, the viewer in headless Chromium. Every
 * request of the browser context (the page and its workers) is watched: explaining on the device sends
 * nothing about the image, and the map it computes equals the worker's for the same file. The viewer is
 * cross-origin isolated, so TF.js runs threaded; the threaded and SIMD-only timings of this run are
 * printed (never asserted: the machine may be busy). Screenshots go to artifacts/viewer/private-*.png.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestForImport } from '../../models/import/imported-model';
import { importTflite } from '../../models/import/tflite/import-tflite';
import { EMBED_CSP, VIEWER_CSP } from '../../worker/http/routes/pages';
import type { ExplanationDocument } from '../../worker/service/explanation-document';
import { collectPageErrors, launchChromium, serveHtml } from '../support/browser';
import { FIXTURES_DIR, startDevServer, type DevServer } from '../support/dev-server';
import { TINY_DARKNET_ID } from '../support/model-manifests';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../artifacts/viewer');
const CHELSEA = path.join(FIXTURES_DIR, 'images/chelsea.png');
const MOBILENET_FILE = path.join(FIXTURES_DIR, 'models/mobilenet_v2_1.0_224_quant/mobilenet_v2_1.0_224_quant.tflite');
const MOBILENET_ID = 'mobilenet-v2-quant';
/** The default model (models/efficientnet-lite0, converted by models/import/efficientnet-lite). */
const DEFAULT_MODEL_MANIFEST = path.resolve(import.meta.dirname, '../../models/efficientnet-lite0/manifest.json');
const TOPK = 3;
/** Maps may differ by float rounding only: threads and SIMD sum in other orders than the worker. */
const MAP_TOLERANCE = 1e-3;
/** Runs per backend for the timings: the first one warms up (XNNPack packs the weights). */
const TIMED_RUNS = 6;

let server: DevServer;
let browser: Browser;
const chelsea = existsSync(CHELSEA) ? new Uint8Array(readFileSync(CHELSEA)) : undefined;

interface Watched {
  context: BrowserContext;
  page: Page;
  requests: Request[];
  errors: string[];
}

/** A fresh context whose every request (page and workers) is recorded. */
async function openViewer(query: string): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
  const requests: Request[] = [];
  context.on('request', (request) => requests.push(request));
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(`${server.origin}/${query}`);
  return { context, page, requests, errors };
}

interface DeviceRun {
  build: string;
  threads: number;
  modelMs: number;
  loadMs: number;
}

/** Chooses the file and waits for the device's result; the note's data attributes carry the numbers. */
async function explainOnDevice(page: Page, file: string, model: string): Promise<DeviceRun> {
  await page.locator(`#model option[value="${model}"]`).waitFor({ state: 'attached' });
  await page.selectOption('#model', model);
  await page.fill('#topk', String(TOPK));
  await page.locator('#device-note').evaluate((note: HTMLElement) => delete note.dataset.modelMs);
  await page.setInputFiles('#file', file);
  await Promise.race([
    page.locator('#device-note[data-model-ms]').waitFor({ state: 'visible', timeout: 120_000 }),
    page.locator('#error').waitFor({ state: 'visible', timeout: 120_000 }),
  ]);
  expect(await page.locator('#error').isHidden(), (await page.locator('#error').textContent()) ?? '').toBe(true);
  const data = await page.locator('#device-note').evaluate((note: HTMLElement) => ({ ...note.dataset }));
  return { build: data.build!, threads: Number(data.threads), modelMs: Number(data.modelMs), loadMs: Number(data.loadMs) };
}

/** The document the page shows, through its "JSON" download. */
async function shownDocument(page: Page): Promise<ExplanationDocument & { id?: string; storage?: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
  return JSON.parse(readFileSync((await download.path())!, 'utf8')) as ExplanationDocument;
}

/** The worker's explanation of the same file (stored nowhere). */
async function workerDocument(model: string): Promise<ExplanationDocument> {
  const response = await fetch(`${server.origin}/v1/explain?model=${model}&topk=${TOPK}&store=false`, {
    method: 'POST',
    headers: { 'content-type': 'image/png' },
    body: chelsea!,
  });
  expect(response.status).toBe(200);
  return (await response.json()) as ExplanationDocument;
}

function rawMap(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

/** max |device − worker| over the worker map's range, per explained class. */
function normalisedMapDifferences(device: ExplanationDocument, worker: ExplanationDocument): number[] {
  return worker.explanations.map((expected, i) => {
    const a = rawMap(device.explanations[i].map.raw);
    const b = rawMap(expected.map.raw);
    expect(a.length).toBe(b.length);
    const range = expected.map.max - expected.map.min || 1;
    let worst = 0;
    for (let j = 0; j < b.length; j++) worst = Math.max(worst, Math.abs(a[j] - b[j]) / range);
    return worst;
  });
}

/**
 * GET and HEAD requests cannot carry a body. Checked by method because a body made of a Blob (a File
 * in FormData, an XHR of a File) is not visible to the test through `postDataBuffer()`.
 */
function bodiless(request: Request): boolean {
  return request.method() === 'GET' || request.method() === 'HEAD';
}

function contains(haystack: Buffer, needle: Buffer): boolean {
  return haystack.indexOf(needle) !== -1;
}

/**
 * Whether a request carries the image: its bytes (any 64-byte slice taken at three places), or their
 * base64, in the body or the URL.
 */
function carriesImage(request: Request, image: Uint8Array): boolean {
  const slices = [0.25, 0.5, 0.75].map((at) => Buffer.from(image.subarray(Math.floor(image.length * at), Math.floor(image.length * at) + 64)));
  const body = request.postDataBuffer() ?? Buffer.alloc(0);
  return slices.some((slice) => contains(body, slice) || contains(body, Buffer.from(slice.toString('base64').slice(4, 60))) || request.url().includes(slice.toString('base64').slice(4, 60)));
}

/** Explains chelsea.png on the device with `model` and checks privacy and the map against the worker's. */
async function checkModel(model: string, shotName: string): Promise<void> {
  const { context, page, requests, errors } = await openViewer('?compute=device');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const run = await explainOnDevice(page, CHELSEA, model);
  const device = await shownDocument(page);

  // Nothing about the image left the page: every request is a GET (no body), and no URL holds the image.
  expect(requests.filter((r) => new URL(r.url()).pathname === '/v1/explain')).toEqual([]);
  expect(requests.filter((r) => !bodiless(r)).map((r) => `${r.method()} ${r.url()}`)).toEqual([]);
  expect(requests.filter((r) => carriesImage(r, chelsea!)).map((r) => r.url())).toEqual([]);
  // The model came from the worker, file by file.
  expect(requests.some((r) => r.url().includes(`/v1/models/${model}/files/`))).toBe(true);
  expect(await page.locator('#device-note').textContent()).toContain('Nothing about the image was sent');
  expect(await page.locator('#share-device').isVisible()).toBe(true);
  expect(await page.locator('#share').isHidden()).toBe(true);

  const worker = await workerDocument(model);
  expect(device.computedOn).toBe('device');
  expect(device.storage).toBe('off');
  expect(device.id).toBeUndefined();
  expect(device.image).toEqual(worker.image);
  expect(device.model).toEqual(worker.model);
  expect(device.layer).toEqual(worker.layer);
  expect(device.predictions.map((p) => p.index)).toEqual(worker.predictions.map((p) => p.index));
  for (const [i, p] of device.predictions.entries()) expect(p.score).toBeCloseTo(worker.predictions[i].score, 4);
  expect(device.explanations.map((e) => e.index)).toEqual(worker.explanations.map((e) => e.index));
  const differences = normalisedMapDifferences(device, worker);
  console.log(`${model}: ${run.build} × ${run.threads}, normalised map differences to the worker's: ${differences.map((d) => d.toExponential(1)).join(', ')}`);
  for (const difference of differences) expect(difference).toBeLessThanOrEqual(MAP_TOLERANCE);

  await page.screenshot({ path: path.join(ARTIFACTS, shotName), fullPage: true });
  expect(errors).toEqual([]);
  await context.close();
}

const missing = [CHELSEA].filter((file) => !existsSync(file));
if (missing.length > 0) console.warn(`private mode e2e tests skipped: missing ${missing.join(', ')} (../shared/fixtures)`);

beforeAll(async () => {
  if (missing.length > 0) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  const extraModels = [];
  if (existsSync(MOBILENET_FILE)) {
    const imported = await importTflite(new Uint8Array(readFileSync(MOBILENET_FILE)));
    extraModels.push({ dir: path.dirname(MOBILENET_FILE), manifest: await manifestForImport(imported, { id: MOBILENET_ID }), files: imported.files });
  }
  server = await startDevServer({ extraModels });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe.skipIf(missing.length > 0).sequential('private mode', () => {
  it('serves the viewer cross-origin isolated, the embed page frameable by any site, and the worker and model files with their policies', async () => {
    const viewer = await fetch(`${server.origin}/`);
    expect(viewer.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(viewer.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(viewer.headers.get('content-security-policy')).toBe(VIEWER_CSP);
    const embed = await fetch(`${server.origin}/embed/AAAAAAAAAAAAAAAAAAAAAA`);
    expect(embed.headers.get('cross-origin-opener-policy')).toBeNull();
    expect(embed.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(embed.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(embed.headers.get('content-security-policy')).toBe(EMBED_CSP);

    // The worker script gets its own policy (WebAssembly, blob: threads), replacing the page's.
    const worker = await fetch(`${server.origin}/private-worker.js`);
    expect(worker.headers.get('content-security-policy')).toMatch(/^default-src 'none'; script-src 'self' 'wasm-unsafe-eval' blob:/);
    expect(worker.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const wasm = await fetch(`${server.origin}/tfjs/tfjs-backend-wasm-threaded-simd.wasm`);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(wasm.headers.get('cross-origin-resource-policy')).toBe('same-origin');

    const manifest = (await (await fetch(`${server.origin}/v1/models/${TINY_DARKNET_ID}`)).json()) as { version: string; files: { path: string; sha256: string }[] };
    const file = await fetch(`${server.origin}/v1/models/${TINY_DARKNET_ID}/files/${manifest.version}/${manifest.files[0].path}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(file.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(file.headers.get('etag')).toBe(`"${manifest.files[0].sha256}"`);
    await file.arrayBuffer();
  });

  it('explains chelsea.png with Tiny Darknet (a LayersModel) on the device: nothing about the image sent, the map equals the worker’s', async () => {
    await checkModel(TINY_DARKNET_ID, 'private-01-tiny-darknet.png');
  });

  it.skipIf(!existsSync(MOBILENET_FILE))('explains chelsea.png with the imported MobileNetV2 (TF Lite → GraphModel) the same way', async () => {
    await checkModel(MOBILENET_ID, 'private-02-mobilenet.png');
  });

  it.skipIf(!existsSync(DEFAULT_MODEL_MANIFEST))('explains chelsea.png with the default model the same way', async () => {
    const models = (await (await fetch(`${server.origin}/v1/models`)).json()) as { default: string };
    await checkModel(models.default, 'private-03-default-model.png');
  });

  it('runs threaded where the page is isolated; times threads against SIMD alone in this run', async () => {
    const timings: Record<string, DeviceRun[]> = {};
    for (const [name, query] of [['threads', '?compute=device'], ['simd', '?compute=device&threads=off']] as const) {
      const { context, page, errors } = await openViewer(query);
      timings[name] = [];
      for (let i = 0; i < TIMED_RUNS; i++) timings[name].push(await explainOnDevice(page, CHELSEA, TINY_DARKNET_ID));
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      const [first] = timings[name];
      if (name === 'threads') {
        expect(first.build).toBe('threaded-simd');
        if (cores > 1) expect(first.threads).toBeGreaterThan(1);
        expect(await page.locator('#device-note').textContent()).toContain(`with ${first.threads} threads`);
      } else {
        expect(first).toMatchObject({ build: 'simd', threads: 1 });
      }
      expect(errors).toEqual([]);
      await context.close();
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    for (const [name, runs] of Object.entries(timings)) {
      const steady = runs.slice(1).map((r) => r.modelMs);
      console.log(
        `Tiny Darknet on chelsea.png, ${name === 'threads' ? `threaded SIMD × ${runs[0].threads}` : 'SIMD, one thread'}: ` +
          `first run ${runs[0].modelMs.toFixed(0)} ms (model download and load ${runs[0].loadMs.toFixed(0)} ms), ` +
          `then median ${median(steady).toFixed(0)} ms (${steady.map((ms) => ms.toFixed(0)).join(', ')})`,
      );
    }
  });

  it('shares a private result only when asked: one upload of the result and a preview, never the image', async () => {
    const { context, page, requests, errors } = await openViewer('?compute=device');
    await explainOnDevice(page, CHELSEA, TINY_DARKNET_ID);
    const device = await shownDocument(page);
    expect(requests.filter((r) => !bodiless(r))).toEqual([]);

    // The PNG download works as for any explanation.
    const [png] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    expect([...readFileSync((await png.path())!).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);

    const [share] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/explanations' && r.request().method() === 'POST'),
      page.click('#share-upload'),
    ]);
    expect(share.status()).toBe(201);
    const { id, links } = (await share.json()) as { id: string; links: { self: string; page: string } };
    await page.locator('#share').waitFor({ state: 'visible' });
    expect(new URL(page.url()).pathname).toBe(`/e/${id}`);
    expect(await page.locator('#device-note').textContent()).toContain('You shared the result and a 512 px preview; the image itself was not sent.');
    const posts = requests.filter((r) => !bodiless(r));
    expect(posts.map((r) => `${r.method()} ${new URL(r.url()).pathname}`)).toEqual(['POST /v1/explanations']);
    // A JSON body (visible to the test): the document as computed and a preview, nothing else.
    const body = JSON.parse(posts[0].postData()!) as { document: ExplanationDocument; preview: string };
    expect(Object.keys(body).sort()).toEqual(['document', 'preview']);
    expect(body.document.explanations).toEqual(device.explanations);
    expect(carriesImage(posts[0], chelsea!)).toBe(false);

    // Stored as computed, marked as the device's, with a preview in place of the image's hash.
    const stored = (await (await fetch(links.self)).json()) as ExplanationDocument;
    expect(stored.computedOn).toBe('device');
    expect(stored.explanations).toEqual(device.explanations);
    expect(stored.predictions).toEqual(device.predictions);
    expect(stored.image.sha256).not.toBe(device.image.sha256);
    const preview = await fetch(`${links.self}/image`);
    expect(preview.headers.get('content-type')).toBe('image/jpeg');
    expect(stored.image.sha256).toBe(Buffer.from(await crypto.subtle.digest('SHA-256', await preview.arrayBuffer())).toString('hex'));
    await page.locator('#share').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, 'private-04-shared.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();

    // The link opens like any shared explanation, and says where it was computed.
    const opened = await openViewer(`e/${id}`);
    await opened.page.locator('#result').waitFor({ state: 'visible', timeout: 60_000 });
    await expect.poll(() => opened.page.locator('#details').textContent()).toContain('computed on a device');
    expect(opened.errors).toEqual([]);
    await opened.context.close();

    // Its embed page works in a cross-origin-isolated site too (COEP require-corp frames only CORP'd documents).
    const isolated = await serveHtml(() => `<!doctype html><title>Isolated docs</title><iframe src="${server.origin}/embed/${id}" style="width: 640px; height: 480px"></iframe>`, {
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    try {
      const host = await openViewer('');
      await host.page.goto(isolated.origin);
      expect(await host.page.evaluate(() => crossOriginIsolated)).toBe(true);
      await expect.poll(() => host.page.frames().find((f) => f.url().includes('/embed/'))).toBeDefined();
      const embed = host.page.frames().find((f) => f.url().includes('/embed/'))!;
      await embed.locator('#frame:not([aria-busy])').waitFor({ timeout: 60_000 });
      expect(await embed.locator('#error').isHidden()).toBe(true);
      expect(await embed.locator('#label').textContent()).toContain(device.explanations[0].label);
      await host.page.screenshot({ path: path.join(ARTIFACTS, 'private-05-embed-in-isolated-site.png') });
      expect(host.errors).toEqual([]);
      await host.context.close();
    } finally {
      await isolated.close();
    }
  });
});
