/**
 * "Imports" a TF.js model.json folder (LayersModel or GraphModel): the files stay as they are; the model
 * is loaded once to learn its input size, number of outputs and final activation. Needs an initialised
 * TF.js backend; no file system (the caller reads the files).
 *
 * Example: `const imported = await importTfjsModel(files)` with files = { "model.json", "group1-shard1of1", … }.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfconv from '@tensorflow/tfjs-converter';
import * as tfl from '@tensorflow/tfjs-layers';
import { memoryIOHandler } from '../../../worker/model/memory-io-handler';
import { chooseActivation, type ImportedModel, type OutputActivation } from '../imported-model';

export class TfjsImportError extends Error {
  override name = 'TfjsImportError';
}

interface ModelJson {
  format?: string;
  modelTopology?: { node?: { name: string; op: string; input?: string[] }[]; model_config?: unknown; class_name?: string; config?: unknown };
  weightsManifest?: { paths: string[] }[];
}

export function parseModelJson(bytes: Uint8Array): ModelJson {
  let json: ModelJson;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes)) as ModelJson;
  } catch (error) {
    throw new TfjsImportError(`model.json is not JSON: ${(error as Error).message}`);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology) throw new TfjsImportError('model.json has no modelTopology: not a TF.js model');
  return json;
}

/** 'tfjs-graph' for a GraphModel's model.json, 'tfjs-layers' for a LayersModel's. */
export function tfjsFormat(json: ModelJson): 'tfjs-graph' | 'tfjs-layers' {
  if (json.format === 'graph-model' || Array.isArray(json.modelTopology?.node)) return 'tfjs-graph';
  if (json.format === 'layers-model' || json.modelTopology?.model_config || json.modelTopology?.class_name) return 'tfjs-layers';
  throw new TfjsImportError('model.json is neither a TF.js LayersModel nor a GraphModel');
}

/** The weight files a model.json names, relative to it. */
export function weightPaths(json: ModelJson): string[] {
  return (json.weightsManifest ?? []).flatMap((group) => group.paths);
}

function layersActivation(model: tfl.LayersModel): OutputActivation | undefined {
  const last = model.layers[model.layers.length - 1];
  const config = last.getConfig() as { activation?: string };
  if (last.getClassName() === 'Softmax') return 'softmax';
  if (config.activation === 'softmax' || config.activation === 'sigmoid') return config.activation;
  return undefined;
}

function imageInputSize(shape: readonly (number | null)[] | undefined, what: string, fallback?: [number, number]): [number, number] {
  if (!shape || shape.length !== 4 || shape[3] !== 3) throw new TfjsImportError(`${what} has shape [${shape?.join(', ')}]; expected [batch, height, width, 3]`);
  const [, h, w] = shape;
  if (h && h > 0 && w && w > 0) return [h, w];
  if (fallback) return fallback;
  throw new TfjsImportError(`${what} does not fix its height and width: give --size WIDTHxHEIGHT`);
}

export interface TfjsImportOptions {
  modelFile?: string;
  /** [height, width] for models whose input does not fix them. */
  inputSize?: [number, number];
}

export async function importTfjsModel(files: Map<string, Uint8Array>, options: TfjsImportOptions = {}): Promise<ImportedModel> {
  const modelFile = options.modelFile ?? 'model.json';
  const bytes = files.get(modelFile);
  if (!bytes) throw new TfjsImportError(`${modelFile} is missing`);
  const json = parseModelJson(bytes);
  const format = tfjsFormat(json);
  const notes: string[] = [];
  const handler = memoryIOHandler(files, modelFile);

  if (format === 'tfjs-layers') {
    const model = await tfl.loadLayersModel(handler);
    try {
      if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new TfjsImportError('only models with one input and one output can be explained');
      const [height, width] = imageInputSize(model.inputs[0].shape, 'the model input', options.inputSize);
      const outShape = model.outputs[0].shape;
      return {
        format, modelFile, files, notes,
        input: { width, height },
        output: { activation: chooseActivation(layersActivation(model), notes), classes: outShape[outShape.length - 1] ?? 0 },
      };
    } finally {
      model.dispose();
    }
  }

  const model = await tfconv.loadGraphModel(handler);
  try {
    if (model.inputs.length !== 1) throw new TfjsImportError(`the model has ${model.inputs.length} inputs; an image classifier has one`);
    if (model.outputs.length !== 1) throw new TfjsImportError(`the model has ${model.outputs.length} outputs; only single-output models can be explained`);
    const [input] = model.inputs;
    const [height, width] = imageInputSize(input.shape, `the input "${input.name}"`, options.inputSize);
    const outputName = model.outputs[0].name.replace(/:0$/, '');
    const nodes = new Map((json.modelTopology?.node ?? []).map((n) => [n.name, n]));
    let node = nodes.get(outputName);
    while (node?.op === 'Identity') node = nodes.get((node.input?.[0] ?? '').replace(/:\d+$/, ''));
    const detected = node?.op === 'Softmax' ? 'softmax' : node?.op === 'Sigmoid' ? 'sigmoid' : undefined;
    const outShape = tf.tidy(() => (model.execute({ [input.name]: tf.zeros([1, height, width, 3]) }, outputName) as tf.Tensor).shape);
    return {
      format, modelFile, files, notes,
      input: { width, height, name: input.name.replace(/:0$/, '') },
      output: { activation: chooseActivation(detected, notes), name: outputName, classes: outShape[outShape.length - 1] },
    };
  } finally {
    model.dispose();
  }
}
