/**
 * The problem an error thrown below the handlers answers with: the HTTP edge's one map from the
 * service's and the engine's own errors to problem kinds. Undefined for anything else (a bug: 500).
 */
import { LayerSelectionError } from '../engine/exposed-model';
import { ImageInputError, type ImageInputErrorKind } from '../image';
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
  if (error instanceof ClassSelectionError || error instanceof LayerSelectionError || error instanceof ShareRejectedError) return problem('badRequest', error.message);
  return undefined;
}
