/**
 * What a call to the API failed with: the problem+json (RFC 9457) it answered with (`type`, `title`,
 * `status`, `detail`), or, with `status` 0, a request that never got an answer (an unreachable URL).
 */
import type { z } from 'zod';
import type { ProblemSchema } from '../worker/http/schemas';

export type Problem = z.output<typeof ProblemSchema>;

export class GradcamApiError extends Error {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;

  constructor(problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'GradcamApiError';
    this.type = problem.type;
    this.title = problem.title;
    this.status = problem.status;
    this.detail = problem.detail;
  }

  /** True when no answer arrived at all (status 0). */
  get unreachable(): boolean {
    return this.status === 0;
  }
}

/** The error for an answer that is not 2xx: its problem+json when it sent one, else its status line. */
export async function errorFromResponse(response: Response): Promise<GradcamApiError> {
  const body = await response.text();
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    try {
      const problem = JSON.parse(body) as Partial<Problem>;
      if (typeof problem.title === 'string') {
        return new GradcamApiError({
          type: typeof problem.type === 'string' ? problem.type : 'about:blank',
          title: problem.title,
          status: response.status,
          detail: typeof problem.detail === 'string' ? problem.detail : '',
        });
      }
    } catch {
      // Not JSON after all: the status line below.
    }
  }
  const statusLine = `The service answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  return new GradcamApiError({ type: 'about:blank', title: statusLine, status: response.status, detail: body.slice(0, 200) });
}

export function unreachableError(url: string, cause: unknown): GradcamApiError {
  const reason = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
  return new GradcamApiError({ type: 'about:blank', title: 'The service could not be reached', status: 0, detail: `${url}: ${reason}` });
}
