/**
 * Errors as `application/problem+json` (RFC 9457): `type`, `title`, `status`, `detail`.
 * `type` is a relative URI naming the kind of problem; the OpenAPI document lists them.
 */

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
}

/** The problems this API answers with, by status. */
export const PROBLEMS = {
  badRequest: { status: 400, type: '/problems/bad-request', title: 'Bad request' },
  notFound: { status: 404, type: '/problems/not-found', title: 'Not found' },
  modelNotFound: { status: 404, type: '/problems/model-not-found', title: 'Unknown model' },
  notImplemented: { status: 501, type: '/problems/not-implemented', title: 'Not implemented' },
  tooLarge: { status: 413, type: '/problems/too-large', title: 'Image too large' },
  unsupportedType: { status: 415, type: '/problems/unsupported-media-type', title: 'Unsupported image type' },
  notJson: { status: 415, type: '/problems/unsupported-media-type', title: 'Unsupported media type' },
  undecodable: { status: 422, type: '/problems/undecodable-image', title: 'Image could not be decoded' },
  rateLimited: { status: 429, type: '/problems/rate-limited', title: 'Too many requests' },
  unauthorized: { status: 401, type: '/problems/unauthorized', title: 'API key required' },
  unavailable: { status: 503, type: '/problems/unavailable', title: 'Service unavailable' },
  internal: { status: 500, type: '/problems/internal', title: 'Internal error' },
} as const;

export type ProblemKind = keyof typeof PROBLEMS;

/** Thrown anywhere below the handlers to end the request with this problem. */
export class ProblemError extends Error {
  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    /** Headers the answer must carry (`Retry-After`, `WWW-Authenticate`…). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
  }

  toProblem(): Problem {
    const { status, type, title } = PROBLEMS[this.kind];
    return { type, title, status, detail: this.detail };
  }
}

export function problemResponse(problem: Problem, headers?: HeadersInit): Response {
  const response = new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json' },
  });
  for (const [name, value] of new Headers(headers)) response.headers.set(name, value);
  return response;
}
