/**
 * What the LiteRT goldens cover: TF Lite files × fixture photos, and the one input tensor both runtimes get.
 *
 * Files: the fixtures' uint8 MobileNetV2, its int8 per-channel sibling (test/support/int8-sibling.ts), and
 * a small classifier in float32, float16 and int8 (test/support/reference-classifiers.ts). The input is
 * dumped from our side, so no resize can differ: the photo decoded and resized by the worker's code,
 * rounded to integer pixels (test/support/photo-pixels.ts), then stored in the model's input type — the
 * pixel itself (uint8), pixel − 128 (int8), or (pixel − mean) / std as our importer's preprocessing says
 * (float32). Our importer is fed the same pixels through the worker's toModelInput, which for a quantised
 * input gives exactly the real value of that integer.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfconv from '@tensorflow/tfjs-converter';
import type { ImportedModel } from '../../../../../models/import/imported-model';
import { importTflite } from '../../../../../models/import/tflite/import-tflite';
import { readTfliteModel, TensorType } from '../../../../../models/import/tflite/schema';
import type { RgbImage } from '../../../../../worker/image/rgb-image';
import { memoryIOHandler } from '../../../../../worker/model/memory-io-handler';
import { toModelInput } from '../../../../../worker/model/preprocess';
import { int8Sibling } from '../../../../support/int8-sibling';
import { FIXTURES_DIR, photoPixels } from '../../../../support/photo-pixels';
import { CALIBRATED_ACTIVATIONS, CLASSIFIER_SIZE, referenceClassifier, type ActivationRanges } from '../../../../support/reference-classifiers';

export const GOLDEN_DIR = import.meta.dirname;

export const PHOTOS = ['astronaut.png', 'cat_720p.jpg', 'chelsea.png', 'coffee.png', 'dog.jpg', 'pets.jpg', 'rocket.jpg'];

export type Quantisation = 'uint8' | 'int8' | 'float16' | 'float32';

export interface GoldenModel {
  /** The golden file's name, without `.json`. */
  id: string;
  quantisation: Quantisation;
  bytes: () => Promise<Uint8Array>;
}

const MOBILENET_FILE = path.join(FIXTURES_DIR, 'models/mobilenet_v2_1.0_224_quant/mobilenet_v2_1.0_224_quant.tflite');
const mobilenet = () => new Uint8Array(readFileSync(MOBILENET_FILE));

/** Runs an imported model on the given pixels (already at its input size); returns the output's values. */
export async function runImported(imported: ImportedModel, pixels: RgbImage): Promise<Float32Array> {
  const graph = await tfconv.loadGraphModel(memoryIOHandler(imported.files));
  const x = toModelInput(pixels, { input: imported.input, preprocessing: imported.preprocessing! });
  const y = graph.execute({ [imported.input.name!]: x }, imported.output.name) as tf.Tensor;
  const values = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  graph.dispose();
  return values;
}

/**
 * The int8 classifier's activation ranges: the float32 classifier's, through our importer, on the photos
 * (post-training calibration as TF's converter does it; any sensible range would do, since the golden
 * compares LiteRT and us on the same int8 file).
 */
async function calibrationRanges(): Promise<ActivationRanges> {
  const imported = await importTflite(referenceClassifier('float32'));
  const graph = await tfconv.loadGraphModel(memoryIOHandler(imported.files));
  const ranges: ActivationRanges = {};
  for (const photo of PHOTOS) {
    const pixels = await photoPixels(photo, CLASSIFIER_SIZE, CLASSIFIER_SIZE);
    const x = toModelInput(pixels, { input: imported.input, preprocessing: imported.preprocessing! });
    const outputs = graph.execute({ [imported.input.name!]: x }, CALIBRATED_ACTIVATIONS) as tf.Tensor[];
    for (const [i, name] of CALIBRATED_ACTIVATIONS.entries()) {
      const values = await outputs[i].data();
      const [min, max] = ranges[name] ?? [Infinity, -Infinity];
      ranges[name] = [Math.min(min, ...values), Math.max(max, ...values)];
    }
    tf.dispose([x, ...outputs]);
  }
  graph.dispose();
  return ranges;
}

export const GOLDEN_MODELS: GoldenModel[] = [
  { id: 'mobilenet_v2_1.0_224_quant', quantisation: 'uint8', bytes: async () => mobilenet() },
  { id: 'mobilenet_v2_1.0_224_int8_per_channel', quantisation: 'int8', bytes: async () => int8Sibling(mobilenet()) },
  { id: 'classifier_float32', quantisation: 'float32', bytes: async () => referenceClassifier('float32') },
  { id: 'classifier_float16', quantisation: 'float16', bytes: async () => referenceClassifier('float16') },
  { id: 'classifier_int8', quantisation: 'int8', bytes: async () => referenceClassifier('int8', await calibrationRanges()) },
];

/** The input tensor's bytes as LiteRT is fed them, for a model whose import is `imported`. */
export function litertInput(bytes: Uint8Array, imported: ImportedModel, pixels: RgbImage): Uint8Array {
  const model = readTfliteModel(bytes);
  const subgraph = model.subgraphs[0];
  const type = subgraph.tensors[subgraph.inputs[0]].type;
  if (type === TensorType.UINT8) return pixels.data.slice();
  if (type === TensorType.INT8) return new Uint8Array(Int8Array.from(pixels.data, (v) => v - 128).buffer);
  const { mean, std } = imported.preprocessing!;
  const values = Float32Array.from(pixels.data, (v, i) => (v - mean[i % 3]) / std[i % 3]);
  return new Uint8Array(values.buffer);
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface LitertOutput {
  type: string;
  scale: number;
  zeroPoint: number;
  values: number[];
}

/**
 * One golden file: LiteRT's output for each photo, with the hashes of the model and of each input it was
 * fed; for a quantised model also its output on the model's dequantised float twin (see
 * scripts/python/litert_outputs.py).
 */
export interface Golden {
  model: string;
  quantisation: Quantisation;
  modelSha256: string;
  runtime: string;
  cases: {
    photo: string;
    inputType: string;
    inputSha256: string;
    output: LitertOutput;
    dequantizedOutput?: LitertOutput;
  }[];
}

/** LiteRT's output as real numbers: scale · (q − zero point) when quantised. */
export function realOutput(output: LitertOutput): number[] {
  return output.type === 'float32' ? output.values : output.values.map((q) => output.scale * (q - output.zeroPoint));
}

export function readGolden(id: string): Golden {
  return JSON.parse(readFileSync(path.join(GOLDEN_DIR, `${id}.json`), 'utf8')) as Golden;
}
