/**
 * `npm run model:add -- <file-or-url-or-known-id> [options]`: imports an image classifier into
 * models/<id>/ (a TF.js model, its manifest and SHA-256s), after checking that it explains one image.
 * `npm start` then serves it like every other folder of models/.
 *
 *   npm run model:add -- mobilenet_v2_1.0_224_quant.tflite           # TF Lite: converted to a TF.js GraphModel
 *   npm run model:add -- path/to/model.json --labels classes.json     # TF.js LayersModel or GraphModel folder
 *   npm run model:add -- mediapipe-efficientnet-lite0                  # a known published model (see --list)
 *   npm run model:add -- https://example.org/m.tflite --sha256 <hex>   # any URL, checksum verified
 *
 * Options: --id, --labels <txt|json>, --layer <name>, --mean r,g,b, --std r,g,b, --activation
 * softmax|sigmoid|none, --size WxH, --name, --sha256, --force, --list, --models-dir <dir> (or the
 * MODELS_DIR environment variable; default models/).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { explainClasses } from '../worker/explain/explain-classes';
import { loadModel } from '../worker/model/load-model';
import { MODEL_ID, type ModelManifest } from '../worker/model/manifest';
import { toModelInput } from '../worker/model/preprocess';
import { initWasmBackend } from '../worker/runtime/wasm-node';
import { manifestForImport, parseLabels, type ImportedModel, type OutputActivation, type Preprocessing } from '../models/import/imported-model';
import { KNOWN_MODELS, knownModel } from '../models/import/known-models';
import { importTfjsModel, parseModelJson, weightPaths } from '../models/import/tfjs/import-tfjs';
import { importTflite } from '../models/import/tflite/import-tflite';
import { TFLITE_FILE_IDENTIFIER } from '../models/import/tflite/schema';
import { download, verifySha256 } from './download';
import { MODELS_DIR } from './model-folders';

export interface ModelAddIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

/** A mistake in the command line or the input; printed without a stack trace. */
export class ModelAddError extends Error {
  override name = 'ModelAddError';
}

const USAGE = `usage: npm run model:add -- <file.tflite | model.json folder | URL | known id> [--id ID] [--labels FILE]
       [--layer NAME] [--mean R,G,B] [--std R,G,B] [--activation softmax|sigmoid|none] [--size WxH]
       [--name TEXT] [--sha256 HEX] [--force] [--models-dir DIR]
       npm run model:add -- --list`;

const OPTIONS = {
  id: { type: 'string' },
  labels: { type: 'string' },
  layer: { type: 'string' },
  mean: { type: 'string' },
  std: { type: 'string' },
  activation: { type: 'string' },
  size: { type: 'string' },
  name: { type: 'string' },
  sha256: { type: 'string' },
  force: { type: 'boolean' },
  list: { type: 'boolean' },
  help: { type: 'boolean' },
  'models-dir': { type: 'string' },
} as const;

type Options = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

function triple(text: string, what: string): [number, number, number] {
  const values = text.split(',').map(Number);
  if (values.length !== 1 && values.length !== 3) throw new ModelAddError(`--${what} takes one number or three (R,G,B)`);
  if (values.some((v) => !Number.isFinite(v))) throw new ModelAddError(`--${what} "${text}" is not a number list`);
  return values.length === 1 ? [values[0], values[0], values[0]] : (values as [number, number, number]);
}

function preprocessingOption(values: Options): Preprocessing | undefined {
  if (values.mean === undefined && values.std === undefined) return undefined;
  if (values.mean === undefined || values.std === undefined) throw new ModelAddError('--mean and --std go together');
  const std = triple(values.std, 'std');
  if (std.some((s) => s <= 0)) throw new ModelAddError('--std must be positive');
  return { mean: triple(values.mean, 'mean'), std };
}

function sizeOption(text: string | undefined): [number, number] | undefined {
  if (!text) return undefined;
  const match = /^(\d+)x(\d+)$/i.exec(text);
  if (!match) throw new ModelAddError('--size takes WIDTHxHEIGHT, e.g. 224x224');
  return [Number(match[2]), Number(match[1])];
}

