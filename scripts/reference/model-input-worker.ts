/**
 * A worker that answers the model input the service computes for an upload, as little-endian float32
 * NHWC bytes: the same decode (worker/image, in workerd) and the same resize and normalisation
 * (worker/model/preprocess) as `POST /v1/explain`. The reference generators feed these very tensors to
 * PyTorch, so that no difference in decoding or resizing can hide in a comparison of maps.
 *
 *   POST /?width=224&height=224&mean=127,127,127&std=128,128,128   (body: the image)
 */
import { DEFAULT_IMAGE_LIMITS, decodeImage } from '../../worker/image';
import { toModelInput } from '../../worker/model/preprocess';
import { WORKING_MAX_SIDE } from '../../worker/service/explain-pixels';
import { initWasmBackend } from '../../worker/runtime/wasm-workerd';

function triple(value: string | null): [number, number, number] {
  const numbers = (value ?? '').split(',').map(Number);
  if (numbers.length !== 3 || !numbers.every(Number.isFinite)) throw new Error(`not three numbers: ${value}`);
  return numbers as [number, number, number];
}

export default {
  async fetch(request) {
    try {
      await initWasmBackend();
      const url = new URL(request.url);
      const manifest = {
        input: { width: Number(url.searchParams.get('width')), height: Number(url.searchParams.get('height')) },
        preprocessing: { mean: triple(url.searchParams.get('mean')), std: triple(url.searchParams.get('std')) },
      };
      const image = await decodeImage(new Uint8Array(await request.arrayBuffer()), DEFAULT_IMAGE_LIMITS, { maxSide: WORKING_MAX_SIDE });
      const input = toModelInput(image, manifest);
      const values = (await input.data()) as Float32Array;
      input.dispose();
      return new Response(values.buffer as ArrayBuffer);
    } catch (error) {
      return new Response(error instanceof Error ? error.message : String(error), { status: 500 });
    }
  },
} satisfies ExportedHandler;
