/**
 * Imports a TF Lite image classifier as a TF.js GraphModel with float32 weights, which the worker
 * explains like any other GraphModel (worker/engine/expose-graph-model.ts). Pure TypeScript on bytes:
 * runs in Node (`model:add`) and in workerd alike.
 *
 * What it reads: the first subgraph (one image input [1, H, W, 3], the first output), every operator
 * (see convert-ops.ts for the supported set), and the TF Lite metadata where present (MediaPipe and
 * TF Lite Model Maker write it): model name and description, input normalisation, and the output's label
 * file from the zip appended to the model.
 *
 * Example: `const imported = await importTflite(bytes); imported.files.get('model.json')`.
 */
import { GraphBuilder } from '../tfjs/graph-builder';
import { chooseActivation, type ImportedModel, type OutputActivation, type Preprocessing } from '../imported-model';
import { ModelConverter, TfliteImportError } from './convert-ops';
import { FlatbufferFormatError } from './flatbuffer-table';
import { AssociatedFileType, METADATA_NAME, readModelMetadata, type ModelMetadata } from './metadata-schema';
import { readTfliteModel, TENSOR_TYPE_NAMES, TensorType, type SubGraph, type TfliteModel } from './schema';
import { readAppendedZip } from './zip';

export { TfliteImportError, UnsupportedOperatorError } from './convert-ops';

/** The usual [-1, 1] input of TF Lite image models, assumed when a float model says nothing. */
const DEFAULT_FLOAT_NORMALIZATION = { mean: 127.5, std: 127.5 };

function triple(values: readonly number[]): [number, number, number] {
  return [values[0], values[1] ?? values[0], values[2] ?? values[0]];
}

function readModel(bytes: Uint8Array): TfliteModel {
  const model = readTfliteModel(bytes);
  if (model.subgraphs.length === 0) throw new TfliteImportError('the model has no subgraph');
  return model;
}

function readMetadata(model: TfliteModel, notes: string[]): ModelMetadata | undefined {
  const entry = model.metadata.find((m) => m.name === METADATA_NAME);
  const data = entry && model.buffers[entry.buffer]?.data;
  if (!data) return undefined;
  try {
    return readModelMetadata(data);
  } catch (error) {
    notes.push(`ignored unreadable TF Lite metadata (${(error as Error).message})`);
    return undefined;
  }
}

async function metadataLabels(bytes: Uint8Array, metadata: ModelMetadata | undefined, notes: string[]): Promise<string[] | undefined> {
  const output = metadata?.subgraphMetadata[0]?.outputTensorMetadata[0];
  const labelFile = output?.associatedFiles.find((f) => f.type === AssociatedFileType.TENSOR_AXIS_LABELS && !f.locale)
    ?? output?.associatedFiles.find((f) => f.type === AssociatedFileType.TENSOR_AXIS_LABELS);
  if (!labelFile?.name) return undefined;
  try {
    const file = (await readAppendedZip(bytes)).get(labelFile.name);
    if (!file) {
      notes.push(`the metadata names label file ${labelFile.name}, but the model does not pack it`);
      return undefined;
    }
    return new TextDecoder().decode(file).replace(/\s+$/, '').split(/\r?\n/).map((line) => line.trim());
  } catch (error) {
    notes.push(`could not read the label file ${labelFile.name}: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * The manifest's preprocessing, x = (pixel − mean) / std. A quantised input is fed the pixel itself
 * (uint8) or pixel − 128 (int8), so its real value scale·(q − zero_point) is the normalisation; a float
 * input is normalised as its metadata says, else to [-1, 1].
 */
function inputPreprocessing(model: ModelConverter, index: number, metadata: ModelMetadata | undefined): { preprocessing: Preprocessing; source: string } {
  const tensor = model.tensor(index);
  const q = model.quantization(index);
  if ((tensor.type === TensorType.UINT8 || tensor.type === TensorType.INT8) && q && q.scale.length === 1) {
    const zeroPoint = (q.zeroPoint[0] ?? 0) + (tensor.type === TensorType.INT8 ? 128 : 0);
    const std = 1 / q.scale[0];
    return {
      preprocessing: { mean: [zeroPoint, zeroPoint, zeroPoint], std: [std, std, std] },
      source: `the ${TENSOR_TYPE_NAMES[tensor.type].toLowerCase()} input's quantisation (scale ${q.scale[0]}, zero point ${q.zeroPoint[0] ?? 0})`,
    };
  }
  const normalization = metadata?.subgraphMetadata[0]?.inputTensorMetadata[0]?.processUnits.find((u) => u.normalization)?.normalization;
  if (normalization && normalization.mean.length > 0 && normalization.std.length > 0) {
    return {
      preprocessing: { mean: triple(normalization.mean), std: triple(normalization.std) },
      source: 'the TF Lite metadata (NormalizationOptions)',
    };
  }
  const { mean, std } = DEFAULT_FLOAT_NORMALIZATION;
  return { preprocessing: { mean: [mean, mean, mean], std: [std, std, std] }, source: 'an assumption, [-1, 1] as usual for TF Lite: the model does not say (give --mean and --std)' };
}

