/**
 * Typed readers for the TensorFlow Lite flatbuffer: the tables the importer needs, with field ids taken
 * from TensorFlow's published schema (tensorflow/compiler/mlir/lite/schema/schema.fbs, formerly
 * tensorflow/lite/schema/schema.fbs; file identifier "TFL3"). A union field takes two ids: its type
 * (a ubyte) and then its value.
 *
 * Example: `const model = readTfliteModel(bytes); model.subgraphs[0].operators.length`.
 */
import { rootTable, Table, type CheckedBuffer } from './flatbuffer-table';

/** schema.fbs `file_identifier`. */
export const TFLITE_FILE_IDENTIFIER = 'TFL3';

/** schema.fbs `enum TensorType : byte`. */
export const TensorType = {
  FLOAT32: 0,
  FLOAT16: 1,
  INT32: 2,
  UINT8: 3,
  INT64: 4,
  STRING: 5,
  BOOL: 6,
  INT16: 7,
  COMPLEX64: 8,
  INT8: 9,
  FLOAT64: 10,
} as const;

export const TENSOR_TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(TensorType).map(([name, code]) => [code, name]),
);

/** schema.fbs `enum Padding : byte { SAME, VALID }`. */
export const Padding = { SAME: 0, VALID: 1 } as const;

/** schema.fbs `enum ActivationFunctionType : byte`. */
export const Activation = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4, SIGN_BIT: 5 } as const;

/** schema.fbs `enum BuiltinOperator : int32`: the codes this importer converts. */
export const BuiltinOperator = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONCATENATION: 2,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  LOGISTIC: 14,
  MAX_POOL_2D: 17,
  MUL: 18,
  RELU: 19,
  RELU6: 21,
  RESHAPE: 22,
  SOFTMAX: 25,
  TANH: 28,
  PAD: 34,
  MEAN: 40,
  SUB: 41,
  SQUEEZE: 43,
  QUANTIZE: 114,
  HARD_SWISH: 117,
} as const;

// schema.fbs, BuiltinOperator 0–126 in order (index = code): an unsupported operator is reported by name.
const BUILTIN_OPERATOR_NAMES = (
  'ADD AVERAGE_POOL_2D CONCATENATION CONV_2D DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE EMBEDDING_LOOKUP FLOOR ' +
  'FULLY_CONNECTED HASHTABLE_LOOKUP L2_NORMALIZATION L2_POOL_2D LOCAL_RESPONSE_NORMALIZATION LOGISTIC LSH_PROJECTION ' +
  'LSTM MAX_POOL_2D MUL RELU RELU_N1_TO_1 RELU6 RESHAPE RESIZE_BILINEAR RNN SOFTMAX SPACE_TO_DEPTH SVDF TANH ' +
  'CONCAT_EMBEDDINGS SKIP_GRAM CALL CUSTOM EMBEDDING_LOOKUP_SPARSE PAD UNIDIRECTIONAL_SEQUENCE_RNN GATHER ' +
  'BATCH_TO_SPACE_ND SPACE_TO_BATCH_ND TRANSPOSE MEAN SUB DIV SQUEEZE UNIDIRECTIONAL_SEQUENCE_LSTM STRIDED_SLICE ' +
  'BIDIRECTIONAL_SEQUENCE_RNN EXP TOPK_V2 SPLIT LOG_SOFTMAX DELEGATE BIDIRECTIONAL_SEQUENCE_LSTM CAST PRELU MAXIMUM ' +
  'ARG_MAX MINIMUM LESS NEG PADV2 GREATER GREATER_EQUAL LESS_EQUAL SELECT SLICE SIN TRANSPOSE_CONV SPARSE_TO_DENSE ' +
  'TILE EXPAND_DIMS EQUAL NOT_EQUAL LOG SUM SQRT RSQRT SHAPE POW ARG_MIN FAKE_QUANT REDUCE_PROD REDUCE_MAX PACK ' +
  'LOGICAL_OR ONE_HOT LOGICAL_AND LOGICAL_NOT UNPACK REDUCE_MIN FLOOR_DIV REDUCE_ANY SQUARE ZEROS_LIKE FILL FLOOR_MOD ' +
  'RANGE RESIZE_NEAREST_NEIGHBOR LEAKY_RELU SQUARED_DIFFERENCE MIRROR_PAD ABS SPLIT_V UNIQUE CEIL REVERSE_V2 ADD_N ' +
  'GATHER_ND COS WHERE RANK ELU REVERSE_SEQUENCE MATRIX_DIAG QUANTIZE MATRIX_SET_DIAG ROUND HARD_SWISH IF WHILE ' +
  'NON_MAX_SUPPRESSION_V4 NON_MAX_SUPPRESSION_V5 SCATTER_ND SELECT_V2 DENSIFY SEGMENT_SUM BATCH_MATMUL'
).split(' ');

