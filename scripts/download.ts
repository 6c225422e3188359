/**
 * Downloads a file for `model:add` (Node): a progress bar on a stream, the body in memory, and a clear
 * error when the network cannot be reached (machines without internet access are common here).
 */
import { createHash } from 'node:crypto';

export class DownloadError extends Error {
  override name = 'DownloadError';
}

export interface DownloadOptions {
  /** Where the progress bar goes (stderr in the CLI). */
  progress?: { write(text: string): unknown; isTTY?: boolean };
  /** Expected SHA-256 (hex); a mismatch throws DownloadError. */
  sha256?: string;
  /** What to call the file in messages; default its URL. */
  label?: string;
}

const BAR_WIDTH = 30;

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Renders "[#####·····]  45%  1.6/3.6 MB"; redrawn in place on a terminal, one line per 10% elsewhere. */
function progressBar(out: NonNullable<DownloadOptions['progress']>, label: string, total: number | undefined) {
  let lastStep = -1;
  return (received: number, done = false) => {
    if (!total) {
      if (done) out.write(`${label}: ${megabytes(received)}\n`);
      return;
    }
    const fraction = Math.min(1, received / total);
    const step = Math.floor(fraction * 10);
    if (!out.isTTY && step === lastStep && !done) return;
    if (!out.isTTY && done && lastStep === 10) return;
    lastStep = step;
    const filled = Math.round(fraction * BAR_WIDTH);
    const line = `${label} [${'#'.repeat(filled)}${'·'.repeat(BAR_WIDTH - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%  ${megabytes(received)}/${megabytes(total)}`;
    out.write(out.isTTY ? `\r${line}${done ? '\n' : ''}` : `${line}\n`);
  };
}

function networkCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

export async function download(url: string, options: DownloadOptions = {}): Promise<Uint8Array> {
  const label = options.label ?? url;
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new DownloadError(
      `could not download ${url} (${networkCause(error)}). This machine may have no internet access: ` +
        'download the file elsewhere, copy it here and run `npm run model:add -- <file>` (see "Adding a model" in README.md).',
    );
  }
  if (!response.ok || !response.body) throw new DownloadError(`could not download ${url}: HTTP ${response.status} ${response.statusText}`);
  const length = Number(response.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : undefined;
  const show = options.progress ? progressBar(options.progress, label, total) : undefined;
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.byteLength;
      show?.(received);
    }
  } catch (error) {
    throw new DownloadError(`the download of ${url} broke off after ${megabytes(received)} (${networkCause(error)})`);
  }
  show?.(received, true);
  if (total !== undefined && received !== total) throw new DownloadError(`the download of ${url} stopped at ${received} of ${total} bytes`);
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  if (options.sha256) verifySha256(bytes, options.sha256, label);
  return bytes;
}

/** Throws DownloadError unless `bytes` has the given SHA-256. */
export function verifySha256(bytes: Uint8Array, expected: string, label: string): void {
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== expected.toLowerCase()) {
    throw new DownloadError(`checksum mismatch for ${label}: expected SHA-256 ${expected.toLowerCase()}, got ${actual}`);
  }
}
