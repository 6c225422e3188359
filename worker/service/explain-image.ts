/**
 * Explains one uploaded image: resolve the request against the model's manifest, decode, run the method,
 * shape the document. Knows nothing of HTTP requests, caching or how models are stored; those come in
 * through `ExplainDeps` or wrap around it (service/cached-explain.ts).
 */
import { explainClasses, topIndices, type TargetSelection } from '../explain/explain-classes';
import { LayerSelectionError } from '../explain/expose-layers-model';
import type { MethodName } from '../explain/methods';
import { ProblemError } from '../http/problem';
import { decodeImage, ImageInputError, type DecodedImage, type ImageLimits } from '../image';
import type { LoadedModel } from '../model/load-model';
import type { ModelManifest } from '../model/manifest';
import { toModelInput } from '../model/preprocess';
import { encodeMap } from './encode-map';
import type { ExplanationDocument, Prediction } from './explanation-document';
import { resolveClasses } from './resolve-classes';

/** How many predictions a document lists at least, whatever the number of explained classes. */
export const MIN_PREDICTIONS = 5;
/**
 * Longest side of the pixels kept after decoding: ample for any model input and for the 512 px preview,
 * and it keeps a large photo from holding tens of megabytes of the isolate's 128 MB through the model run.
 */
export const WORKING_MAX_SIDE = 2048;

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

/** A request checked against its model: what is explained is now fully determined by it and the image. */
export interface ResolvedExplainRequest {
  manifest: ModelManifest;
  /** Label indices (sorted, unique) or the number of best classes. */
  targets: { top: number } | { classes: number[] };
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

export interface ComputedExplanation {
  document: ExplanationDocument;
  /** The decoded upload, for a preview. */
  image: DecodedImage;
  timings: ExplainTimings;
}

let modelRuns = 0;

/** How many times this isolate ran a model for an explanation (tests use it to prove a cache hit ran none). */
export function modelRunCount(): number {
  return modelRuns;
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

export async function resolveExplainRequest(
  deps: Pick<ExplainDeps, 'manifest'>,
  options: ExplainOptions,
): Promise<ResolvedExplainRequest> {
  const manifest = await deps.manifest(options.modelId);
  if (!manifest) throw new ProblemError('modelNotFound', `no model with id "${options.modelId}"; GET /v1/models lists them`);
  const targets = options.classes.length > 0 ? { classes: resolveClasses(manifest, options.classes) } : { top: options.topk };
  return { manifest, targets, layer: options.layer, method: options.method };
}

export async function explainImage(
  deps: ExplainDeps,
  bytes: Uint8Array<ArrayBuffer>,
  sha256: string,
  request: ResolvedExplainRequest,
): Promise<ComputedExplanation> {
  const { manifest } = request;
  let started = performance.now();
  const image = await decodeImage(bytes, deps.limits, { maxSide: WORKING_MAX_SIDE }).catch((error: unknown) => {
    if (error instanceof ImageInputError) throw new ProblemError(PROBLEM_BY_IMAGE_ERROR[error.kind], error.message);
    throw error;
  });
  const decode = performance.now() - started;

  started = performance.now();
  const model = await deps.load(manifest);
  const load = performance.now() - started;

  started = performance.now();
  let exposed;
  try {
    exposed = request.layer === undefined ? model.exposed : model.exposeAt(request.layer);
  } catch (error) {
    if (error instanceof LayerSelectionError) throw new ProblemError('badRequest', error.message);
    throw error;
  }
  const offset = manifest.output.labelOffset;
  const targets: TargetSelection =
    'classes' in request.targets ? { classes: request.targets.classes.map((c) => c + offset) } : request.targets;
  const input = toModelInput(image, manifest);
  let result;
  try {
    modelRuns++;
    result = explainClasses(exposed, input, {
      targets,
      activation: manifest.output.activation,
      method: request.method,
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
    image: { sha256, width: image.source.width, height: image.source.height, type: image.type },
    model: { id: manifest.id, version: manifest.version },
    method: request.method,
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
  return { document, image, timings: { decode, load, model: modelTime } };
}