/** A model id from a file or URL name: "EfficientNet_Lite0.tflite" → "efficientnet_lite0". */
function idFrom(source: string): string {
  const base = path.basename(source.replace(/[?#].*$/, '').replace(/\/model\.json$/i, '').replace(/\/+$/, ''));
  return base.replace(/\.(tflite|json)$/i, '').toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 64) || 'model';
}

interface Source {
  kind: 'tflite' | 'tfjs';
  files: Map<string, Uint8Array>;
  /** Where it came from, for the manifest. */
  origin: string;
}

function isTflite(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 8 && String.fromCharCode(...bytes.subarray(4, 8)) === TFLITE_FILE_IDENTIFIER;
}

/** Weight paths come from the model.json: keep them inside its folder. */
function checkWeightPath(p: string): void {
  if (p.includes('..') || path.isAbsolute(p) || !/^[A-Za-z0-9._-][A-Za-z0-9._/-]*$/.test(p)) {
    throw new ModelAddError(`model.json names a weight file "${p}" outside its folder`);
  }
}

async function readSource(source: string, sha256: string | undefined, io: ModelAddIO): Promise<Source> {
  if (isUrl(source)) {
    const main = await download(source, { progress: io.stderr, sha256, label: path.basename(new URL(source).pathname) || source });
    if (isTflite(main) || !/\.json$/i.test(new URL(source).pathname)) return { kind: 'tflite', files: new Map([['model.tflite', main]]), origin: source };
    const files = new Map<string, Uint8Array>([['model.json', main]]);
    for (const p of weightPaths(parseModelJson(main))) {
      checkWeightPath(p);
      files.set(p, await download(new URL(p, source).href, { progress: io.stderr, label: p }));
    }
    return { kind: 'tfjs', files, origin: source };
  }
  if (!existsSync(source)) throw new ModelAddError(`${source}: no such file or folder (nor a known model id; see --list)`);
  const modelJsonPath = statSync(source).isDirectory() ? path.join(source, 'model.json') : source;
  if (statSync(source).isDirectory() || /\.json$/i.test(source)) {
    if (!existsSync(modelJsonPath)) throw new ModelAddError(`${source} has no model.json`);
    const json = new Uint8Array(readFileSync(modelJsonPath));
    if (sha256) verifySha256(json, sha256, modelJsonPath);
    const files = new Map<string, Uint8Array>([['model.json', json]]);
    for (const p of weightPaths(parseModelJson(json))) {
      checkWeightPath(p);
      const file = path.join(path.dirname(modelJsonPath), p);
      if (!existsSync(file)) throw new ModelAddError(`model.json names ${p}, which is not beside it`);
      files.set(p, new Uint8Array(readFileSync(file)));
    }
    return { kind: 'tfjs', files, origin: path.resolve(modelJsonPath) };
  }
  const bytes = new Uint8Array(readFileSync(source));
  if (sha256) verifySha256(bytes, sha256, source);
  return { kind: 'tflite', files: new Map([['model.tflite', bytes]]), origin: path.resolve(source) };
}

/** A smooth colour pattern standing in for a photo: enough to run the model end to end. */
function testPattern(width: number, height: number) {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 3 * (y * width + x);
      data[i] = (255 * x) / width;
      data[i + 1] = (255 * y) / height;
      data[i + 2] = 128 + 127 * Math.sin((x + y) / 16);
    }
  }
  return { width, height, data };
}

interface Check {
  layer: ModelManifest['gradcamLayer'];
  shape: [number, number, number];
  milliseconds: number;
  topLabel: string;
}

/** Loads the model as the worker will and explains the test pattern once. */
async function checkExplains(manifest: ModelManifest, files: Map<string, Uint8Array>): Promise<Check> {
  await initWasmBackend();
  const model = await loadModel(manifest, files);
  try {
    const input = toModelInput(testPattern(manifest.input.width, manifest.input.height), manifest);
    const started = performance.now();
    let result;
    try {
      result = explainClasses(model.exposed, input, { targets: { top: 1 }, activation: manifest.output.activation, ignoredOutputs: manifest.output.labelOffset });
    } finally {
      input.dispose();
    }
    const [map] = result.explanations;
    if (!map || !map.values.every(Number.isFinite)) throw new ModelAddError('the test explanation produced no finite map');
    return {
      layer: model.exposed.layer.name,
      shape: model.exposed.layer.shape,
      milliseconds: performance.now() - started,
      topLabel: manifest.labels[map.index - manifest.output.labelOffset] ?? `output ${map.index}`,
    };
  } finally {
    model.dispose();
  }
}

