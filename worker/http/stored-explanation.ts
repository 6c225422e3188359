/**
 * Looking up a stored explanation and its preview for the routes that render one (pages, oEmbed, card):
 * a malformed id or a missing entry is a 404 problem, never a 500.
 */
import { EXPLANATION_ID } from '../cache/explanation-key';
import type { ExplanationStore, StoredExplanation, StoredPreview } from '../cache/explanation-store';
import { ProblemError } from './problem';

export function isExplanationId(id: string): boolean {
  return EXPLANATION_ID.test(id);
}

/** The explanation, or undefined for an id that is malformed, unknown or expired. */
export async function findExplanation(store: ExplanationStore, id: string): Promise<StoredExplanation | undefined> {
  return isExplanationId(id) ? store.get(id) : undefined;
}

/** The detail of the 404 for an unknown id, as GET /v1/explanations/{id} words it. */
export function unknownExplanationDetail(id: string): string {
  return `no explanation with id ${id} (it may have expired)`;
}

export async function requireExplanation(store: ExplanationStore, id: string): Promise<StoredExplanation> {
  const explanation = await findExplanation(store, id);
  if (!explanation) throw new ProblemError('notFound', unknownExplanationDetail(id));
  return explanation;
}

export async function requirePreview(store: ExplanationStore, explanation: StoredExplanation): Promise<StoredPreview> {
  const preview = await store.getPreview(explanation.image.sha256);
  if (!preview) throw new ProblemError('notFound', `the image of explanation ${explanation.id} is no longer stored`);
  return preview;
}
