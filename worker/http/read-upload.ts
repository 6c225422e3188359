/**
 * Reads the uploaded image from a request: the raw body (`image/jpeg`, `image/png`, `image/webp`,
 * `application/octet-stream`) or the `image` field of `multipart/form-data`. The byte limit is enforced
 * while reading, so an oversized upload is refused without being buffered whole.
 */
import { ProblemError } from './problem';

const RAW_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'application/octet-stream']);
/** Room for multipart boundaries and part headers on top of the image itself. */
const MULTIPART_OVERHEAD = 64 * 1024;

async function readLimited(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new ProblemError('tooLarge', `the upload is ${declared} bytes; the limit is ${maxBytes}`);
  }
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new ProblemError('tooLarge', `the upload exceeds the limit of ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

export async function readUploadedImage(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const contentType = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (contentType === 'multipart/form-data') {
    const body = await readLimited(request, maxBytes + MULTIPART_OVERHEAD);
    const form = await new Response(body, { headers: { 'content-type': request.headers.get('content-type')! } })
      .formData()
      .catch(() => {
        throw new ProblemError('badRequest', 'the multipart body could not be parsed');
      });
    const file = form.get('image');
    if (file === null || typeof file === 'string') {
      throw new ProblemError('badRequest', 'the multipart body has no file field named "image"');
    }
    if (file.size > maxBytes) throw new ProblemError('tooLarge', `the image is ${file.size} bytes; the limit is ${maxBytes}`);
    return new Uint8Array(await file.arrayBuffer());
  }
  if (!RAW_TYPES.has(contentType)) {
    throw new ProblemError(
      'unsupportedType',
      `Content-Type "${contentType || '(none)'}" is not accepted: send image/jpeg, image/png or image/webp, or multipart/form-data with an "image" field`,
    );
  }
  const bytes = await readLimited(request, maxBytes);
  if (bytes.byteLength === 0) throw new ProblemError('badRequest', 'the request body is empty');
  return bytes;
}