function outputActivation(g: GraphBuilder, node: string): OutputActivation | undefined {
  const op = g.nodes.find((n) => n.name === node)?.op;
  return op === 'Softmax' ? 'softmax' : op === 'Sigmoid' ? 'sigmoid' : undefined;
}

function checkInput(subgraph: SubGraph, model: ModelConverter): number {
  const inputs = subgraph.inputs;
  if (inputs.length !== 1) throw new TfliteImportError(`the model has ${inputs.length} inputs; an image classifier has one`);
  const [index] = inputs;
  const tensor = model.tensor(index);
  const shape = tensor.shape;
  if (shape.length !== 4 || shape[3] !== 3 || shape[1] <= 0 || shape[2] <= 0) {
    throw new TfliteImportError(`the input "${tensor.name}" has shape [${shape.join(', ')}]; expected [1, height, width, 3]`);
  }
  const type = tensor.type;
  if (type !== TensorType.FLOAT32 && type !== TensorType.UINT8 && type !== TensorType.INT8) {
    throw new TfliteImportError(`the input "${tensor.name}" is ${TENSOR_TYPE_NAMES[type] ?? type}; expected FLOAT32, UINT8 or INT8`);
  }
  return index;
}

export interface TfliteImportOptions {
  /** Written into model.json's `generatedBy`. */
  generatedBy?: string;
}

/** Imports a .tflite image classifier; throws TfliteImportError (or UnsupportedOperatorError) saying why it cannot. */
export async function importTflite(bytes: Uint8Array, options: TfliteImportOptions = {}): Promise<ImportedModel> {
  try {
    return await convertModel(bytes, readModel(bytes), options);
  } catch (error) {
    if (error instanceof FlatbufferFormatError) throw new TfliteImportError(`not a valid TF Lite model: ${error.message}`);
    throw error;
  }
}

async function convertModel(bytes: Uint8Array, model: TfliteModel, options: TfliteImportOptions): Promise<ImportedModel> {
  const notes: string[] = [];
  if (model.subgraphs.length > 1) notes.push(`only the first of ${model.subgraphs.length} subgraphs was imported`);
  const subgraph = model.subgraphs[0];
  const g = new GraphBuilder();
  const converter = new ModelConverter(model, subgraph, g);
  const inputIndex = checkInput(subgraph, converter);
  const inputTensor = converter.tensor(inputIndex);
  const [, height, width] = inputTensor.shape;
  const inputNode = g.placeholder(inputTensor.name || 'input', [-1, height, width, 3]);
  converter.setOutput(inputIndex, inputNode);
  converter.convert();

  const outputs = subgraph.outputs;
  if (outputs.length === 0) throw new TfliteImportError('the model has no output');
  if (outputs.length > 1) notes.push(`only the first of ${outputs.length} outputs is explained`);
  const outputNode = converter.nodeOf(outputs[0]);
  if (!outputNode) throw new TfliteImportError('no operator computes the model output');
  const outputShape = converter.shape(outputs[0]);
  const classes = outputShape[outputShape.length - 1];
  if (!classes || outputShape.slice(0, -1).some((d) => d !== 1)) {
    throw new TfliteImportError(`the output has shape [${outputShape.join(', ')}]; a classifier's is [1, classes]`);
  }

  const metadata = readMetadata(model, notes);
  const { preprocessing, source } = inputPreprocessing(converter, inputIndex, metadata);
  const labels = await metadataLabels(bytes, metadata, notes);
  const { modelJson, shards } = g.build({ generatedBy: options.generatedBy ?? `TF Lite schema version ${model.version}` });
  const files = new Map<string, Uint8Array>([['model.json', new TextEncoder().encode(JSON.stringify(modelJson))], ...shards]);
  return {
    format: 'tfjs-graph',
    modelFile: 'model.json',
    files,
    input: { width, height, name: inputNode },
    output: { activation: chooseActivation(outputActivation(g, outputNode), notes), name: outputNode, classes },
    preprocessing,
    preprocessingSource: source,
    labels,
    name: metadata?.name,
    description: metadata?.description,
    license: metadata?.license,
    notes,
  };
}
