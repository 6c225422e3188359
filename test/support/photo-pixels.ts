/**
 * The fixture photos as a model's input pixels, in Node: decoded by the worker's jsquash codecs (started
 * from their `.wasm` bytes, since Node has no wrangler CompiledWasm import), made RGB by the worker's
 * rgbaToRgb, and resized by the worker's own bilinear resize (toModelInput with mean 0, std 1).
 *
 * The resized samples are rounded to integers: a uint8 or int8 model can only be fed integer pixels, so
 * the one input that both our importer and a reference runtime can take exactly is an integer one.
 *
 * Example: `const pixels = await photoPixels('chelsea.png', 224, 224)` (224·224·3 bytes, row-major RGB).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import decodeJpeg, { init as initJpeg } from '@jsquash/jpeg/decode.js';
import decodePng, { init as initPng } from '@jsquash/png/decode.js';
import type { RgbImage } from '../../worker/image/rgb-image';
import { rgbaToRgb } from '../../worker/image/to-rgb';
import { toModelInput } from '../../worker/model/preprocess';

export const FIXTURES_DIR = path.resolve(import.meta.dirname, '../../../shared/fixtures');

const require = createRequire(import.meta.url);
/** jsquash's `init(module)`; its published types omit the module parameter. */
type ModuleInit = (module: WebAssembly.Module) => Promise<unknown>;

let codecsReady: Promise<unknown> | undefined;
function startCodecs(): Promise<unknown> {
  const compile = (file: string) => WebAssembly.compile(readFileSync(require.resolve(file)));
  codecsReady ??= Promise.all([
    compile('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm').then((m) => (initJpeg as unknown as ModuleInit)(m)),
    compile('@jsquash/png/codec/pkg/squoosh_png_bg.wasm').then((m) => (initPng as unknown as ModuleInit)(m)),
  ]);
  return codecsReady;
}

/** A photo of ../shared/fixtures/images, decoded to upright RGB. */
export async function decodeFixturePhoto(file: string): Promise<RgbImage> {
  await startCodecs();
  const bytes = readFileSync(path.join(FIXTURES_DIR, 'images', file));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const rgba = file.endsWith('.png') ? await decodePng(buffer) : await decodeJpeg(buffer);
  return rgbaToRgb(rgba.data, rgba.width, rgba.height);
}

/** A fixture photo resized to width × height by the worker's bilinear resize, rounded to 0–255. Needs a TF.js backend. */
export async function photoPixels(file: string, width: number, height: number): Promise<RgbImage> {
  const image = await decodeFixturePhoto(file);
  const resized = toModelInput(image, { input: { width, height }, preprocessing: { mean: [0, 0, 0], std: [1, 1, 1] } });
  const values = await resized.data();
  resized.dispose();
  const data = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = Math.min(255, Math.max(0, Math.round(values[i])));
  return { width, height, data };
}

/** Whether ../shared/fixtures is beside the clone. */
export function fixturesPresent(): boolean {
  try {
    readFileSync(path.join(FIXTURES_DIR, 'SHA256SUMS'));
    return true;
  } catch {
    return false;
  }
}

