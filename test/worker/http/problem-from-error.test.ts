import { describe, expect, it } from 'vitest';
import { LayerSelectionError } from '../../../worker/engine/exposed-model';
import { ProblemError } from '../../../worker/http/problem';
import { problemFromError, problemHeaders } from '../../../worker/http/problem-from-error';
import { ModelUnavailableError } from '../../../worker/model/model-store';
import { AdmissionRefusedError } from '../../../worker/service/admission';
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

  it('answers a model that cannot be loaded and a full isolate with a 503 and Retry-After', () => {
    const model = new ModelUnavailableError('b0', 'model b0: file weights.bin does not match its manifest checksum');
    expect(problemFromError(model)).toMatchObject({ status: 503, type: '/problems/unavailable', detail: expect.stringContaining('model b0') });
    expect(problemHeaders(model)?.['retry-after']).toMatch(/^\d+$/);
    const full = new AdmissionRefusedError('this isolate is at capacity', 7);
    expect(problemFromError(full)).toMatchObject({ status: 503, type: '/problems/unavailable' });
    expect(problemHeaders(full)).toEqual({ 'retry-after': '7' });
    expect(problemHeaders(new ProblemError('rateLimited', 'slow down', { 'retry-after': '60' }))).toEqual({ 'retry-after': '60' });
  });

  it('leaves anything else to the 500 handler', () => {
    expect(problemFromError(new TypeError('a bug'))).toBeUndefined();
    expect(problemFromError('a string')).toBeUndefined();
  });
});
