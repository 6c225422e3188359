/**
 * Reads the zip archive that TF Lite's metadata writer appends to a model to carry its associated files
 * (label files and the like). Stored and deflated entries; the archive may start anywhere in the file,
 * so offsets are corrected by where the central directory really is, as zip readers do for
 * self-extracting archives. Layout from PKWARE's APPNOTE.TXT (sections 4.3.7, 4.3.12, 4.3.16).
 */

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
/** APPNOTE 4.3.16: 22 fixed bytes, then a comment of at most 65535 bytes. */
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const STORED = 0;
const DEFLATED = 8;

export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

interface Entry {
  name: string;
  method: number;
  compressedSize: number;
  localHeader: number;
}

function findEndOfCentralDirectory(view: DataView): number | undefined {
  const last = view.byteLength - EOCD_SIZE;
  for (let at = last; at >= 0 && at >= last - MAX_COMMENT; at--) {
    if (view.getUint32(at, true) === END_OF_CENTRAL_DIRECTORY && at + EOCD_SIZE + view.getUint16(at + 20, true) === view.byteLength) {
      return at;
    }
  }
  return undefined;
}

function readEntries(view: DataView, eocd: number): Entry[] {
  const count = view.getUint16(eocd + 10, true);
  const directorySize = view.getUint32(eocd + 12, true);
  const directoryOffset = view.getUint32(eocd + 16, true);
  const directoryStart = eocd - directorySize;
  if (directoryStart < 0) throw new ZipFormatError('the central directory lies outside the file');
  const shift = directoryStart - directoryOffset;
  const entries: Entry[] = [];
  let at = directoryStart;
  for (let i = 0; i < count; i++) {
    if (at + 46 > eocd || view.getUint32(at, true) !== CENTRAL_FILE_HEADER) throw new ZipFormatError(`central directory entry ${i} is damaged`);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const nameBytes = new Uint8Array(view.buffer, view.byteOffset + at + 46, nameLength);
    entries.push({
      name: new TextDecoder().decode(nameBytes),
      method: view.getUint16(at + 10, true),
      compressedSize: view.getUint32(at + 20, true),
      localHeader: view.getUint32(at + 42, true) + shift,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

async function inflateRaw(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The files of a zip archive at the end of `bytes` by name; an empty map when there is none. */
export async function readAppendedZip(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const files = new Map<string, Uint8Array>();
  if (bytes.byteLength < EOCD_SIZE) return files;
  const eocd = findEndOfCentralDirectory(view);
  if (eocd === undefined) return files;
  for (const entry of readEntries(view, eocd)) {
    const at = entry.localHeader;
    if (at < 0 || at + 30 > bytes.byteLength || view.getUint32(at, true) !== LOCAL_FILE_HEADER) {
      throw new ZipFormatError(`the local header of ${entry.name} is damaged`);
    }
    const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
    if (start + entry.compressedSize > bytes.byteLength) throw new ZipFormatError(`${entry.name} lies outside the file`);
    const data = bytes.subarray(start, start + entry.compressedSize);
    if (entry.method === STORED) files.set(entry.name, data);
    else if (entry.method === DEFLATED) files.set(entry.name, await inflateRaw(data));
    else throw new ZipFormatError(`${entry.name} uses compression method ${entry.method}; only stored and deflated files are read`);
  }
  return files;
}
