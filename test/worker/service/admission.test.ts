/** Admission per isolate: a byte budget, a bounded FIFO queue, a bounded wait; unit-style, in workerd. */
import { describe, expect, it } from 'vitest';
import { Admission, AdmissionRefusedError, decodeCostBytes, maxAdmissiblePixels, ADMISSION_DEFAULTS } from '../../../worker/service/admission';
import { DEFAULT_IMAGE_LIMITS } from '../../../worker/image';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('Admission', () => {
  it('runs what fits at once, queues the rest in order, and lets them in as room frees up', async () => {
    const admission = new Admission({ budgetBytes: 100, maxWaiting: 4, maxWaitMs: 5_000 });
    const order: string[] = [];
    const first = deferred();
    const a = admission.run(60, async () => {
      order.push('a');
      await first.promise;
    });
    const b = admission.run(60, async () => void order.push('b'));
    const c = admission.run(10, async () => void order.push('c')); // fits, but must not overtake b
    await Promise.resolve();
    expect(order).toEqual(['a']);
    expect(admission.state).toEqual({ inUse: 60, waiting: 2 });
    first.resolve();
    await Promise.all([a, b, c]);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(admission.state).toEqual({ inUse: 0, waiting: 0 });
  });

  it('refuses at once when the queue is full, and after the longest wait, with a Retry-After', async () => {
    const admission = new Admission({ budgetBytes: 100, maxWaiting: 1, maxWaitMs: 50 });
    const busy = deferred();
    const running = admission.run(100, () => busy.promise);
    const waiting = admission.run(100, async () => 'never');
    await expect(admission.run(1, async () => 'x')).rejects.toBeInstanceOf(AdmissionRefusedError);
    const refused = await waiting.catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AdmissionRefusedError);
    expect((refused as AdmissionRefusedError).retryAfterSeconds).toBe(1);
    busy.resolve();
    await running;
    expect(admission.state).toEqual({ inUse: 0, waiting: 0 });
  });

  it('runs an image larger than the budget alone, and frees its bytes when it throws', async () => {
    const admission = new Admission({ budgetBytes: 100, maxWaiting: 2, maxWaitMs: 1_000 });
    await expect(admission.run(500, async () => Promise.reject(new Error('decoder failed')))).rejects.toThrow('decoder failed');
    expect(admission.state.inUse).toBe(0);
  });

  it('admits the default pixel limit (a 4000×3000 photo) on its own, and nothing twice that size', () => {
    expect(DEFAULT_IMAGE_LIMITS.maxPixels).toBeLessThanOrEqual(maxAdmissiblePixels());
    expect(decodeCostBytes(4000, 3000)).toBeLessThanOrEqual(ADMISSION_DEFAULTS.budgetBytes);
    expect(decodeCostBytes(8000, 3000)).toBeGreaterThan(ADMISSION_DEFAULTS.budgetBytes);
  });
});