/** Writes the folder under a temporary name and renames it into place, so models/ never holds half a model. */
function writeModelFolder(modelsDir: string, manifest: ModelManifest, files: Map<string, Uint8Array>, force: boolean): string {
  const target = path.join(modelsDir, manifest.id);
  if (existsSync(target) && !force) throw new ModelAddError(`${target} already exists (add --force to replace it)`);
  mkdirSync(modelsDir, { recursive: true });
  const staging = mkdtempSync(path.join(modelsDir, `.${manifest.id}.partial-`));
  try {
    for (const [p, bytes] of files) {
      mkdirSync(path.dirname(path.join(staging, p)), { recursive: true });
      writeFileSync(path.join(staging, p), bytes);
    }
    writeFileSync(path.join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    chmodSync(staging, 0o755);
    if (existsSync(target)) {
      const old = `${staging}.old`;
      renameSync(target, old);
      renameSync(staging, target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(staging, target);
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return target;
}

function listKnownModels(io: ModelAddIO): void {
  io.stdout.write('Known published models (npm run model:add -- <id>):\n\n');
  const width = Math.max(...KNOWN_MODELS.map((m) => m.id.length)) + 2;
  for (const m of KNOWN_MODELS) {
    io.stdout.write(`  ${m.id.padEnd(width)}${m.name}\n`);
    io.stdout.write(`  ${''.padEnd(width)}${m.url}\n`);
    io.stdout.write(`  ${''.padEnd(width)}SHA-256 ${m.sha256 ?? 'not published (not verified)'}; ${m.source}; ${m.license}\n\n`);
  }
}

function describeFiles(files: Map<string, Uint8Array>): string {
  const bytes = [...files.values()].reduce((n, f) => n + f.byteLength, 0);
  return `${files.size} files, ${(bytes / 1e6).toFixed(1)} MB`;
}

interface Provenance {
  labels: string;
  preprocessing: string;
}

function report(io: ModelAddIO, manifest: ModelManifest, imported: ImportedModel, dir: string, check: Check, from: Provenance): void {
  const { mean, std } = manifest.preprocessing;
  const out = (label: string, text: string) => io.stdout.write(`  ${label.padEnd(12)}${text}\n`);
  io.stdout.write(`Added ${manifest.id} (${manifest.format}) in ${dir}\n`);
  out('input', `${manifest.input.width}×${manifest.input.height} RGB, x = (pixel − [${mean.join(', ')}]) / [${std.join(', ')}], ${from.preprocessing}`);
  const skipped = manifest.output.labelOffset ? ` (+${manifest.output.labelOffset} leading output skipped)` : '';
  out('classes', `${manifest.labels.length}${skipped}, labels ${from.labels}`);
  out('output', `${manifest.output.name ? `${manifest.output.name}, ` : ''}scores = ${manifest.output.activation}(logits)`);
  out('Grad-CAM', `${check.layer}, ${check.shape[0]}×${check.shape[1]}×${check.shape[2]} (${manifest.gradcamLayer === 'auto' ? 'found automatically' : 'as given'})`);
  out('files', `${describeFiles(imported.files)} + manifest.json`);
  out('check', `explained a test pattern in ${check.milliseconds.toFixed(0)} ms (top class "${check.topLabel}")`);
  for (const note of imported.notes) out('note', note);
}

/** Runs the command; returns the exit code. Errors are printed, not thrown. */
export async function modelAdd(argv: readonly string[], io: ModelAddIO = process): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true });
    if (values.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (values.list) {
      listKnownModels(io);
      return 0;
    }
    if (positionals.length !== 1) throw new ModelAddError(USAGE);
    const modelsDir = path.resolve(values['models-dir'] ?? process.env.MODELS_DIR ?? MODELS_DIR);
    const known = knownModel(positionals[0]);
    const sourceName = known?.url ?? positionals[0];
    const id = values.id ?? known?.id ?? idFrom(sourceName);
    if (!MODEL_ID.test(id)) throw new ModelAddError(`"${id}" cannot be a model id: use lower-case letters, digits, ".", "_" and "-" (--id)`);
    if (existsSync(path.join(modelsDir, id)) && !values.force) throw new ModelAddError(`${path.join(modelsDir, id)} already exists (add --force to replace it)`);
    const activation = values.activation as OutputActivation | undefined;
    if (activation && !['softmax', 'sigmoid', 'none'].includes(activation)) throw new ModelAddError('--activation is softmax, sigmoid or none');
    const preprocessing = preprocessingOption(values);
    const labels = values.labels ? parseLabels(readFileSync(values.labels, 'utf8')) : undefined;

    const source = await readSource(sourceName, values.sha256 ?? known?.sha256, io);
    let imported: ImportedModel;
    if (source.kind === 'tflite') {
      imported = await importTflite(source.files.get('model.tflite')!, { generatedBy: `TF Lite file ${path.basename(source.origin)}` });
    } else {
      await initWasmBackend();
      imported = await importTfjsModel(source.files, { inputSize: sizeOption(values.size) });
    }
    if (!preprocessing && !imported.preprocessing) {
      imported.preprocessing = { mean: [0, 0, 0], std: [255, 255, 255] };
      imported.preprocessingSource = 'an assumption, pixel / 255: the model does not say (give --mean and --std)';
    }
    const manifest = await manifestForImport(imported, {
      id,
      labels,
      layer: values.layer,
      preprocessing,
      activation,
      name: values.name ?? known?.name,
      source: known ? `${known.url} (${known.source})` : source.origin,
      license: known?.license,
    });
    const check = await checkExplains(manifest, imported.files);
    const dir = writeModelFolder(modelsDir, manifest, imported.files, values.force ?? false);
    report(io, manifest, imported, dir, check, {
      labels: labels ? `from ${values.labels}` : imported.labels ? "from the model's metadata" : 'numbered (give --labels)',
      preprocessing: preprocessing ? 'as given' : `from ${imported.preprocessingSource}`,
    });
    return 0;
  } catch (error) {
    io.stderr.write(`model:add: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await modelAdd(process.argv.slice(2));
}
