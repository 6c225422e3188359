/**
 * The models the benchmark runs, each written as a model folder (manifest.json + files) into a
 * temporary directory, which is how the cold-start child processes and the KV seeding read them:
 * - the embedded default model (wrangler.toml's DEFAULT_MODEL, from models/) and the scenes model;
 * - the real models of ../shared/fixtures, when they are there: Tiny Darknet (a LayersModel) and
 *   MobileNetV2 (TF Lite, imported as a GraphModel: only the plain path applies to it);
 * - an EfficientNet-B0-sized model with random weights (bench/efficientnet-b0.ts), always.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { manifestForImport } from '../models/import/imported-model';
import { importTflite } from '../models/import/tflite/import-tflite';
import { SCENES_MODEL_ID } from '../models/training/scenes-model';
import { readModelFolders, type ModelFolder } from '../scripts/model-folders';
import { manifestFor, tinyDarknetFrom } from '../test/support/model-manifests';
import type { ModelManifest } from '../worker/model/manifest';
import { B0_GRADCAM_LAYER, B0_ID, buildEfficientNetB0 } from './efficientnet-b0';

export const REPO_DIR = path.resolve(import.meta.dirname, '..');
export const FIXTURES_DIR = path.resolve(REPO_DIR, '../shared/fixtures');

export interface BenchModel extends ModelFolder {
  role: 'default model' | 'scenes model' | 'fixture' | 'B0-sized';
}

export interface BenchModels {
  models: BenchModel[];
  /** Models that could not be included, and why. */
  skipped: string[];
}

/** wrangler.toml's value for a top-level or [vars] key (a plain string). */
export function wranglerValue(key: string): string | undefined {
  const toml = readFileSync(path.join(REPO_DIR, 'wrangler.toml'), 'utf8');
  return new RegExp(`^${key}\\s*=\\s*"([^"]*)"`, 'm').exec(toml)?.[1];
}

/** The files of a LayersModel as `model.save` writes them: model.json and one weights file. */
async function layersModelFiles(model: { save: (handler: tf.io.IOHandler) => Promise<unknown> }): Promise<Map<string, Uint8Array<ArrayBuffer>>> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  if (!artifacts?.weightData || !artifacts.weightSpecs) throw new Error('the model saved no weights');
  const weights = new Uint8Array(new tf.io.CompositeArrayBuffer(artifacts.weightData).slice());
  const modelJson = {
    format: 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
  };
  return new Map([
    ['model.json', new TextEncoder().encode(JSON.stringify(modelJson))],
    ['weights.bin', weights],
  ]);
}

async function b0Model(): Promise<{ manifest: ModelManifest; files: Map<string, Uint8Array<ArrayBuffer>> }> {
  const model = buildEfficientNetB0();
  try {
    const files = await layersModelFiles(model);
    const manifest = await manifestFor(
      {
        id: B0_ID,
        name: 'EfficientNet-B0 topology, random weights (benchmark only)',
        task: 'classification',
        format: 'tfjs-layers',
        input: { width: 224, height: 224 },
        preprocessing: { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] },
        output: { activation: 'softmax', labelOffset: 0 },
        labels: Array.from({ length: 1000 }, (_, i) => `class ${i}`),
        gradcamLayer: B0_GRADCAM_LAYER,
      },
      files,
    );
    return { manifest, files };
  } finally {
    model.dispose();
  }
}

function writeFolder(root: string, manifest: ModelManifest, files: ReadonlyMap<string, Uint8Array>): string {
  const dir = path.join(root, manifest.id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  for (const [file, bytes] of files) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), bytes);
  }
  return dir;
}

/** Collects the benchmark's models into `root` (needs a TF.js backend for building B0). */
export async function prepareBenchModels(root: string): Promise<BenchModels> {
  const models: BenchModel[] = [];
  const skipped: string[] = [];
  const defaultId = wranglerValue('DEFAULT_MODEL');
  const repository = readModelFolders();
  const embedded = repository.find((folder) => folder.manifest.id === defaultId);
  if (embedded) models.push({ ...embedded, role: 'default model' });
  else skipped.push(`default model "${defaultId}": not in models/ yet`);
  const scenes = repository.find((folder) => folder.manifest.id === SCENES_MODEL_ID);
  if (scenes && scenes !== embedded) models.push({ ...scenes, role: 'scenes model' });

  if (existsSync(path.join(FIXTURES_DIR, 'models/tiny_darknet'))) {
    const { manifest, files } = await tinyDarknetFrom(async (p) => new Uint8Array(readFileSync(path.join(FIXTURES_DIR, p))));
    models.push({ dir: writeFolder(root, manifest, files), manifest, files, role: 'fixture' });
  } else {
    skipped.push(`Tiny Darknet: ${FIXTURES_DIR} is absent`);
  }
  const mobilenet = path.join(FIXTURES_DIR, 'models/mobilenet_v2_1.0_224_quant/mobilenet_v2_1.0_224_quant.tflite');
  if (existsSync(mobilenet)) {
    const imported = await importTflite(new Uint8Array(readFileSync(mobilenet)));
    const manifest = await manifestForImport(imported, { id: 'mobilenet-v2-quant' });
    models.push({ dir: writeFolder(root, manifest, imported.files), manifest, files: imported.files, role: 'fixture' });
  } else {
    skipped.push(`MobileNetV2: ${FIXTURES_DIR} is absent`);
  }

  const b0 = await b0Model();
  models.push({ dir: writeFolder(root, b0.manifest, b0.files), ...b0, role: 'B0-sized' });
  return { models, skipped };
}
