/** Real WebP files for tests, from libwebp's encoder (@jsquash/webp), which the worker itself never needs. */
import encodeWebpWith, { init } from '@jsquash/webp/encode.js';
import webpEncoderWasm from '@jsquash/webp/codec/enc/webp_enc_simd.wasm';

let started: Promise<unknown> | undefined;

export async function encodeWebp(
  rgba: Uint8ClampedArray,
  width: number,
  height: number,
  options: { lossless?: boolean; quality?: number } = {},
): Promise<Uint8Array> {
  // jsquash picks its SIMD build when the runtime has SIMD, as workerd does; hand it that binary.
  started ??= (init as unknown as (module: WebAssembly.Module) => Promise<unknown>)(webpEncoderWasm);
  await started;
  const image = { data: rgba, width, height, colorSpace: 'srgb' } as ImageData;
  return new Uint8Array(await encodeWebpWith(image, { lossless: options.lossless ? 1 : 0, quality: options.quality ?? 90 }));
}
