/**
 * Turns train.py's export (spec + TF.js-named float32 weights) into the files the service loads:
 * `model.json` + `weights.bin` (TF.js LayersModel format) and `manifest.json` (worker/model/manifest.ts).
 * Before writing, it runs the TF.js model on train.py's reference images and compares its logits with
 * PyTorch's: the exported model must compute what was trained.
 *
 * Example: `await exportModel({ exportDir: 'artifacts/training/seed-1/export', outDir: 'models/compact-efficientnet' })`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { modelVersion, parseManifest, type ModelFile, type ModelManifest } from '../../worker/model/manifest';
import { SHAPE_CLASSES } from '../scenes/shapes';
import { SCENES_MODEL_ID } from './scenes-model';
import { GRADCAM_LAYER, buildEfficientNet, type EfficientNetSpec } from './efficientnet-tfjs';

export const MODEL_ID = SCENES_MODEL_ID;
const WEIGHTS_FILE = 'weights.bin';
/** Largest |TF.js − PyTorch| logit difference accepted: float32 reordering noise, not a layout error. */
export const PARITY_TOLERANCE = 1e-3;

export interface TorchExport {
  spec: EfficientNetSpec;
  weights: { name: string; shape: number[]; offset: number }[];
  preprocessing: { mean: [number, number, number]; std: [number, number, number] };
  reference: { count: number };
  log: Record<string, unknown>;
}

export interface ParityReport {
  images: number;
  maxAbsDiff: number;
  maxLogit: number;
  backend: string;
}

export async function readTorchExport(exportDir: string): Promise<{ meta: TorchExport; weights: Float32Array }> {
  const meta = JSON.parse(await readFile(path.join(exportDir, 'export.json'), 'utf8')) as TorchExport;
  const bytes = await readFile(path.join(exportDir, 'export.bin'));
  const weights = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { meta, weights };
}

/** The TF.js model with the exported weights; fails on any missing, extra or misshaped weight. */
export function buildExportedModel(meta: TorchExport, weights: Float32Array): tfl.LayersModel {
  const model = buildEfficientNet(meta.spec);
  const byName = new Map(meta.weights.map((w) => [w.name, w]));
  const used = new Set<string>();
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = layer.weights.map((variable) => {
      const entry = byName.get(variable.originalName);
      if (!entry) throw new Error(`export has no weight ${variable.originalName}`);
      if (entry.shape.join('x') !== variable.shape.join('x')) {
        throw new Error(`${entry.name}: export shape ${entry.shape} ≠ model shape ${variable.shape}`);
      }
      used.add(entry.name);
      const size = entry.shape.reduce((a, b) => a * b, 1);
      return tf.tensor(weights.subarray(entry.offset / 4, entry.offset / 4 + size), entry.shape);
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
  const unused = meta.weights.filter((w) => !used.has(w.name)).map((w) => w.name);
  if (unused.length > 0) throw new Error(`export weights the model does not have: ${unused.join(', ')}`);
  return model;
}

/** Pixels (uint8 NHWC) → the model's input, as the manifest's preprocessing says. */
export function preprocess(pixels: Uint8Array, count: number, size: number, p: TorchExport['preprocessing']): tf.Tensor4D {
  return tf.tidy(() => {
    const x = tf.cast(tf.tensor4d(pixels, [count, size, size, 3], 'int32'), 'float32');
    return tf.div(tf.sub(x, tf.tensor1d(p.mean)), tf.tensor1d(p.std)) as tf.Tensor4D;
  });
}

/** Compares the TF.js model's logits with PyTorch's on the export's reference images. */
export async function checkParity(model: tfl.LayersModel, exportDir: string, meta: TorchExport): Promise<ParityReport> {
  const size = meta.spec.inputSize;
  const n = meta.reference.count;
  const pixels = new Uint8Array(await readFile(path.join(exportDir, 'reference.u8')));
  const ref = await readFile(path.join(exportDir, 'reference.f32'));
  const expected = new Float32Array(ref.buffer.slice(ref.byteOffset, ref.byteOffset + ref.byteLength));
  const x = preprocess(pixels, n, size, meta.preprocessing);
  const logits = model.predict(x) as tf.Tensor;
  const actual = await logits.data();
  tf.dispose([x, logits]);
  let maxAbsDiff = 0;
  let maxLogit = 0;
  for (let i = 0; i < expected.length; i++) {
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(actual[i] - expected[i]));
    maxLogit = Math.max(maxLogit, Math.abs(expected[i]));
  }
  return { images: n, maxAbsDiff, maxLogit, backend: tf.getBackend() };
}

function fileEntry(file: string, bytes: Uint8Array): ModelFile {
  return { path: file, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

/** Serialises the model to LayersModel files (model.json + one weights file), in memory. */
export async function layersModelFiles(model: tfl.LayersModel): Promise<Map<string, Uint8Array>> {
  let files = new Map<string, Uint8Array>();
  await model.save({
    async save(artifacts) {
      const data = artifacts.weightData;
      const buffers = data === undefined ? [] : Array.isArray(data) ? data : [data];
      const weights = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
      let offset = 0;
      for (const b of buffers) {
        weights.set(new Uint8Array(b), offset);
        offset += b.byteLength;
      }
      const modelJson = {
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: 'models/training/export-tfjs.ts',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
      };
      files = new Map([
        ['model.json', new TextEncoder().encode(JSON.stringify(modelJson))],
        [WEIGHTS_FILE, weights],
      ]);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  return files;
}

export async function buildManifest(files: Map<string, Uint8Array>, meta: TorchExport): Promise<ModelManifest> {
  const entries = [...files].map(([file, bytes]) => fileEntry(file, bytes));
  return parseManifest({
    id: MODEL_ID,
    version: await modelVersion(entries),
    name: 'Compact EfficientNet (synthetic shapes)',
    description:
      'EfficientNet-B0 design scaled to width 0.35, depth 0.5, 128 px input, output stride 16; multi-label ' +
      `classifier of ${SHAPE_CLASSES.length} shape classes in synthetic scenes (models/scenes). ` +
      `Trained from seed ${String(meta.log.seed)} by \`npm run train\`.`,
    task: 'multi-label-classification',
    format: 'tfjs-layers',
    modelFile: 'model.json',
    input: { width: meta.spec.inputSize, height: meta.spec.inputSize },
    preprocessing: meta.preprocessing,
    output: { activation: 'sigmoid', labelOffset: 0 },
    labels: [...SHAPE_CLASSES],
    gradcamLayer: GRADCAM_LAYER,
    files: entries,
    source: 'models/training (npm run train)',
  });
}

export interface ExportOptions {
  exportDir: string;
  outDir: string;
}

/** Builds, checks and writes the model; throws if TF.js and PyTorch disagree beyond `PARITY_TOLERANCE`. */
export async function exportModel({ exportDir, outDir }: ExportOptions): Promise<{ manifest: ModelManifest; parity: ParityReport }> {
  const { meta, weights } = await readTorchExport(exportDir);
  const model = buildExportedModel(meta, weights);
  try {
    const parity = await checkParity(model, exportDir, meta);
    if (!(parity.maxAbsDiff <= PARITY_TOLERANCE)) {
      throw new Error(`TF.js and PyTorch logits differ by ${parity.maxAbsDiff} (tolerance ${PARITY_TOLERANCE})`);
    }
    const files = await layersModelFiles(model);
    const manifest = await buildManifest(files, meta);
    await mkdir(outDir, { recursive: true });
    for (const [file, bytes] of files) await writeFile(path.join(outDir, file), bytes);
    await writeFile(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return { manifest, parity };
  } finally {
    model.dispose();
  }
}
