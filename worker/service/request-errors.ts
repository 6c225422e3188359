/**
 * What a request can get wrong that only the service can tell (it knows the models): thrown here,
 * turned into problems at the HTTP edge (http/problem-from-error.ts). Image and layer errors have their
 * own classes where they are found (image/error.ts, engine/exposed-model.ts).
 */

/** No model has the requested id. */
export class UnknownModelError extends Error {
  override name = 'UnknownModelError';

  constructor(readonly modelId: string) {
    super(`no model with id "${modelId}"; GET /v1/models lists them`);
  }
}

/** A requested class is not one of the model's (an index out of range, an unknown label). */
export class ClassSelectionError extends Error {
  override name = 'ClassSelectionError';
}
