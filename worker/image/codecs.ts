/**
 * The jsquash codecs, started inside workerd from `.wasm` modules imported through wrangler's CompiledWasm
 * rule (workerd refuses to compile WebAssembly from bytes, which is what each package's default `init`
 * does). The only file of the image module that knows how the codecs are loaded.
 *
 * Each codec starts lazily, once. The Emscripten ones (mozjpeg, libwebp) are started afresh after a failure
 * — libjpeg reports fatal errors through `exit()`, which unwinds past its cleanup, so what it allocated stays —
 * and after decoding a large image, because a WebAssembly memory never shrinks and the isolate has 128 MB
 * for everything. Re-instantiating a compiled module takes about a millisecond. The PNG codec
 * (wasm-bindgen) keeps its instance in the package and cannot be restarted.
 */
import decodeJpegWith, { init as initJpegDecoder } from '@jsquash/jpeg/decode.js';
import encodeJpegWith, { init as initJpegEncoder } from '@jsquash/jpeg/encode.js';
import decodePngWith, { init as initPngDecoder } from '@jsquash/png/decode.js';
import encodePngWith, { init as initPngEncoder } from '@jsquash/png/encode.js';
import decodeWebpWith, { init as initWebpDecoder } from '@jsquash/webp/decode.js';
import jpegDecoderWasm from '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm';
import jpegEncoderWasm from '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm';
import pngWasm from '@jsquash/png/codec/pkg/squoosh_png_bg.wasm';
import webpDecoderWasm from '@jsquash/webp/codec/dec/webp_dec.wasm';

/** Decoded pixels as the codecs return them: RGBA, 8 bits per channel. */
export interface RgbaPixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** Above this many output bytes (4 megapixels of RGBA) a decoder's grown memory is let go. */
const LARGE_OUTPUT_BYTES = 16 * 1024 * 1024;

/** jsquash's Emscripten `init(module, overrides)`; its published types omit the module parameter. */
type EmscriptenInit = (module: WebAssembly.Module, overrides: { printErr: (line: string) => void }) => Promise<unknown>;

/**
 * A lazily started Emscripten codec that remembers the last line it printed to stderr, which is the only
 * place libjpeg says why it failed (its `exit()` throws a bare ExitStatus).
 */
function emscriptenCodec(init: unknown, wasm: WebAssembly.Module) {
  let started: Promise<unknown> | undefined;
  let lastMessage = '';
  // Replacing jsquash's instance is what lets the old one, and its memory, be collected. It is replaced by
  // the next call, never by the one that failed: workerd does not settle a promise for other requests once
  // the request that created it has ended, so a restart begun by a failing request could hang the next one.
  const start = () => (started = (init as EmscriptenInit)(wasm, { printErr: (line) => (lastMessage = line) }));
  return async function run<T extends { data: { byteLength: number } }>(call: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      await (started ?? start());
      lastMessage = '';
      result = await call();
    } catch (error) {
      const message = lastMessage || describe(error);
      started = undefined;
      throw new CodecError(message, { cause: error });
    }
    if (result.data.byteLength > LARGE_OUTPUT_BYTES) started = undefined;
    return result;
  };
}

/** A codec refused its input; the message is the codec's own. */
export class CodecError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CodecError';
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const runJpegDecoder = emscriptenCodec(initJpegDecoder, jpegDecoderWasm);
const runJpegEncoder = emscriptenCodec(initJpegEncoder, jpegEncoderWasm);
const runWebpDecoder = emscriptenCodec(initWebpDecoder, webpDecoderWasm);

let pngStarted: Promise<unknown> | undefined;
/** Both entry points share one wasm-bindgen instance; starting either starts it. */
function startPng(): Promise<unknown> {
  pngStarted ??= Promise.all([initPngDecoder(pngWasm), initPngEncoder(pngWasm)]);
  return pngStarted;
}

/** EXIF orientation is applied by the caller (see to-rgb.ts), so the decoder is told to ignore it. */
export function decodeJpegRgba(bytes: Uint8Array): Promise<RgbaPixels> {
  return runJpegDecoder(() => decodeJpegWith(exactBuffer(bytes), { preserveOrientation: false }));
}

export function decodeWebpRgba(bytes: Uint8Array): Promise<RgbaPixels> {
  return runWebpDecoder(() => decodeWebpWith(exactBuffer(bytes)));
}

export async function decodePngRgba(bytes: Uint8Array): Promise<RgbaPixels> {
  try {
    await startPng();
    return await decodePngWith(exactBuffer(bytes));
  } catch (error) {
    throw new CodecError(describe(error), { cause: error });
  }
}

export async function encodeJpegRgba(pixels: RgbaPixels, quality: number): Promise<Uint8Array> {
  const { data } = await runJpegEncoder(async () => ({
    data: new Uint8Array(await encodeJpegWith(asImageData(pixels), { quality })),
  }));
  return data;
}

export async function encodePngRgba(pixels: RgbaPixels): Promise<Uint8Array> {
  await startPng();
  return new Uint8Array(await encodePngWith(asImageData(pixels)));
}

/**
 * The codecs read `bytes.buffer` whole (the PNG encoder, for one), so a view into a larger buffer must be
 * copied out first.
 */
function exactBuffer(bytes: Uint8Array | Uint8ClampedArray): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return (whole ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
}

/** The encoders only read `data`, `width` and `height`; workerd has no ImageData of its own. */
function asImageData(pixels: RgbaPixels): ImageData {
  const data = new Uint8ClampedArray(exactBuffer(pixels.data));
  return { data, width: pixels.width, height: pixels.height, colorSpace: 'srgb' } as ImageData;
}
