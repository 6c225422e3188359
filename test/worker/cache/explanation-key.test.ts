import { describe, expect, it } from 'vitest';
import { EXPLANATION_ID, explanationCacheKey, explanationId } from '../../../worker/cache/explanation-key';
import type { ModelManifest } from '../../../worker/model/manifest';
import type { ResolvedExplainRequest } from '../../../worker/service/explain-image';

const manifest = {
  id: 'm',
  version: 'v1',
  gradcamLayer: 'auto',
  labels: ['a', 'b'],
} as unknown as ModelManifest;
const SHA = 'a'.repeat(64);

function request(overrides: Partial<ResolvedExplainRequest> = {}): ResolvedExplainRequest {
  return { manifest, targets: { top: 3 }, method: 'grad-cam', ...overrides };
}

async function id(sha = SHA, r = request(), secret = 's') {
  return explanationId(secret, await explanationCacheKey(sha, r));
}

describe('explanation keys and ids', () => {
  it('are 22 url-safe characters and stable', async () => {
    const first = await id();
    expect(first).toMatch(EXPLANATION_ID);
    expect(await id()).toBe(first);
  });

  it('change with everything that changes the result', async () => {
    const base = await id();
    const variants = await Promise.all([
      id('b'.repeat(64)),
      id(SHA, request({ manifest: { ...manifest, id: 'other' } })),
      id(SHA, request({ manifest: { ...manifest, version: 'v2' } })),
      id(SHA, request({ manifest: { ...manifest, labels: ['a', 'c'] } })),
      id(SHA, request({ layer: 'conv' })),
      id(SHA, request({ method: 'grad-cam++' as never })),
      id(SHA, request({ targets: { top: 2 } })),
      id(SHA, request({ targets: { classes: [0] } })),
      id(SHA, request(), 'another secret'),
    ]);
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });
});
