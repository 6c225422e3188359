/**
 * The API's maps, decoded for drawing. `data` (base64 uint8, min–max normalised per class) draws as it
 * is; `raw` (base64 float32 LE) is put on one scale shared by every class of the explanation, so a
 * weak class looks weak next to a strong one and the legend can show the API's raw values.
 */
import type { MapRange } from '../../worker/explain/normalize';
import type { ClassExplanationDocument, EncodedMap } from '../../worker/service/explanation-document';
import type { HeatMap } from '../../worker/render/overlay';
import type { ScaleName } from './state';

export function decodeBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The raw float32 little-endian values of a map. */
export function decodeRawMap(map: EncodedMap): Float32Array {
  const bytes = decodeBase64(map.raw);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(map.width * map.height);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  return values;
}

/** One scale for the raw maps of an explanation: from the lowest `min` to the highest `max` the API gave. */
export function rawRange(explanations: readonly Pick<ClassExplanationDocument, 'map'>[]): MapRange {
  return {
    min: Math.min(...explanations.map((e) => e.map.min)),
    max: Math.max(...explanations.map((e) => e.map.max)),
  };
}

/** The map to draw (0…255 per cell) for a scale; `range` is the explanation's `rawRange` for `raw`. */
export function displayMap(map: EncodedMap, scale: ScaleName, range: MapRange): HeatMap {
  if (scale === 'normalised') return { width: map.width, height: map.height, data: decodeBase64(map.data) };
  const raw = decodeRawMap(map);
  const span = range.max - range.min;
  const data = new Uint8Array(raw.length);
  // An all-zero explanation (span 0) draws as the bottom colour, not as NaN.
  for (let i = 0; i < raw.length; i++) {
    const level = span > 0 ? Math.round(((raw[i] - range.min) / span) * 255) : 0;
    data[i] = Math.min(255, Math.max(0, level));
  }
  return { width: map.width, height: map.height, data };
}
