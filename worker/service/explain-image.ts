/**
 * Explains one uploaded image: resolve the request against the model's manifest, decode, load, and hand
 * the pixels to the runtime-neutral core (service/explain-pixels.ts). What the request gets wrong is
 * thrown as the error that names it (request-errors.ts, ImageInputError, LayerSelectionError); the HTTP
 * edge answers each with its problem. Knows nothing of HTTP requests, caching or how models are stored;
 * those come in through `ExplainDeps` or wrap around it (service/cached-explain.ts).
 */
import type { MethodName } from '../explain/methods';
import { decodeImage, type DecodedImage, type ImageLimits } from '../image';
import type { LoadedModel } from '../model/load-model';
import type { ModelManifest } from '../model/manifest';
import { explainPixels, WORKING_MAX_SIDE, type ResolvedExplainRequest } from './explain-pixels';
import type { ExplanationDocument } from './explanation-document';
import { UnknownModelError } from './request-errors';
import { resolveClasses } from './resolve-classes';

export { MIN_PREDICTIONS, WORKING_MAX_SIDE, type ResolvedExplainRequest } from './explain-pixels';

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
  /** Runs the decode and the model once the isolate has room for this image (service/admission.ts); default: at once. */
  admit?<T>(bytes: Uint8Array, work: () => Promise<T>): Promise<T>;
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

export async function resolveExplainRequest(
  deps: Pick<ExplainDeps, 'manifest'>,
  options: ExplainOptions,
): Promise<ResolvedExplainRequest> {
  const manifest = await deps.manifest(options.modelId);
  if (!manifest) throw new UnknownModelError(options.modelId);
  const targets = options.classes.length > 0 ? { classes: resolveClasses(manifest, options.classes) } : { top: options.topk };
  return { manifest, targets, layer: options.layer, method: options.method };
}

export async function explainImage(
  deps: ExplainDeps,
  bytes: Uint8Array<ArrayBuffer>,
  sha256: string,
  request: ResolvedExplainRequest,
): Promise<ComputedExplanation> {
  return deps.admit ? deps.admit(bytes, () => explainAdmitted(deps, bytes, sha256, request)) : explainAdmitted(deps, bytes, sha256, request);
}

async function explainAdmitted(
  deps: ExplainDeps,
  bytes: Uint8Array<ArrayBuffer>,
  sha256: string,
  request: ResolvedExplainRequest,
): Promise<ComputedExplanation> {
  const { manifest } = request;
  let started = performance.now();
  const image = await decodeImage(bytes, deps.limits, { maxSide: WORKING_MAX_SIDE });
  const decode = performance.now() - started;

  started = performance.now();
  const model = await deps.load(manifest);
  const load = performance.now() - started;

  started = performance.now();
  modelRuns++;
  const document = explainPixels(model, image, sha256, request);
  const modelTime = performance.now() - started;
  return { document, image, timings: { decode, load, model: modelTime } };
}
