/**
 * Writes small TF Lite flatbuffers for tests with the `flatbuffers` runtime's Builder, field ids as in
 * TensorFlow's schema.fbs (and metadata_schema.fbs for the metadata). Only what the tests need: one
 * subgraph, builtin or custom operators with their options, constant buffers, quantisation, metadata and
 * an appended zip of associated files.
 */
import { Builder } from 'flatbuffers';

export const TensorType = { FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3, INT64: 4, INT16: 7, INT8: 9 } as const;

/** schema.fbs `union BuiltinOptions` member numbers. */
export const OptionsType = {
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ConcatenationOptions: 10,
  AddOptions: 11,
  ReshapeOptions: 17,
  MulOptions: 21,
  PadOptions: 22,
  ReducerOptions: 27,
  SubOptions: 28,
  SqueezeOptions: 30,
} as const;

export interface TensorSpec {
  name: string;
  shape: number[];
  type?: number;
  /** Constant data, already in the storage type's bytes (see bytesOf). */
  data?: Uint8Array;
  quantization?: { scale: number[]; zeroPoint: number[]; quantizedDimension?: number };
}

/** An options field: [field id, kind, value]. */
export type OptionField = [number, 'int8' | 'int32' | 'float32' | 'bool', number | boolean] | [number, 'int32Vector', number[]];

export interface OperatorSpec {
  /** A builtin operator code, or a custom operator's name. */
  op: number | string;
  inputs: number[];
  outputs: number[];
  options?: { type: number; fields: OptionField[] };
}

export interface ModelSpec {
  tensors: TensorSpec[];
  inputs: number[];
  outputs: number[];
  operators: OperatorSpec[];
  /** A TFLITE_METADATA flatbuffer (see buildMetadata). */
  metadata?: Uint8Array;
  /** A zip of associated files appended to the model, as TF Lite's metadata writer does (see zipArchive). */
  appendix?: Uint8Array;
}

/** Little-endian bytes of values in a TF Lite storage type. */
export function bytesOf(values: ArrayLike<number>, type: number): Uint8Array {
  const size = { [TensorType.FLOAT32]: 4, [TensorType.FLOAT16]: 2, [TensorType.INT32]: 4, [TensorType.UINT8]: 1, [TensorType.INT64]: 8, [TensorType.INT16]: 2, [TensorType.INT8]: 1 }[type]!;
  const view = new DataView(new ArrayBuffer(values.length * size));
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (type === TensorType.FLOAT32) view.setFloat32(4 * i, v, true);
    else if (type === TensorType.FLOAT16) view.setUint16(2 * i, v, true);
    else if (type === TensorType.INT32) view.setInt32(4 * i, v, true);
    else if (type === TensorType.INT64) view.setBigInt64(8 * i, BigInt(v), true);
    else if (type === TensorType.INT16) view.setInt16(2 * i, v, true);
    else if (type === TensorType.INT8) view.setInt8(i, v);
    else view.setUint8(i, v);
  }
  return new Uint8Array(view.buffer);
}

/** IEEE 754 binary16 bits of a number, rounded to nearest even (normal range; smaller magnitudes become zero). */
export function float16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (exponent <= 0) return sign;
  let half = sign | (exponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) half += 1;
  return half;
}

export function floats(values: ArrayLike<number>): Uint8Array {
  return bytesOf(values, TensorType.FLOAT32);
}

function int32Vector(b: Builder, values: readonly number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]);
  return b.endVector();
}

function float32Vector(b: Builder, values: readonly number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]);
  return b.endVector();
}

function int64Vector(b: Builder, values: readonly number[]): number {
  b.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i]));
  return b.endVector();
}

function offsetVector(b: Builder, offsets: readonly number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]);
  return b.endVector();
}

function byteVector(b: Builder, bytes: Uint8Array): number {
  // schema.fbs Buffer.data is force_align 16.
  b.startVector(1, bytes.length, 16);
  for (let i = bytes.length - 1; i >= 0; i--) b.addInt8(bytes[i]);
  return b.endVector();
}

function optionsTable(b: Builder, fields: OptionField[]): number {
  const vectors = new Map<number, number>();
  for (const [id, kind, value] of fields) if (kind === 'int32Vector') vectors.set(id, int32Vector(b, value as number[]));
  b.startObject(Math.max(0, ...fields.map(([id]) => id + 1)));
  for (const [id, kind, value] of fields) {
    if (kind === 'int8') b.addFieldInt8(id, value as number, 0);
    else if (kind === 'bool') b.addFieldInt8(id, value ? 1 : 0, 0);
    else if (kind === 'int32') b.addFieldInt32(id, value as number, 0);
    else if (kind === 'float32') b.addFieldFloat32(id, value as number, 0);
    else b.addFieldOffset(id, vectors.get(id)!, 0);
  }
  return b.endObject();
}

