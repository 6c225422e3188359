/** Builders for image files the fixtures do not cover: crafted PNGs and JPEGs with EXIF orientation. */

/** The photos in ../shared/fixtures/images and their sizes, as `file(1)` reports them on the host. */
export const FIXTURE_IMAGE_SIZES = {
  'astronaut.png': [512, 512],
  'cat_720p.jpg': [1280, 720],
  'chelsea.png': [451, 300],
  'coffee.png': [600, 400],
  'dog.jpg': [768, 576],
  'pets.jpg': [512, 430],
  'rocket.jpg': [640, 427],
} as const;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 as PNG computes it (PNG specification, annex D). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function uint32be(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const typeAndData = concat(new TextEncoder().encode(type), data);
  return concat(uint32be(data.length), typeAndData, uint32be(crc32(typeAndData)));
}

function ihdr(width: number, height: number, bitDepth: number, colourType: number): Uint8Array {
  // Compression 0, filter 0, no interlace.
  return pngChunk('IHDR', new Uint8Array([...uint32be(width), ...uint32be(height), bitDepth, colourType, 0, 0, 0]));
}

/** A PNG that is only a signature and an IHDR chunk (valid CRC): enough for a header, never decodable. */
export function pngHeaderOnly(width: number, height: number): Uint8Array {
  return concat(PNG_SIGNATURE, ihdr(width, height, 8, 2));
}

async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  // 'deflate' is the zlib format PNG's IDAT wants.
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * A complete PNG from unfiltered samples: `rows[y]` holds one row's bytes for the colour type and bit depth
 * (PNG specification §7.2: e.g. grey 16-bit is two big-endian bytes per pixel).
 */
export async function craftPng(options: { width: number; height: number; bitDepth: number; colourType: number; rows: number[][] }) {
  const { width, height, bitDepth, colourType, rows } = options;
  const raw = concat(...rows.map((row) => [0, ...row])); // filter type 0 (None) before each row
  return concat(
    PNG_SIGNATURE,
    ihdr(width, height, bitDepth, colourType),
    pngChunk('IDAT', await deflate(raw)),
    pngChunk('IEND', new Uint8Array(0)),
  );
}

/**
 * Inserts an APP1 EXIF segment right after SOI holding one IFD0 entry: Orientation (0x0112, SHORT) =
 * `orientation`, written in the given TIFF byte order.
 */
export function withExifOrientation(jpeg: Uint8Array, orientation: number, byteOrder: 'II' | 'MM'): Uint8Array {
  const little = byteOrder === 'II';
  const tiff = new DataView(new ArrayBuffer(8 + 2 + 12 + 4));
  tiff.setUint8(0, byteOrder.charCodeAt(0));
  tiff.setUint8(1, byteOrder.charCodeAt(1));
  tiff.setUint16(2, 42, little);
  tiff.setUint32(4, 8, little); // IFD0 right after the header
  tiff.setUint16(8, 1, little); // one entry
  tiff.setUint16(10, 0x0112, little);
  tiff.setUint16(12, 3, little); // SHORT
  tiff.setUint32(14, 1, little); // count
  tiff.setUint16(18, orientation, little); // left-justified value
  tiff.setUint32(22, 0, little); // no next IFD
  const payload = concat(new TextEncoder().encode('Exif\0\0'), new Uint8Array(tiff.buffer));
  const length = payload.length + 2;
  return concat(jpeg.subarray(0, 2), [0xff, 0xe1, length >> 8, length & 0xff], payload, jpeg.subarray(2));
}

export type Rgb = [number, number, number];

/** RGBA pixels split into four flat quadrants, so any flip or turn is visible even after lossy coding. */
export function quadrants(width: number, height: number, colours: { tl: Rgb; tr: Rgb; bl: Rgb; br: Rgb }): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const top = y < height / 2;
      const left = x < width / 2;
      const colour = top ? (left ? colours.tl : colours.tr) : left ? colours.bl : colours.br;
      rgba.set([...colour, 255], (y * width + x) * 4);
    }
  }
  return rgba;
}

/** The RGB of pixel (x, y) of a row-major RGB buffer. */
export function pixelAt(image: { width: number; data: Uint8Array }, x: number, y: number): Rgb {
  const i = (y * image.width + x) * 3;
  return [image.data[i], image.data[i + 1], image.data[i + 2]];
}

/**
 * A photo-sized test picture (RGBA): red grows left to right, green top to bottom, blue waves. Any turn
 * or flip is visible in its corners, and the waves give a JPEG encoder real detail to code.
 */
export function gradientPhoto(width: number, height: number): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 4) {
      rgba[i] = (x * 255) / width;
      rgba[i + 1] = (y * 255) / height;
      rgba[i + 2] = 128 + 100 * Math.sin(x / 50) * Math.cos(y / 70);
      rgba[i + 3] = 255;
    }
  }
  return rgba;
}
