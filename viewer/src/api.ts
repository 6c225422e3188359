/**
 * The viewer's client for the API on its own origin: reads go through the typed client
 * (client/gradcam-client.ts); the upload uses XHR for its progress events. Failures become `ApiError`s
 * carrying the problem+json `title` and `detail` the API answered with, or a plain description when
 * there was none.
 */
import type { MethodName } from '../../worker/explain/methods/method-names';
import { GradcamApiError } from '../../client/client-error';
import { createGradcamClient, type GradcamClient, type ModelList } from '../../client/gradcam-client';
import type { ExplanationLinks } from '../../worker/http/links';
import type { ExplanationDocument } from '../../worker/service/explanation-document';

export type { ModelList, ModelSummary } from '../../client/gradcam-client';

/** An explanation as POST /v1/explain and GET /v1/explanations/{id} answer it. */
export interface Explanation extends ExplanationDocument {
  /** Absent when the explanation was not stored (`store=false`). */
  id?: string;
  cache?: 'hit' | 'miss' | 'off';
  storage?: 'stored' | 'pending' | 'failed' | 'off';
  links?: ExplanationLinks;
}

export class ApiError extends Error {
  constructor(
    readonly title: string,
    readonly detail: string,
    readonly status?: number,
  ) {
    super(`${title}: ${detail}`);
    this.name = 'ApiError';
  }
}

/** Reads an error answer: problem+json when the API sent one, else the status line. */
function errorFromBody(status: number, statusText: string, contentType: string | null, body: string): ApiError {
  if (contentType?.includes('json')) {
    try {
      const problem = JSON.parse(body) as { title?: unknown; detail?: unknown };
      if (typeof problem.title === 'string') {
        return new ApiError(problem.title, typeof problem.detail === 'string' ? problem.detail : '', status);
      }
    } catch {
      // Not JSON after all: fall through to the status line.
    }
  }
  return new ApiError(`The service answered ${status}${statusText ? ` ${statusText}` : ''}`, body.slice(0, 200), status);
}

const OFFLINE = new ApiError('The service could not be reached', 'Check the connection and try again.');

let client: GradcamClient | undefined;

/** A read through the typed client, its failures as ApiErrors. */
async function read<T>(call: (client: GradcamClient) => Promise<T>): Promise<T> {
  client ??= createGradcamClient({ baseUrl: location.origin });
  try {
    return await call(client);
  } catch (error) {
    if (!(error instanceof GradcamApiError)) throw error;
    throw error.unreachable ? OFFLINE : new ApiError(error.title, error.detail, error.status);
  }
}

export function listModels(): Promise<ModelList> {
  return read((api) => api.listModels());
}

export function getExplanation(id: string): Promise<Explanation> {
  return read((api) => api.getExplanation(id));
}

/** The stored preview of an explained image (JPEG, longest side ≤ 512). */
export function getPreview(id: string): Promise<Blob> {
  return read((api) => api.preview(id));
}

export interface ExplainRequest {
  model: string;
  topk: number;
  method: MethodName;
}

export type ExplainProgress = { phase: 'uploading'; fraction: number } | { phase: 'computing' };

const RAW_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);

/**
 * POSTs the image as the raw body. XMLHttpRequest rather than fetch: it reports upload progress.
 * A file the browser cannot name a type for goes as application/octet-stream; the API sniffs it.
 */
export function explain(image: Blob, request: ExplainRequest, onProgress: (progress: ExplainProgress) => void): Promise<Explanation> {
  const query = new URLSearchParams({ model: request.model, topk: String(request.topk), method: request.method });
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/v1/explain?${query}`);
    xhr.setRequestHeader('content-type', RAW_TYPES.has(image.type) ? image.type : 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress({ phase: 'uploading', fraction: event.loaded / event.total });
    });
    xhr.upload.addEventListener('load', () => onProgress({ phase: 'computing' }));
    xhr.addEventListener('error', () => reject(OFFLINE));
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as Explanation);
        } catch {
          reject(new ApiError('The service sent an unreadable answer', xhr.responseText.slice(0, 200), xhr.status));
        }
      } else {
        reject(errorFromBody(xhr.status, xhr.statusText, xhr.getResponseHeader('content-type'), xhr.responseText));
      }
    });
    onProgress({ phase: 'uploading', fraction: 0 });
    xhr.send(image);
  });
}
