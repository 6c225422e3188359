import { describe, expect, it } from 'vitest';
import { LayerSelectionError } from '../../../worker/engine/exposed-model';
import { ProblemError } from '../../../worker/http/problem';
import { problemFromError } from '../../../worker/http/problem-from-error';
import { ImageInputError } from '../../../worker/image';
import { ClassSelectionError, UnknownModelError } from '../../../worker/service/request-errors';
import { ShareRejectedError } from '../../../worker/service/share-explanation';

describe('problemFromError', () => {
  it('answers each error of the service and the engine with its problem, keeping the message as detail', () => {
    const cases: [Error, number, string][] = [
      [new UnknownModelError('nope'), 404, '/problems/model-not-found'],
      [new ClassSelectionError('the model has no class labelled "unicorn"'), 400, '/problems/bad-request'],
      [new LayerSelectionError('no layer "x"'), 400, '/problems/bad-request'],
      [new ShareRejectedError('the maps do not fit the model'), 400, '/problems/bad-request'],
      [new ImageInputError('unsupported-type', 'text/plain is not an image'), 415, '/problems/unsupported-media-type'],
      [new ImageInputError('too-many-bytes', 'too big'), 413, '/problems/too-large'],
      [new ImageInputError('too-many-pixels', 'too many pixels'), 413, '/problems/too-large'],
      [new ImageInputError('undecodable', 'truncated'), 422, '/problems/undecodable-image'],
      [new ProblemError('notFound', 'gone'), 404, '/problems/not-found'],
    ];
    for (const [error, status, type] of cases) {
      expect(problemFromError(error)).toMatchObject({ status, type, detail: error.message });
      expect(problemFromError(error)?.title).toMatch(/\w/);
    }
  });

  it('leaves anything else to the 500 handler', () => {
    expect(problemFromError(new TypeError('a bug'))).toBeUndefined();
    expect(problemFromError('a string')).toBeUndefined();
  });
});
