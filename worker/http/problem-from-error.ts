/**
 * The problem an error thrown below the handlers answers with: the HTTP edge's one map from the
 * service's and the engine's own errors to problem kinds. Undefined for anything else (a bug: 500).
 */
import { LayerSelectionError } from '../engine/exposed-model';
import { ImageInputError, type ImageInputErrorKind } from '../image';
import { ModelUnavailableError } from '../model/model-store';
import { AdmissionRefusedError } from '../service/admission';
import { ClassSelectionError, UnknownModelError } from '../service/request-errors';
import { ShareRejectedError } from '../service/share-explanation';
import { ProblemError, PROBLEMS, type Problem, type ProblemKind } from './problem';

const PROBLEM_BY_IMAGE_ERROR: Record<ImageInputErrorKind, ProblemKind> = {
  'unsupported-type': 'unsupportedType',
  'too-many-bytes': 'tooLarge',
  'too-many-pixels': 'tooLarge',
  undecodable: 'undecodable',
};

export function problemFromError(error: unknown): Problem | undefined {
  const problem = (kind: ProblemKind, detail: string): Problem => ({ ...PROBLEMS[kind], detail });
  if (error instanceof ProblemError) return error.toProblem();
  if (error instanceof ImageInputError) return problem(PROBLEM_BY_IMAGE_ERROR[error.kind], error.message);
  if (error instanceof UnknownModelError) return problem('modelNotFound', error.message);
  if (error instanceof AdmissionRefusedError) return problem('unavailable', `${error.message}; retry after ${error.retryAfterSeconds} s`);
  if (error instanceof ModelUnavailableError) return problem('unavailable', `${error.message}; the service cannot use model ${error.modelId} until it is stored again`);
  if (error instanceof ClassSelectionError || error instanceof LayerSelectionError || error instanceof ShareRejectedError) return problem('badRequest', error.message);
  return undefined;
}

/** Seconds a client should wait after a 503 for a model that could not be loaded (RFC 9110 §10.2.3). */
export const MODEL_UNAVAILABLE_RETRY_SECONDS = 30;

/** Headers the problem for `error` must carry: a ProblemError's own, `Retry-After` for a 503. */
export function problemHeaders(error: unknown): Record<string, string> | undefined {
  if (error instanceof ProblemError) return error.headers;
  if (error instanceof AdmissionRefusedError) return { 'retry-after': String(error.retryAfterSeconds) };
  if (error instanceof ModelUnavailableError) return { 'retry-after': String(MODEL_UNAVAILABLE_RETRY_SECONDS) };
  return undefined;
}