/**
 * A zip archive (PKWARE APPNOTE 4.3): entries with `compressed` data are stored as deflated (method 8),
 * the others as they are (method 0).
 */
export function zipArchive(entries: { name: string; raw: Uint8Array; compressed?: Uint8Array }[]): Uint8Array {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (data: Uint8Array) => {
    let c = 0xffffffff;
    for (const byte of data) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = new TextEncoder().encode(entry.name);
    const data = entry.compressed ?? entry.raw;
    const method = entry.compressed ? 8 : 0;
    const local = new DataView(new ArrayBuffer(30 + name.length));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(8, method, true);
    local.setUint32(14, crc32(entry.raw), true);
    local.setUint32(18, data.length, true);
    local.setUint32(22, entry.raw.length, true);
    local.setUint16(26, name.length, true);
    new Uint8Array(local.buffer).set(name, 30);
    const central = new DataView(new ArrayBuffer(46 + name.length));
    central.setUint32(0, 0x02014b50, true);
    central.setUint16(4, 20, true);
    central.setUint16(6, 20, true);
    central.setUint16(10, method, true);
    central.setUint32(16, crc32(entry.raw), true);
    central.setUint32(20, data.length, true);
    central.setUint32(24, entry.raw.length, true);
    central.setUint16(28, name.length, true);
    central.setUint32(42, offset, true);
    new Uint8Array(central.buffer).set(name, 46);
    locals.push(new Uint8Array(local.buffer), data);
    centrals.push(new Uint8Array(central.buffer));
    offset += local.byteLength + data.length;
  }
  const directorySize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, directorySize, true);
  end.setUint32(16, offset, true);
  return concat([...locals, ...centrals, new Uint8Array(end.buffer)]);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A finished TF Lite model (file identifier "TFL3"). */
export function buildTflite(spec: ModelSpec): Uint8Array {
  const b = new Builder(1024);
  // Buffer 0 is the empty sentinel; every constant tensor gets its own buffer after it.
  const bufferData: (Uint8Array | undefined)[] = [undefined];
  const tensorBuffer = spec.tensors.map((t) => (t.data ? bufferData.push(t.data) - 1 : 0));
  const metadataBuffer = spec.metadata ? bufferData.push(spec.metadata) - 1 : -1;

  const tensors = spec.tensors.map((t, i) => {
    const name = b.createString(t.name);
    const shape = int32Vector(b, t.shape);
    let quantization = 0;
    if (t.quantization) {
      const scale = float32Vector(b, t.quantization.scale);
      const zeroPoint = int64Vector(b, t.quantization.zeroPoint);
      b.startObject(7);
      b.addFieldOffset(2, scale, 0);
      b.addFieldOffset(3, zeroPoint, 0);
      b.addFieldInt32(6, t.quantization.quantizedDimension ?? 0, 0);
      quantization = b.endObject();
    }
    b.startObject(5);
    b.addFieldOffset(0, shape, 0);
    b.addFieldInt8(1, t.type ?? TensorType.FLOAT32, 0);
    b.addFieldInt32(2, tensorBuffer[i], 0);
    b.addFieldOffset(3, name, 0);
    if (quantization) b.addFieldOffset(4, quantization, 0);
    return b.endObject();
  });

  const codes: (number | string)[] = [...new Set(spec.operators.map((o) => o.op))];
  const operatorCodes = codes.map((code) => {
    const custom = typeof code === 'string' ? b.createString(code) : 0;
    b.startObject(4);
    const builtin = typeof code === 'string' ? 32 : code;
    b.addFieldInt8(0, Math.min(builtin, 127), 0);
    if (custom) b.addFieldOffset(1, custom, 0);
    b.addFieldInt32(2, 1, 1);
    b.addFieldInt32(3, builtin, 0);
    return b.endObject();
  });

  const operators = spec.operators.map((o) => {
    const inputs = int32Vector(b, o.inputs);
    const outputs = int32Vector(b, o.outputs);
    const options = o.options ? optionsTable(b, o.options.fields) : 0;
    b.startObject(5);
    b.addFieldInt32(0, codes.indexOf(o.op), 0);
    b.addFieldOffset(1, inputs, 0);
    b.addFieldOffset(2, outputs, 0);
    if (o.options) {
      b.addFieldInt8(3, o.options.type, 0);
      b.addFieldOffset(4, options, 0);
    }
    return b.endObject();
  });

  const tensorVector = offsetVector(b, tensors);
  const inputs = int32Vector(b, spec.inputs);
  const outputs = int32Vector(b, spec.outputs);
  const operatorVector = offsetVector(b, operators);
  const subgraphName = b.createString('main');
  b.startObject(5);
  b.addFieldOffset(0, tensorVector, 0);
  b.addFieldOffset(1, inputs, 0);
  b.addFieldOffset(2, outputs, 0);
  b.addFieldOffset(3, operatorVector, 0);
  b.addFieldOffset(4, subgraphName, 0);
  const subgraph = b.endObject();

  const buffers = bufferData.map((data) => {
    const vector = data ? byteVector(b, data) : 0;
    b.startObject(1);
    if (vector) b.addFieldOffset(0, vector, 0);
    return b.endObject();
  });

  let metadata = 0;
  if (spec.metadata) {
    const name = b.createString('TFLITE_METADATA');
    b.startObject(2);
    b.addFieldOffset(0, name, 0);
    b.addFieldInt32(1, metadataBuffer, 0);
    metadata = offsetVector(b, [b.endObject()]);
  }

  const codeVector = offsetVector(b, operatorCodes);
  const subgraphs = offsetVector(b, [subgraph]);
  const bufferVector = offsetVector(b, buffers);
  const description = b.createString('written by a test');
  b.startObject(7);
  b.addFieldInt32(0, 3, 0);
  b.addFieldOffset(1, codeVector, 0);
  b.addFieldOffset(2, subgraphs, 0);
  b.addFieldOffset(3, description, 0);
  b.addFieldOffset(4, bufferVector, 0);
  if (metadata) b.addFieldOffset(6, metadata, 0);
  b.finish(b.endObject(), 'TFL3');
  const model = b.asUint8Array();
  return spec.appendix ? concat([model, spec.appendix]) : model;
}