/** The schema's name of a builtin operator code (e.g. 3 → "CONV_2D"). */
export function builtinOperatorName(code: number): string {
  return BUILTIN_OPERATOR_NAMES[code] ?? `builtin operator ${code}`;
}

/** schema.fbs `table Model`. */
export class TfliteModel extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'Model');
  }
  get version(): number {
    return this.uint32(0);
  }
  get operatorCodes(): OperatorCode[] {
    return this.tableVector(1, OperatorCode);
  }
  get subgraphs(): SubGraph[] {
    return this.tableVector(2, SubGraph);
  }
  get description(): string | undefined {
    return this.string(3);
  }
  get buffers(): TfliteBuffer[] {
    return this.tableVector(4, TfliteBuffer);
  }
  get metadata(): Metadata[] {
    return this.tableVector(6, Metadata);
  }
  /** The whole file (Buffer.offset of models over 2 GB counts from its start). */
  get fileBytes(): Uint8Array {
    return this.buf.bytes;
  }
}

/** schema.fbs `table OperatorCode`. */
export class OperatorCode extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'OperatorCode');
  }
  /**
   * The builtin operator. Codes below 127 may sit in the deprecated byte field only (files written before
   * the int32 field existed), so the larger of the two is the code, as TF Lite's own reader does.
   */
  get builtinCode(): number {
    return Math.max(this.int8(0), this.int32(3));
  }
  get customCode(): string | undefined {
    return this.string(1);
  }
  get version(): number {
    return this.int32(2, 1);
  }
}

/** schema.fbs `table SubGraph`. */
export class SubGraph extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'SubGraph');
  }
  get tensors(): Tensor[] {
    return this.tableVector(0, Tensor);
  }
  get inputs(): number[] {
    return this.int32Vector(1) ?? [];
  }
  get outputs(): number[] {
    return this.int32Vector(2) ?? [];
  }
  get operators(): Operator[] {
    return this.tableVector(3, Operator);
  }
  get name(): string | undefined {
    return this.string(4);
  }
}

/** schema.fbs `table Tensor`. */
export class Tensor extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'Tensor');
  }
  get shape(): number[] {
    return this.int32Vector(0) ?? [];
  }
  get type(): number {
    return this.int8(1);
  }
  /** Index into Model.buffers; 0 is the empty sentinel (a tensor computed at run time). */
  get buffer(): number {
    return this.uint32(2);
  }
  get name(): string {
    return this.string(3) ?? '';
  }
  get quantization(): QuantizationParameters | undefined {
    return this.table(4, QuantizationParameters);
  }
  get isVariable(): boolean {
    return this.bool(5);
  }
  /** Present on sparse tensors, which the importer does not read. */
  get hasSparsity(): boolean {
    return this.field(6) !== 0;
  }
  get shapeSignature(): number[] | undefined {
    return this.int32Vector(7);
  }
}

/** schema.fbs `table QuantizationParameters`: real = scale · (q − zero_point), per `quantized_dimension`. */
export class QuantizationParameters extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'QuantizationParameters');
  }
  get min(): number[] {
    return this.float32Vector(0) ?? [];
  }
  get max(): number[] {
    return this.float32Vector(1) ?? [];
  }
  get scale(): number[] {
    return this.float32Vector(2) ?? [];
  }
  get zeroPoint(): number[] {
    return this.int64Vector(3) ?? [];
  }
  /** The `details` union's type: non-zero means a custom quantisation the scale/zero_point do not describe. */
  get detailsType(): number {
    return this.uint8(4);
  }
  get quantizedDimension(): number {
    return this.int32(6);
  }
}

/** schema.fbs `table Buffer`. */
export class TfliteBuffer extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'Buffer');
  }
  get data(): Uint8Array | undefined {
    return this.vectorBytes(0);
  }
  /** For models over 2 GB: where the data sits, counted from the start of the file (valid when > 1). */
  get offset(): number {
    return this.int64(1);
  }
  get size(): number {
    return this.int64(2);
  }
}

