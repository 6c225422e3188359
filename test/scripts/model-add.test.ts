/**
 * `npm run model:add` against temporary models folders: real fixture models from files, a folder and a
 * loopback HTTP server (download, progress, checksums), and the refusals that must leave the folder as it
 * was. The command runs in-process (same code path as the CLI) except for one spawned `npm run`.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { modelAdd } from '../../scripts/model-add';
import { readModelFolder, readModelFolders } from '../../scripts/model-folders';
import { buildTflite } from '../support/tflite-builder';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURES = path.resolve(ROOT, '../shared/fixtures/models');
const MOBILENET = path.join(FIXTURES, 'mobilenet_v2_1.0_224_quant/mobilenet_v2_1.0_224_quant.tflite');
const MOBILENET_SHA256 = '7aad0c74c5e3c06e5eb3c827e13304fdd68a83da6087d92ee169c24ff9fd4776';
const DARKNET = path.join(FIXTURES, 'tiny_darknet');
const present = existsSync(MOBILENET) && existsSync(DARKNET);
if (!present) console.warn(`skipping the model:add tests on real models: ${FIXTURES} is absent`);

let modelsDir: string;
let scratch: string;

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await modelAdd([...args, '--models-dir', modelsDir], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
  });
  return { code, stdout, stderr };
}

/** Every path under the models folder (hidden staging folders included), for "left unchanged" checks. */
function listing(dir = modelsDir): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: false }).map(String).sort();
}

