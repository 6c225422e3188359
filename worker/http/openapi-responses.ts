import { PROBLEMS } from './problem';
import { ProblemSchema } from './schemas';

const DESCRIPTIONS: Record<number, string> = Object.fromEntries(
  Object.values(PROBLEMS).map((p) => [p.status, p.title]),
);

/** OpenAPI response entries for the given problem statuses. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: DESCRIPTIONS[status] ?? 'Problem', content: { 'application/problem+json': { schema: ProblemSchema } } },
    ]),
  );
}
