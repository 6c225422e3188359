import { encodeBase64 } from 'hono/utils/encode';
import type { ClassMap } from '../explain/explain-classes';
import { normalizeMinMax, quantizeUnit } from '../explain/normalize';
import type { EncodedMap } from './explanation-document';

/** A method's raw map → the API's encoding (normalised bytes + raw float32, both base64). */
export function encodeMap(map: ClassMap): EncodedMap {
  const normalized = quantizeUnit(normalizeMinMax(map.values, map));
  const raw = new Float32Array(map.values);
  return {
    width: map.width,
    height: map.height,
    min: map.min,
    max: map.max,
    data: encodeBase64(normalized.buffer),
    raw: encodeBase64(raw.buffer),
  };
}