export interface MetadataSpec {
  name?: string;
  description?: string;
  license?: string;
  normalization?: { mean: number[]; std: number[] };
  /** Name of the output's label file (AssociatedFileType.TENSOR_AXIS_LABELS). */
  labelFile?: string;
}

/** A TF Lite metadata flatbuffer (metadata_schema.fbs, identifier "M001"). */
export function buildMetadata(spec: MetadataSpec): Uint8Array {
  const b = new Builder(256);
  let processUnits = 0;
  if (spec.normalization) {
    const mean = float32Vector(b, spec.normalization.mean);
    const std = float32Vector(b, spec.normalization.std);
    b.startObject(2);
    b.addFieldOffset(0, mean, 0);
    b.addFieldOffset(1, std, 0);
    const options = b.endObject();
    b.startObject(2);
    b.addFieldInt8(0, 1, 0);
    b.addFieldOffset(1, options, 0);
    processUnits = offsetVector(b, [b.endObject()]);
  }
  const inputName = b.createString('image');
  b.startObject(7);
  b.addFieldOffset(0, inputName, 0);
  if (processUnits) b.addFieldOffset(4, processUnits, 0);
  const input = b.endObject();

  let associated = 0;
  if (spec.labelFile) {
    const fileName = b.createString(spec.labelFile);
    b.startObject(4);
    b.addFieldOffset(0, fileName, 0);
    b.addFieldInt8(2, 2, 0);
    associated = offsetVector(b, [b.endObject()]);
  }
  const outputName = b.createString('probability');
  b.startObject(7);
  b.addFieldOffset(0, outputName, 0);
  if (associated) b.addFieldOffset(6, associated, 0);
  const output = b.endObject();

  const inputs = offsetVector(b, [input]);
  const outputs = offsetVector(b, [output]);
  b.startObject(7);
  b.addFieldOffset(2, inputs, 0);
  b.addFieldOffset(3, outputs, 0);
  const subgraph = b.endObject();
  const subgraphs = offsetVector(b, [subgraph]);
  const name = spec.name ? b.createString(spec.name) : 0;
  const description = spec.description ? b.createString(spec.description) : 0;
  const license = spec.license ? b.createString(spec.license) : 0;
  b.startObject(8);
  if (name) b.addFieldOffset(0, name, 0);
  if (description) b.addFieldOffset(1, description, 0);
  b.addFieldOffset(3, subgraphs, 0);
  if (license) b.addFieldOffset(5, license, 0);
  b.finish(b.endObject(), 'M001');
  return b.asUint8Array();
}