beforeEach(() => {
  modelsDir = mkdtempSync(path.join(tmpdir(), 'model-add-models-'));
  scratch = mkdtempSync(path.join(tmpdir(), 'model-add-files-'));
  return () => {
    rmSync(modelsDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  };
});

describe.skipIf(!present)('model:add with real models', () => {
  it('adds the Tiny Darknet LayersModel folder, finds its layer and explains an image', async () => {
    const { code, stdout, stderr } = await run(DARKNET, '--id', 'darknet', '--labels', path.join(DARKNET, 'imagenet_classes_darknet.json'), '--activation', 'softmax');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('Added darknet (tfjs-layers)');
    expect(stdout).toMatch(/input\s+224×224 RGB/);
    expect(stdout).toMatch(/classes\s+1000, labels from .*imagenet_classes_darknet\.json/);
    expect(stdout).toMatch(/Grad-CAM\s+conv2d_16, 14×14×1000 \(found automatically\)/);
    expect(stdout).toMatch(/check\s+explained a test pattern in \d+ ms/);
    // The folder reads back with every file matching its manifest checksum.
    const folder = readModelFolder(path.join(modelsDir, 'darknet'));
    expect(folder.manifest).toMatchObject({ id: 'darknet', format: 'tfjs-layers', gradcamLayer: 'auto', output: { activation: 'softmax', labelOffset: 0 } });
    expect(folder.manifest.labels[7]).toBe('Egyptian cat');
    expect(folder.files.size).toBe(32);
  });

  it('imports the uint8 MobileNetV2 .tflite, then adds the GraphModel folder it wrote like any other', async () => {
    const first = await run(MOBILENET, '--sha256', MOBILENET_SHA256);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Added mobilenet_v2_1.0_224_quant (tfjs-graph)');
    expect(first.stdout).toMatch(/x = \(pixel − \[128, 128, 128\]\) \/ \[128, 128, 128\], from the uint8 input's quantisation/);
    expect(first.stdout).toMatch(/classes\s+1000 \(\+1 leading output skipped\), labels from the model's metadata/);
    expect(first.stdout).toMatch(/Grad-CAM\s+MobilenetV2\/Conv_1\/Relu6, 7×7×1280 \(found automatically\)/);
    const written = path.join(modelsDir, 'mobilenet_v2_1.0_224_quant');
    expect(readModelFolder(written).manifest.format).toBe('tfjs-graph');

    const second = await run(written, '--id', 'mobilenet-graph', '--labels', path.join(FIXTURES, 'mobilenet_v2_1.0_224_quant/imagenet_labels.txt'), '--mean', '128', '--std', '128');
    expect(second.stderr).toBe('');
    expect(second.stdout).toContain('Added mobilenet-graph (tfjs-graph)');
    expect(second.stdout).toMatch(/Grad-CAM\s+MobilenetV2\/Conv_1\/Relu6, 7×7×1280/);
    expect(second.stdout).toMatch(/output\s+MobilenetV2\/Predictions\/Softmax, scores = softmax/);
    expect(readModelFolder(path.join(modelsDir, 'mobilenet-graph')).manifest.output.labelOffset).toBe(1);

    // `npm start` seeds what readModelFolders finds: both models, never a staging copy left by a crash.
    const staging = path.join(modelsDir, '.stale.partial-x');
    mkdirSync(staging);
    copyFileSync(path.join(written, 'manifest.json'), path.join(staging, 'manifest.json'));
    expect(readModelFolders(modelsDir).map((f) => f.manifest.id).sort()).toEqual(['mobilenet-graph', 'mobilenet_v2_1.0_224_quant']);
  });

  it('refuses a corrupt file and an id that exists, leaving the models folder as it was', async () => {
    expect((await run(MOBILENET, '--id', 'kept')).code).toBe(0);
    const before = listing();
    const truncated = path.join(scratch, 'truncated.tflite');
    writeFileSync(truncated, readFileSync(MOBILENET).subarray(0, 200_000));
    const corrupt = await run(truncated);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/^model:add: not a valid TF Lite model: .* lies outside the file/);
    const exists = await run(MOBILENET, '--id', 'kept');
    expect(exists.code).toBe(1);
    expect(exists.stderr).toMatch(/kept already exists \(add --force to replace it\)/);
    expect(listing()).toEqual(before);
  });
});

describe('model:add refusals', () => {
  it('names an unsupported operator and writes nothing', async () => {
    const file = path.join(scratch, 'resize.tflite');
    writeFileSync(file, buildTflite({
      tensors: [{ name: 'input', shape: [1, 2, 2, 3] }, { name: 'resized', shape: [1, 4, 4, 3] }],
      inputs: [0],
      outputs: [1],
      operators: [{ op: 23, inputs: [0], outputs: [1] }],
    }));
    const { code, stderr } = await run(file);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^model:add: unsupported TF Lite operator: RESIZE_BILINEAR/);
    expect(listing()).toEqual([]);
  });

  it('refuses a file that is no model at all', async () => {
    const file = path.join(scratch, 'notes.tflite');
    writeFileSync(file, 'these are not weights');
    const { code, stderr } = await run(file);
    expect(code).toBe(1);
    expect(stderr).toMatch(/not a valid TF Lite model: the file identifier is not "TFL3"/);
    expect(listing()).toEqual([]);
  });

  it('lists the known published models with their sources', async () => {
    const { code, stdout } = await run('--list');
    expect(code).toBe(0);
    expect(stdout).toMatch(/mediapipe-efficientnet-lite0\s+EfficientNet-Lite0, ImageNet, 224×224, float32/);
    expect(stdout).toContain('https://storage.googleapis.com/mediapipe-models/image_classifier/efficientnet_lite0/float32/1/efficientnet_lite0.tflite');
    expect(stdout).toContain('SHA-256 6c7ab0a6e5dcbf38a8c33b960996a55a3b4300b36a018c4545801de3a3c8bde0');
    expect(stdout).toMatch(/mediapipe-efficientnet-lite0-int8\s+EfficientNet-Lite0, ImageNet, 224×224, int8/);
    expect(stdout).toContain('efficientnet_lite0/int8/1/efficientnet_lite0.tflite');
  });

  it('is wired as `npm run model:add`', () => {
    const out = execFileSync('npm', ['run', '-s', 'model:add', '--', '--list'], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toContain('mediapipe-efficientnet-lite0');
  });
});

describe.skipIf(!present)('model:add from a URL (loopback HTTP server)', () => {
  let server: Server;
  let base: string;
  const requests: string[] = [];

  beforeAll(async () => {
    const body = readFileSync(MOBILENET);
    server = createServer((request, response) => {
      requests.push(request.url ?? '');
      if (request.url === '/models/mobilenet.tflite') {
        response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
        // In pieces, as a real download arrives.
        for (let at = 0; at < body.length; at += 256 * 1024) response.write(body.subarray(at, at + 256 * 1024));
        response.end();
      } else {
        response.writeHead(404).end('not here');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('downloads with a progress bar, verifies the checksum and adds the model', async () => {
    const { code, stdout, stderr } = await run(`${base}/models/mobilenet.tflite`, '--sha256', MOBILENET_SHA256);
    expect(code).toBe(0);
    expect(stderr).toMatch(/mobilenet\.tflite \[#+·*\]\s+\d+%/);
    expect(stderr).toMatch(/\[#{30}\] 100%  3\.6 MB\/3\.6 MB\n$/);
    expect(stdout).toContain('Added mobilenet (tfjs-graph)');
    expect(readModelFolder(path.join(modelsDir, 'mobilenet')).manifest.source).toBe(`${base}/models/mobilenet.tflite`);
  });

  it('refuses a download whose checksum does not match, writing nothing', async () => {
    const wrong = 'f'.repeat(64);
    const { code, stderr } = await run(`${base}/models/mobilenet.tflite`, '--sha256', wrong);
    expect(code).toBe(1);
    expect(stderr).toContain(`model:add: checksum mismatch for mobilenet.tflite: expected SHA-256 ${wrong}, got ${MOBILENET_SHA256}`);
    expect(listing()).toEqual([]);
  });

  it('says what went wrong when the server answers with an error', async () => {
    const { code, stderr } = await run(`${base}/models/missing.tflite`);
    expect(code).toBe(1);
    expect(stderr).toContain('HTTP 404');
    expect(listing()).toEqual([]);
  });

  it('explains how to add a model by hand when the network cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { code, stderr } = await run(`http://127.0.0.1:${port}/efficientnet_lite0.tflite`);
    expect(code).toBe(1);
    expect(stderr).toMatch(/could not download .* \(ECONNREFUSED\)\. This machine may have no internet access/);
    expect(stderr).toContain('README.md');
    expect(listing()).toEqual([]);
  });
});
