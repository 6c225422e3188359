/**
 * Explains one uploaded image: decode, load the model, run the method, shape the document.
 * Knows nothing of HTTP requests or of how models are stored; both come in through `ExplainDeps`.
 */
import { explainClasses, topIndices } from '../explain/explain-classes';
import type { MethodName } from '../explain/methods';
import { LayerSelectionError } from '../explain/expose-layers-model';
import { ProblemError } from '../http/problem';
import { decodeImage, ImageInputError, type ImageLimits } from '../image';
import type { ModelManifest } from '../model/manifest';
import type { LoadedModel } from '../model/load-model';
import { toModelInput } from '../model/preprocess';
import { encodeMap } from './encode-map';
import type { ExplanationDocument, Prediction } from './explanation-document';
import { resolveClasses } from './resolve-classes';

/** How many predictions a document lists at least, whatever the number of explained classes. */
export const MIN_PREDICTIONS = 5;

export interface ExplainOptions {
  modelId: string;
  /** Explain the k best classes… */
  topk: number;
  /** …or these classes (label indices or names); when given, they win over `topk`. */
  classes: string[];
  /** Grad-CAM layer; undefined means the manifest's choice. */
  layer?: string;
  method: MethodName;
}

export interface ExplainDeps {
  limits: ImageLimits;
  manifest(id: string): Promise<ModelManifest | undefined>;
  load(manifest: ModelManifest): Promise<LoadedModel>;
}

/** Wall-clock milliseconds of each stage, for `Server-Timing`. */
export interface ExplainTimings {
  decode: number;
  load: number;
  model: number;
}

export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const PROBLEM_BY_IMAGE_ERROR = {
  'unsupported-type': 'unsupportedType',
  'too-many-bytes': 'tooLarge',
  'too-many-pixels': 'tooLarge',
  undecodable: 'undecodable',
} as const;

export async function requireManifest(deps: Pick<ExplainDeps, 'manifest'>, modelId: string): Promise<ModelManifest> {
  const manifest = await deps.manifest(modelId);
  if (!manifest) throw new ProblemError('modelNotFound', `no model with id "${modelId}"; GET /v1/models lists them`);
  return manifest;
}

export async function explainImage(
  deps: ExplainDeps,
  bytes: Uint8Array<ArrayBuffer>,
  options: ExplainOptions,
): Promise<{ document: ExplanationDocument; timings: ExplainTimings }> {
  const manifest = await requireManifest(deps, options.modelId);
  const classes = options.classes.length > 0 ? resolveClasses(manifest, options.classes) : undefined;

  let started = performance.now();
  const [sha256, image] = await Promise.all([
    sha256Hex(bytes),
    decodeImage(bytes, deps.limits).catch((error: unknown) => {
      if (error instanceof ImageInputError) throw new ProblemError(PROBLEM_BY_IMAGE_ERROR[error.kind], error.message);
      throw error;
    }),
  ]);
  const decode = performance.now() - started;

  started = performance.now();
  const model = await deps.load(manifest);
  const load = performance.now() - started;

  started = performance.now();
  let exposed;
  try {
    exposed = options.layer === undefined ? model.exposed : model.exposeAt(options.layer);
  } catch (error) {
    if (error instanceof LayerSelectionError) throw new ProblemError('badRequest', error.message);
    throw error;
  }
  const offset = manifest.output.labelOffset;
  const input = toModelInput(image, manifest);
  let result;
  try {
    result = explainClasses(exposed, input, {
      targets: classes ? { classes: classes.map((c) => c + offset) } : { top: options.topk },
      activation: manifest.output.activation,
      method: options.method,
      ignoredOutputs: offset,
    });
  } finally {
    input.dispose();
  }
  const modelTime = performance.now() - started;

  const label = (outputIndex: number) => manifest.labels[outputIndex - offset] ?? `class ${outputIndex - offset}`;
  const predictionCount = Math.max(MIN_PREDICTIONS, result.explanations.length);
  const predictions: Prediction[] = topIndices(result.scores, predictionCount, offset).map((i) => ({
    index: i - offset,
    label: label(i),
    score: result.scores[i],
  }));
  const [layerHeight, layerWidth, channels] = exposed.layer.shape;
  const document: ExplanationDocument = {
    image: { sha256, width: image.width, height: image.height, type: image.type },
    model: { id: manifest.id, version: manifest.version },
    method: options.method,
    layer: { name: exposed.layer.name, width: layerWidth, height: layerHeight, channels },
    predictions,
    explanations: result.explanations.map((map) => ({
      index: map.index - offset,
      label: label(map.index),
      score: map.score,
      logit: map.logit,
      map: encodeMap(map),
    })),
  };
  return { document, timings: { decode, load, model: modelTime } };
}
