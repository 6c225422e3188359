/**
 * Bounds-checked reading of FlatBuffers tables on top of the `flatbuffers` runtime's ByteBuffer.
 *
 * The runtime trusts its input: a read past the end returns `undefined`, which its bit arithmetic turns
 * into 0, so a truncated or damaged file would be read as plausible nonsense (zero-length vectors,
 * tensors of shape []). Every position here is checked before it is read, and a bad one throws
 * `FlatbufferFormatError`.
 *
 * Layout (FlatBuffers "Internals"): a table starts with a signed 32-bit offset back to its vtable; the
 * vtable holds its own size, the table's size, then one unsigned 16-bit offset per field id (0 = absent).
 * Field `id` therefore sits at vtable byte 4 + 2·id. Offsets to tables, vectors and strings are unsigned
 * 32-bit and relative to where they are stored; a vector or string starts with its 32-bit length.
 */
import { ByteBuffer } from 'flatbuffers';

export class FlatbufferFormatError extends Error {
  override name = 'FlatbufferFormatError';
}

const SIZEOF_OFFSET = 4;

/** Bounds checks shared by all tables of one buffer. */
export class CheckedBuffer {
  readonly bb: ByteBuffer;
  readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.bb = new ByteBuffer(bytes);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.byteLength;
  }

  check(position: number, size: number, what: string): void {
    if (!Number.isSafeInteger(position) || position < 0 || size < 0 || position + size > this.bytes.byteLength) {
      throw new FlatbufferFormatError(`${what} lies outside the file (byte ${position}, ${size} bytes, file is ${this.bytes.byteLength})`);
    }
  }

  uint32(position: number, what: string): number {
    this.check(position, 4, what);
    return this.bb.readUint32(position);
  }

  /** The 4-character file identifier after the root offset, or "" when the file is too short. */
  identifier(): string {
    if (this.bytes.byteLength < 8) return '';
    return String.fromCharCode(...this.bytes.subarray(4, 8));
  }
}

/** One table: typed field readers by field id. Subclasses name the fields of a schema table. */
export class Table {
  constructor(
    protected readonly buf: CheckedBuffer,
    protected readonly pos: number,
    protected readonly what: string,
  ) {
    buf.check(pos, 4, what);
    const vtable = pos - buf.bb.readInt32(pos);
    buf.check(vtable, 4, `${what} vtable`);
    const vtableSize = buf.bb.readUint16(vtable);
    buf.check(vtable, vtableSize, `${what} vtable`);
    this.vtable = vtable;
    this.vtableSize = vtableSize;
  }

  private readonly vtable: number;
  private readonly vtableSize: number;

  /** Absolute position of field `id`, or 0 when the field is absent (and its default applies). */
  protected field(id: number): number {
    const entry = 4 + 2 * id;
    if (entry + 2 > this.vtableSize) return 0;
    const offset = this.buf.bb.readUint16(this.vtable + entry);
    return offset === 0 ? 0 : this.pos + offset;
  }

  private scalar(id: number, size: number): number {
    const at = this.field(id);
    if (at) this.buf.check(at, size, `${this.what} field ${id}`);
    return at;
  }

  protected int8(id: number, fallback = 0): number {
    const at = this.scalar(id, 1);
    return at ? this.buf.bb.readInt8(at) : fallback;
  }

  protected uint8(id: number, fallback = 0): number {
    const at = this.scalar(id, 1);
    return at ? this.buf.bb.readUint8(at) : fallback;
  }

  protected bool(id: number, fallback = false): boolean {
    const at = this.scalar(id, 1);
    return at ? this.buf.bb.readUint8(at) !== 0 : fallback;
  }

  protected int32(id: number, fallback = 0): number {
    const at = this.scalar(id, 4);
    return at ? this.buf.bb.readInt32(at) : fallback;
  }

  protected uint32(id: number, fallback = 0): number {
    const at = this.scalar(id, 4);
    return at ? this.buf.bb.readUint32(at) : fallback;
  }

  protected float32(id: number, fallback = 0): number {
    const at = this.scalar(id, 4);
    return at ? this.buf.view.getFloat32(at, true) : fallback;
  }

  /** A 64-bit integer field as a JavaScript number (exact up to 2^53). */
  protected int64(id: number, fallback = 0): number {
    const at = this.scalar(id, 8);
    return at ? Number(this.buf.bb.readInt64(at)) : fallback;
  }

  /** Position of the object an offset field points at, or 0 when absent. */
  private target(id: number): number {
    const at = this.scalar(id, SIZEOF_OFFSET);
    return at ? at + this.buf.uint32(at, `${this.what} field ${id}`) : 0;
  }

  protected string(id: number): string | undefined {
    const bytes = this.vectorBytes(id, 1);
    return bytes && new TextDecoder().decode(bytes);
  }

  protected table<T>(id: number, Kind: new (buf: CheckedBuffer, pos: number) => T): T | undefined {
    const at = this.target(id);
    return at ? new Kind(this.buf, at) : undefined;
  }

  /** Start and length of a vector field, checked to lie in the file for elements of `elementSize` bytes. */
  private vector(id: number, elementSize: number): { start: number; length: number } | undefined {
    const at = this.target(id);
    if (!at) return undefined;
    const length = this.buf.uint32(at, `${this.what} field ${id} length`);
    const start = at + 4;
    this.buf.check(start, length * elementSize, `${this.what} field ${id} (${length} elements)`);
    return { start, length };
  }

  /** The raw bytes of a vector field (a view into the file, not a copy). */
  protected vectorBytes(id: number, elementSize = 1): Uint8Array | undefined {
    const v = this.vector(id, elementSize);
    return v && this.buf.bytes.subarray(v.start, v.start + v.length * elementSize);
  }

  protected int32Vector(id: number): number[] | undefined {
    const v = this.vector(id, 4);
    return v && Array.from({ length: v.length }, (_, i) => this.buf.view.getInt32(v.start + 4 * i, true));
  }

  protected float32Vector(id: number): number[] | undefined {
    const v = this.vector(id, 4);
    return v && Array.from({ length: v.length }, (_, i) => this.buf.view.getFloat32(v.start + 4 * i, true));
  }

  protected int64Vector(id: number): number[] | undefined {
    const v = this.vector(id, 8);
    return v && Array.from({ length: v.length }, (_, i) => Number(this.buf.view.getBigInt64(v.start + 8 * i, true)));
  }

  protected tableVector<T>(id: number, Kind: new (buf: CheckedBuffer, pos: number) => T): T[] {
    const v = this.vector(id, SIZEOF_OFFSET);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, i) => {
      const at = v.start + SIZEOF_OFFSET * i;
      return new Kind(this.buf, at + this.buf.uint32(at, `${this.what} field ${id}[${i}]`));
    });
  }
}

/** The root table of a finished buffer, after checking its 4-character file identifier. */
export function rootTable<T>(bytes: Uint8Array, identifier: string, Kind: new (buf: CheckedBuffer, pos: number) => T): T {
  const buf = new CheckedBuffer(bytes);
  if (buf.identifier() !== identifier) {
    throw new FlatbufferFormatError(`the file identifier is not "${identifier}"`);
  }
  return new Kind(buf, buf.uint32(0, 'root offset'));
}
