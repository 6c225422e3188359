/**
 * Turns a manifest and its files into a model ready to explain: the TF.js model, split once at its
 * Grad-CAM layer (see engine/expose-layers-model and engine/expose-graph-model).
 */
import * as tfconv from '@tensorflow/tfjs-converter';
import * as tfl from '@tensorflow/tfjs-layers';
import { compileLayersModel } from '../engine/compile/compile-layers-model';
import { exposeGraphModel, type GraphTopologyNode } from '../engine/expose-graph-model';
import { exposeLayersModel } from '../engine/expose-layers-model';
import type { ExposedModel } from '../engine/exposed-model';
import type { ModelManifest } from './manifest';
import { memoryIOHandler, type ModelFiles } from './memory-io-handler';

export interface LoadedModel {
  manifest: ModelManifest;
  /** The model split at the manifest's Grad-CAM layer. */
  exposed: ExposedModel;
  /** Splits the model at another layer (a request's `layer` option). */
  exposeAt(layer: string): ExposedModel;
  dispose(): void;
}

export interface LoadModelOptions {
  /**
   * Compile LayersModels into fused TF.js ops (batch norm folded; engine/compile/): same maps, faster
   * (`npm run bench` measures by how much). False evaluates tfjs-layers' own layers. Default true.
   */
  optimize?: boolean;
}

/** A loaded TF.js model of either format, and how to split it at a layer. */
async function loadTfjsModel(manifest: ModelManifest, files: ModelFiles, optimize: boolean): Promise<{ split: (layer: string) => ExposedModel; model: { dispose(): void } }> {
  const handler = memoryIOHandler(files, manifest.modelFile);
  const stripActivation = manifest.output.activation;
  if (manifest.format === 'tfjs-layers') {
    const model = await tfl.loadLayersModel(handler);
    if (!optimize) return { model, split: (layer) => exposeLayersModel(model, { layer, stripActivation }) };
    const compiled = compileLayersModel(model);
    const dispose = () => {
      compiled.dispose();
      model.dispose();
    };
    return { model: { dispose }, split: (layer) => compiled.expose({ layer, stripActivation }) };
  }
  const model = await tfconv.loadGraphModel(handler);
  const json = JSON.parse(new TextDecoder().decode(files.get(manifest.modelFile))) as { modelTopology?: { node?: GraphTopologyNode[] } };
  const nodes = json.modelTopology?.node ?? [];
  const options = {
    stripActivation,
    inputName: manifest.input.name,
    outputName: manifest.output.name,
    inputSize: [manifest.input.height, manifest.input.width] as [number, number],
  };
  return { model, split: (layer) => exposeGraphModel(model, nodes, { ...options, layer }) };
}

export async function loadModel(manifest: ModelManifest, files: ModelFiles, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const { model, split } = await loadTfjsModel(manifest, files, options.optimize ?? true);
  // Splits are cached per layer name: a split at the output layer copies that layer's weights.
  const splits = new Map<string, ExposedModel>();
  const exposeAt = (layer: string) => {
    let exposed = splits.get(layer);
    if (!exposed) {
      exposed = split(layer);
      splits.set(layer, exposed);
    }
    return exposed;
  };
  let exposed: ExposedModel;
  try {
    exposed = exposeAt(manifest.gradcamLayer);
  } catch (error) {
    model.dispose();
    throw error;
  }
  const [height, width] = exposed.inputSize;
  if (height !== manifest.input.height || width !== manifest.input.width) {
    model.dispose();
    throw new Error(
      `model ${manifest.id}: its input is ${width}×${height}, the manifest says ${manifest.input.width}×${manifest.input.height}`,
    );
  }
  return { manifest, exposed, exposeAt, dispose: () => model.dispose() };
}
