/**
 * Admission per isolate: concurrent explanations share one isolate's 128 MB (Cloudflare Workers limits),
 * and what a miss needs is dominated by its decoded pixels. Each miss reserves its estimated bytes from a
 * budget before it decodes; what does not fit waits in a bounded FIFO queue for a bounded time, and beyond
 * that is refused with `AdmissionRefusedError` (a 503 with `Retry-After` at the HTTP edge).
 *
 * Defaults: ADMISSION_DEFAULTS (a 96 MB budget: 128 MB less the runtime, the loaded models and TF.js's
 * heap; 8 waiting, 10 s wait at most).
 *
 * Example: `await admission.run(decodeCostBytes(header.width, header.height), () => explainImage(...))`
 */

/**
 * Bytes a decode holds per pixel while the codec runs: its RGBA output inside its WASM heap and the RGBA copy
 * it hands to JavaScript (4 + 4). Not counted: the full-size upright RGB copy image/decode.ts makes next (3
 * more, while the JavaScript RGBA is still alive), so a 12-megapixel photo peaks near 132 MB, above one
 * isolate's 128 MB; only a scaled or fused decode can bring that down.
 */
export const DECODE_BYTES_PER_PIXEL = 8;
/** What every explanation needs besides its pixels: the model input, activations and gradients, the document. */
export const EXPLAIN_OVERHEAD_BYTES = 4 * 1024 * 1024;

export interface AdmissionOptions {
  budgetBytes: number;
  /** Requests waiting at most; one more is refused at once. */
  maxWaiting: number;
  /** How long one may wait before it is refused. */
  maxWaitMs: number;
}

export const ADMISSION_DEFAULTS: AdmissionOptions = { budgetBytes: 96 * 1024 * 1024, maxWaiting: 8, maxWaitMs: 10_000 };

/** The bytes a miss reserves for an image of this declared size. */
export function decodeCostBytes(width: number, height: number): number {
  return width * height * DECODE_BYTES_PER_PIXEL + EXPLAIN_OVERHEAD_BYTES;
}

/** The largest image (in pixels) that fits the budget on its own: the pixel limit must not exceed it. */
export function maxAdmissiblePixels(options: AdmissionOptions = ADMISSION_DEFAULTS): number {
  return Math.floor((options.budgetBytes - EXPLAIN_OVERHEAD_BYTES) / DECODE_BYTES_PER_PIXEL);
}

/** The isolate is busy: the request may be retried after `retryAfterSeconds`. */
export class AdmissionRefusedError extends Error {
  override name = 'AdmissionRefusedError';

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

interface Waiter {
  cost: number;
  admit: () => void;
}

export class Admission {
  #inUse = 0;
  readonly #waiting: Waiter[] = [];

  constructor(readonly options: AdmissionOptions = ADMISSION_DEFAULTS) {}

  /** Runs `work` once `cost` bytes are free (a cost above the budget runs alone); refuses when the queue is full or the wait too long. */
  async run<T>(cost: number, work: () => Promise<T>): Promise<T> {
    const reserved = Math.min(cost, this.options.budgetBytes);
    await this.#reserve(reserved);
    try {
      return await work();
    } finally {
      this.#inUse -= reserved;
      this.#admitWaiting();
    }
  }

  /** Bytes reserved now, and requests waiting (for diagnostics and tests). */
  get state(): { inUse: number; waiting: number } {
    return { inUse: this.#inUse, waiting: this.#waiting.length };
  }

  #fits(cost: number): boolean {
    return this.#inUse + cost <= this.options.budgetBytes;
  }

  #reserve(cost: number): Promise<void> {
    // FIFO: nobody overtakes a waiting request, so a large image is not starved by small ones.
    if (this.#waiting.length === 0 && this.#fits(cost)) {
      this.#inUse += cost;
      return Promise.resolve();
    }
    const retryAfter = Math.ceil(this.options.maxWaitMs / 1000);
    if (this.#waiting.length >= this.options.maxWaiting) {
      return Promise.reject(new AdmissionRefusedError(`this isolate is at capacity (${this.#waiting.length} explanations waiting)`, retryAfter));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        cost,
        admit: () => {
          clearTimeout(timer);
          this.#inUse += cost;
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        reject(new AdmissionRefusedError(`this isolate stayed at capacity for ${this.options.maxWaitMs} ms`, retryAfter));
        this.#admitWaiting();
      }, this.options.maxWaitMs);
      this.#waiting.push(waiter);
    });
  }

  #admitWaiting(): void {
    while (this.#waiting.length > 0 && this.#fits(this.#waiting[0].cost)) this.#waiting.shift()!.admit();
  }
}
