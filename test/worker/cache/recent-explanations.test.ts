/** The isolate's recent explanations: bounded by entries, bytes and age; each remembers how its write went. */
import { describe, expect, it } from 'vitest';
import type { StoredExplanation } from '../../../worker/cache/explanation-store';
import { PREVIEW_WAIT_MS, RecentExplanations } from '../../../worker/cache/recent-explanations';

function explanation(id: string, mapChars = 8): StoredExplanation {
  const map = { width: 1, height: 1, min: 0, max: 1, data: 'A'.repeat(mapChars), raw: 'A'.repeat(mapChars) };
  return {
    id,
    image: { sha256: `sha-${id}`, width: 1, height: 1, type: 'image/png' },
    model: { id: 'm', version: '1' },
    method: 'grad-cam',
    layer: { name: 'l', width: 1, height: 1, channels: 1 },
    predictions: [],
    explanations: [{ index: 0, label: 'a', score: 1, logit: 1, map }],
  };
}

const preview = Promise.resolve({ bytes: new Uint8Array([1]), type: 'image/jpeg' });

describe('RecentExplanations', () => {
  it('serves what was added with its storage status, and its preview by image hash', async () => {
    const recent = new RecentExplanations();
    recent.add(explanation('a'), preview);
    expect(recent.get('a')?.storage).toBe('pending');
    recent.settle('a', 'failed');
    expect(recent.get('a')?.storage).toBe('failed');
    expect((await recent.getPreview('sha-a'))?.type).toBe('image/jpeg');
    expect(await recent.getPreview('sha-other')).toBeUndefined();
  });

  it('drops the oldest beyond its entries or bytes, and anything older than its age', async () => {
    const byCount = new RecentExplanations({ maxEntries: 2, maxBytes: 1e9, maxAgeMs: 60_000 });
    for (const id of ['a', 'b', 'c']) byCount.add(explanation(id), preview);
    expect([byCount.get('a'), byCount.get('b'), byCount.get('c')].map(Boolean)).toEqual([false, true, true]);

    const byBytes = new RecentExplanations({ maxEntries: 100, maxBytes: 300_000, maxAgeMs: 60_000 });
    for (const id of ['a', 'b', 'c']) byBytes.add(explanation(id, 50_000), preview);
    expect(byBytes.size).toBe(1);
    expect(byBytes.get('c')).toBeDefined();

    const byAge = new RecentExplanations({ maxEntries: 100, maxBytes: 1e9, maxAgeMs: 5 });
    byAge.add(explanation('a'), preview);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(byAge.get('a')).toBeUndefined();
    expect(byAge.size).toBe(0);
  });

  it('waits PREVIEW_WAIT_MS in all, not per explanation, for previews that never come (Schemathesis found 45 s)', async () => {
    const recent = new RecentExplanations();
    const never = new Promise<never>(() => {});
    for (const id of ['a', 'b', 'c', 'd']) recent.add({ ...explanation(id), image: { ...explanation(id).image, sha256: 'same' } }, never);
    const started = Date.now();
    expect(await recent.getPreview('same')).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2 * PREVIEW_WAIT_MS);
    // Given up on: the next reader does not wait at all.
    const again = Date.now();
    expect(await recent.getPreview('same')).toBeUndefined();
    expect(Date.now() - again).toBeLessThan(PREVIEW_WAIT_MS / 2);
  }, 30_000);
});