/** schema.fbs `table Metadata`. */
export class Metadata extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'Metadata');
  }
  get name(): string | undefined {
    return this.string(0);
  }
  get buffer(): number {
    return this.uint32(1);
  }
}

/** schema.fbs `table Operator`. */
export class Operator extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'Operator');
  }
  get opcodeIndex(): number {
    return this.uint32(0);
  }
  /** Tensor indices; −1 marks an omitted optional input. */
  get inputs(): number[] {
    return this.int32Vector(1) ?? [];
  }
  get outputs(): number[] {
    return this.int32Vector(2) ?? [];
  }
  /** The `builtin_options` union's type (index into schema.fbs `union BuiltinOptions`, 0 = none). */
  get builtinOptionsType(): number {
    return this.uint8(3);
  }
  /** The `builtin_options` table read as `Kind`, or undefined when the operator has none. */
  options<T>(Kind: new (buf: CheckedBuffer, pos: number) => T): T | undefined {
    return this.table(4, Kind);
  }
}

/** schema.fbs `table Conv2DOptions`. */
export class Conv2DOptions extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'Conv2DOptions');
  }
  get padding(): number {
    return this.int8(0);
  }
  get strideW(): number {
    return this.int32(1);
  }
  get strideH(): number {
    return this.int32(2);
  }
  get activation(): number {
    return this.int8(3);
  }
  get dilationW(): number {
    return this.int32(4, 1);
  }
  get dilationH(): number {
    return this.int32(5, 1);
  }
}

/** schema.fbs `table DepthwiseConv2DOptions`. */
export class DepthwiseConv2DOptions extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'DepthwiseConv2DOptions');
  }
  get padding(): number {
    return this.int8(0);
  }
  get strideW(): number {
    return this.int32(1);
  }
  get strideH(): number {
    return this.int32(2);
  }
  /** Redundant since TF 2.x (the filter's shape says it); kept for the consistency check. */
  get depthMultiplier(): number {
    return this.int32(3);
  }
  get activation(): number {
    return this.int8(4);
  }
  get dilationW(): number {
    return this.int32(5, 1);
  }
  get dilationH(): number {
    return this.int32(6, 1);
  }
}

/** schema.fbs `table Pool2DOptions`. */
export class Pool2DOptions extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'Pool2DOptions');
  }
  get padding(): number {
    return this.int8(0);
  }
  get strideW(): number {
    return this.int32(1);
  }
  get strideH(): number {
    return this.int32(2);
  }
  get filterWidth(): number {
    return this.int32(3);
  }
  get filterHeight(): number {
    return this.int32(4);
  }
  get activation(): number {
    return this.int8(5);
  }
}

/** schema.fbs `table FullyConnectedOptions`. */
export class FullyConnectedOptions extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'FullyConnectedOptions');
  }
  get activation(): number {
    return this.int8(0);
  }
  /** 0 = DEFAULT; SHUFFLED4x16INT8 weights are not read by this importer. */
  get weightsFormat(): number {
    return this.int8(1);
  }
  get keepNumDims(): boolean {
    return this.bool(2);
  }
}

/** schema.fbs `table SoftmaxOptions`. */
export class SoftmaxOptions extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'SoftmaxOptions');
  }
  get beta(): number {
    return this.float32(0);
  }
}

/** schema.fbs `table ConcatenationOptions`. */
export class ConcatenationOptions extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'ConcatenationOptions');
  }
  get axis(): number {
    return this.int32(0);
  }
  get activation(): number {
    return this.int8(1);
  }
}

/** schema.fbs `table AddOptions`, `MulOptions` and `SubOptions`: the fused activation is field 0 in each. */
export class ArithmeticOptions extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'AddOptions');
  }
  get activation(): number {
    return this.int8(0);
  }
}

/** schema.fbs `table ReducerOptions` (MEAN). */
export class ReducerOptions extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'ReducerOptions');
  }
  get keepDims(): boolean {
    return this.bool(0);
  }
}

/** schema.fbs `table SqueezeOptions`. */
export class SqueezeOptions extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'SqueezeOptions');
  }
  get squeezeDims(): number[] {
    return this.int32Vector(0) ?? [];
  }
}

/** Reads a TF Lite model; throws FlatbufferFormatError when the bytes are not one. */
export function readTfliteModel(bytes: Uint8Array): TfliteModel {
  return rootTable(bytes, TFLITE_FILE_IDENTIFIER, TfliteModel);
}
