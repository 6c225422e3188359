/**
 * Constant tensors of a TF Lite model as float32 values, whatever their storage type.
 *
 * Quantised tensors follow schema.fbs `QuantizationParameters`: real = scale · (q − zero_point). With one
 * scale the tensor is quantised per tensor (the uint8 models of TF 1.x); with one scale per slice along
 * `quantized_dimension` it is quantised per channel (the int8 models of TF 2.x, whose conv filters are
 * quantised along their output channels, dimension 0 of OHWI, and depthwise filters along dimension 3).
 */
import { TensorType, TENSOR_TYPE_NAMES } from './schema';

export interface Quantization {
  scale: readonly number[];
  zeroPoint: readonly number[];
  quantizedDimension: number;
}

export class DequantizeError extends Error {
  override name = 'DequantizeError';
}

const BYTES_PER_ELEMENT: Record<number, number> = {
  [TensorType.FLOAT32]: 4,
  [TensorType.FLOAT16]: 2,
  [TensorType.INT32]: 4,
  [TensorType.UINT8]: 1,
  [TensorType.INT64]: 8,
  [TensorType.INT16]: 2,
  [TensorType.INT8]: 1,
};

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** IEEE 754 binary16 → number (subnormals, infinities and NaN included). */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** The stored values as numbers, before any dequantisation (integers stay integers). */
export function storedValues(data: Uint8Array, type: number, count: number): Float32Array | Int32Array | Float64Array {
  const size = BYTES_PER_ELEMENT[type];
  if (size === undefined) throw new DequantizeError(`tensors of type ${TENSOR_TYPE_NAMES[type] ?? type} cannot be read`);
  if (data.byteLength !== count * size) {
    throw new DequantizeError(`holds ${data.byteLength} bytes where ${count} ${TENSOR_TYPE_NAMES[type]} values need ${count * size}`);
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  switch (type) {
    case TensorType.FLOAT32: {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    }
    case TensorType.FLOAT16: {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = float16ToNumber(view.getUint16(2 * i, true));
      return out;
    }
    case TensorType.INT32: {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, true);
      return out;
    }
    case TensorType.INT16: {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, true);
      return out;
    }
    case TensorType.UINT8:
      return Int32Array.from(data);
    case TensorType.INT8:
      return Int32Array.from(new Int8Array(data.buffer, data.byteOffset, data.byteLength));
    default: {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(8 * i, true));
      return out;
    }
  }
}

/** True when the parameters carry a scale, i.e. the stored integers stand for real numbers. */
export function isQuantized(quantization: Quantization | undefined): quantization is Quantization {
  return quantization !== undefined && quantization.scale.length > 0;
}

/**
 * The real values of a constant tensor: floats as they are, quantised integers through their scales and
 * zero points (per tensor or per channel), unquantised integers as numbers.
 */
export function dequantize(data: Uint8Array, type: number, shape: readonly number[], quantization?: Quantization): Float32Array {
  const count = elementCount(shape);
  const values = storedValues(data, type, count);
  if (type === TensorType.FLOAT32 || type === TensorType.FLOAT16 || !isQuantized(quantization)) {
    return values instanceof Float32Array ? values : Float32Array.from(values);
  }
  const { scale, zeroPoint, quantizedDimension } = quantization;
  const zero = (c: number) => zeroPoint[zeroPoint.length === 1 ? 0 : c] ?? 0;
  const out = new Float32Array(count);
  if (scale.length === 1) {
    const s = scale[0];
    const z = zero(0);
    for (let i = 0; i < count; i++) out[i] = s * (values[i] - z);
    return out;
  }
  const channels = shape[quantizedDimension];
  if (channels !== scale.length || (zeroPoint.length !== 1 && zeroPoint.length !== 0 && zeroPoint.length !== channels)) {
    throw new DequantizeError(
      `has ${scale.length} scales and ${zeroPoint.length} zero points for dimension ${quantizedDimension} of shape [${shape.join(', ')}]`,
    );
  }
  // Elements sharing a channel come in runs of `inner` (the product of the later dimensions).
  const inner = elementCount(shape.slice(quantizedDimension + 1));
  for (let i = 0; i < count; i++) {
    const c = Math.floor(i / inner) % channels;
    out[i] = scale[c] * (values[i] - zero(c));
  }
  return out;
}
