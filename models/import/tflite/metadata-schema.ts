/**
 * Typed readers for TF Lite model metadata: the flatbuffer stored in the model buffer that the
 * "TFLITE_METADATA" Metadata entry names. Field ids from TensorFlow's published schema
 * (tensorflow/tflite-support, tensorflow_lite_support/metadata/metadata_schema.fbs; file identifier
 * "M001"). Only what an image classifier's import needs: normalisation of the input and the label file
 * of the output.
 */
import { rootTable, Table, type CheckedBuffer } from './flatbuffer-table';

/** The Model.metadata entry that holds this flatbuffer. */
export const METADATA_NAME = 'TFLITE_METADATA';
export const METADATA_FILE_IDENTIFIER = 'M001';

/** metadata_schema.fbs `enum AssociatedFileType : byte`. */
export const AssociatedFileType = { UNKNOWN: 0, DESCRIPTIONS: 1, TENSOR_AXIS_LABELS: 2, TENSOR_VALUE_LABELS: 3 } as const;

/** metadata_schema.fbs `union ProcessUnitOptions`: NormalizationOptions is member 1. */
const PROCESS_UNIT_NORMALIZATION = 1;

/** metadata_schema.fbs `table ModelMetadata`. */
export class ModelMetadata extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'ModelMetadata');
  }
  get name(): string | undefined {
    return this.string(0);
  }
  get description(): string | undefined {
    return this.string(1);
  }
  get version(): string | undefined {
    return this.string(2);
  }
  get subgraphMetadata(): SubGraphMetadata[] {
    return this.tableVector(3, SubGraphMetadata);
  }
  get author(): string | undefined {
    return this.string(4);
  }
  get license(): string | undefined {
    return this.string(5);
  }
  get associatedFiles(): AssociatedFile[] {
    return this.tableVector(6, AssociatedFile);
  }
}

/** metadata_schema.fbs `table SubGraphMetadata`. */
export class SubGraphMetadata extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'SubGraphMetadata');
  }
  get inputTensorMetadata(): TensorMetadata[] {
    return this.tableVector(2, TensorMetadata);
  }
  get outputTensorMetadata(): TensorMetadata[] {
    return this.tableVector(3, TensorMetadata);
  }
  get associatedFiles(): AssociatedFile[] {
    return this.tableVector(4, AssociatedFile);
  }
}

/** metadata_schema.fbs `table TensorMetadata`. */
export class TensorMetadata extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'TensorMetadata');
  }
  get name(): string | undefined {
    return this.string(0);
  }
  get processUnits(): ProcessUnit[] {
    return this.tableVector(4, ProcessUnit);
  }
  get associatedFiles(): AssociatedFile[] {
    return this.tableVector(6, AssociatedFile);
  }
}

/** metadata_schema.fbs `table ProcessUnit` (a union `options`: type id 0, value id 1). */
export class ProcessUnit extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'ProcessUnit');
  }
  /** The unit's NormalizationOptions, or undefined for any other kind of unit. */
  get normalization(): NormalizationOptions | undefined {
    return this.uint8(0) === PROCESS_UNIT_NORMALIZATION ? this.table(1, NormalizationOptions) : undefined;
  }
}

/** metadata_schema.fbs `table NormalizationOptions`: (x − mean) / std, one value meaning every channel. */
export class NormalizationOptions extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'NormalizationOptions');
  }
  get mean(): number[] {
    return this.float32Vector(0) ?? [];
  }
  get std(): number[] {
    return this.float32Vector(1) ?? [];
  }
}

/** metadata_schema.fbs `table AssociatedFile`: a file packed into the zip appended to the model. */
export class AssociatedFile extends Table {
  constructor(buf: CheckedBuffer, pos: number) {
    super(buf, pos, 'AssociatedFile');
  }
  get name(): string | undefined {
    return this.string(0);
  }
  get description(): string | undefined {
    return this.string(1);
  }
  get type(): number {
    return this.int8(2);
  }
  get locale(): string | undefined {
    return this.string(3);
  }
}

export function readModelMetadata(bytes: Uint8Array): ModelMetadata {
  return rootTable(bytes, METADATA_FILE_IDENTIFIER, ModelMetadata);
}
