/**
 * The runtime-neutral core of an explanation: decoded pixels and a loaded model in, the API's document
 * out. It knows nothing of HTTP, KV, fetching or which runtime it is in, so the worker
 * (service/explain-image.ts) and the viewer's private mode (viewer/src/private-worker.ts) build the very
 * same document from the same pixels.
 *
 * @example
 *   const image = await decodeImage(bytes, limits, { maxSide: WORKING_MAX_SIDE });
 *   const document = explainPixels(model, image, await sha256Hex(bytes), { manifest, targets: { top: 3 }, method: 'grad-cam' });
 */
import { explainClasses, topIndices, type TargetSelection } from '../explain/explain-classes';
import type { MethodName } from '../explain/methods';
import type { DecodedImage } from '../image';
import type { LoadedModel } from '../model/load-model';
import type { ModelManifest } from '../model/manifest';
import { toModelInput } from '../model/preprocess';
import { encodeMap } from './encode-map';
import type { ExplanationDocument, Prediction } from './explanation-document';

/** How many predictions a document lists at least, whatever the number of explained classes. */
export const MIN_PREDICTIONS = 5;
/**
 * Longest side of the pixels kept after decoding: ample for any model input and for the 512 px preview,
 * and it keeps a large photo from holding tens of megabytes of the isolate's 128 MB through the model run.
 */
export const WORKING_MAX_SIDE = 2048;

/** A request checked against its model: what is explained is now fully determined by it and the image. */
export interface ResolvedExplainRequest {
  manifest: ModelManifest;
  /** Label indices (sorted, unique) or the number of best classes. */
  targets: { top: number } | { classes: number[] };
  layer?: string;
  method: MethodName;
}


/**
 * Runs the request's method on `image` and shapes the document.
 * @throws LayerSelectionError (engine/exposed-model) when `request.layer` cannot be explained.
 */
export function explainPixels(model: LoadedModel, image: DecodedImage, sha256: string, request: ResolvedExplainRequest): ExplanationDocument {
  const { manifest } = request;
  const exposed = request.layer === undefined ? model.exposed : model.exposeAt(request.layer);
  const offset = manifest.output.labelOffset;
  const targets: TargetSelection =
    'classes' in request.targets ? { classes: request.targets.classes.map((c) => c + offset) } : request.targets;
  const input = toModelInput(image, manifest);
  let result;
  try {
    result = explainClasses(exposed, input, {
      targets,
      activation: manifest.output.activation,
      method: request.method,
      ignoredOutputs: offset,
    });
  } finally {
    input.dispose();
  }

  const label = (outputIndex: number) => manifest.labels[outputIndex - offset] ?? `class ${outputIndex - offset}`;
  const predictionCount = Math.max(MIN_PREDICTIONS, result.explanations.length);
  const predictions: Prediction[] = topIndices(result.scores, predictionCount, offset).map((i) => ({
    index: i - offset,
    label: label(i),
    score: result.scores[i],
  }));
  const [layerHeight, layerWidth, channels] = exposed.layer.shape;
  return {
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
}
