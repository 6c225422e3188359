/**
 * Stored explanations for the tests of the pages, embeds and images that show them (workerd only): a
 * real explanation of a fixture photo by this repository's compact model, through the real API and KV.
 */
import { SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { StoredExplanation } from '../../worker/cache/explanation-store';
import { ExplanationStore } from '../../worker/cache/explanation-store';
import type { ExplanationLinks } from '../../worker/http/links';
import { fixtureBytes } from './files';
import { seedRepositoryModel } from './models';

/** A fast model whose files are in this repository; named explicitly, whatever the default model is. */
export const COMPACT_MODEL_ID = 'compact-efficientnet';

export type ExplainedBody = StoredExplanation & { links: ExplanationLinks };

const kv = () => (env as unknown as { MODELS: KVNamespace; EXPLANATIONS: KVNamespace });

/** Explains `images/<image>` of the fixtures with the compact model and answers the stored document. */
export async function explainFixture(image = 'chelsea.png', query = 'topk=2'): Promise<ExplainedBody> {
  await seedRepositoryModel(kv().MODELS, COMPACT_MODEL_ID);
  const response = await SELF.fetch(`http://worker/v1/explain?model=${COMPACT_MODEL_ID}&${query}`, {
    method: 'POST',
    headers: { 'content-type': image.endsWith('.png') ? 'image/png' : 'image/jpeg' },
    body: await fixtureBytes(`images/${image}`),
  });
  if (response.status !== 200) throw new Error(`explain answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as ExplainedBody;
}

/**
 * Stores a copy of `explanation` under `id` with its labels replaced by `label` (to check escaping with
 * labels no model ships); the preview is the original's, read back through the API (its KV write may
 * still be running in the background).
 */
export async function plantRelabelled(explanation: StoredExplanation, id: string, label: string): Promise<void> {
  const { links: _links, ...document } = explanation as ExplainedBody;
  const relabelled: StoredExplanation = {
    ...document,
    id,
    predictions: document.predictions.map((p) => ({ ...p, label })),
    explanations: document.explanations.map((e) => ({ ...e, label })),
  };
  const preview = async () => {
    const response = await SELF.fetch(`http://worker/v1/explanations/${explanation.id}/image`);
    if (!response.ok) throw new Error(`the original's preview answered ${response.status}`);
    return { bytes: new Uint8Array(await response.arrayBuffer()), type: response.headers.get('content-type') ?? 'image/jpeg' };
  };
  const stored = await new ExplanationStore(kv().EXPLANATIONS, 3600).put(relabelled, preview);
  if (!stored) throw new Error('could not plant the explanation');
}
