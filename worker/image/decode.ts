/**
 * Bytes in, upright RGB out: sniff the header, enforce the limits on what it declares, decode with the
 * matching jsquash codec, then composite alpha on white and apply the EXIF orientation.
 *
 * Defaults: DEFAULT_IMAGE_LIMITS (10 MB, 12 megapixels).
 *
 * @example
 *   const image = await decodeImage(new Uint8Array(await request.arrayBuffer()));
 *   image.data.length === image.width * image.height * 3;
 */
import { CodecError, decodeJpegRgba, decodePngRgba, decodeWebpRgba, type RgbaPixels } from './codecs';
import { ImageInputError } from './error';
import { readImageHeader } from './header';
import type { ImageType } from './image-header';
import { hasJpegEndOfImage } from './jpeg-end';
import { checkImageLimits, DEFAULT_IMAGE_LIMITS, type ImageLimits } from './limits';
import type { RgbImage } from './rgb-image';
import { fitWithin, resizeArea } from './resize';
import { rgbaToRgb } from './to-rgb';

/** The upright pixels plus the type the bytes were sniffed as. */
export interface DecodedImage extends RgbImage {
  type: ImageType;
  /** Upright size of the image as stored, before any `maxSide` reduction. */
  source: { width: number; height: number };
}

export interface DecodeOptions {
  /**
   * Shrink (area-averaged) so the longer side is at most this: what a model input and a preview need,
   * without keeping a full-size copy of a large photo alive in the isolate. Default: no reduction.
   */
  maxSide?: number;
}

const DECODERS: Record<ImageType, (bytes: Uint8Array) => Promise<RgbaPixels>> = {
  'image/jpeg': decodeJpegRgba,
  'image/png': decodePngRgba,
  'image/webp': decodeWebpRgba,
};

/**
 * @throws ImageInputError: 'unsupported-type', 'too-many-bytes', 'too-many-pixels' before anything is
 * decoded; 'undecodable' for a malformed header, a truncated JPEG, or data the codec rejects.
 */
export async function decodeImage(
  bytes: Uint8Array,
  limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
  options: DecodeOptions = {},
): Promise<DecodedImage> {
  const header = readImageHeader(bytes);
  checkImageLimits(header, bytes.byteLength, limits);
  if (header.type === 'image/jpeg' && !hasJpegEndOfImage(bytes)) {
    throw new ImageInputError('undecodable', 'The JPEG is truncated: it ends before its end-of-image marker.');
  }

  let pixels: RgbaPixels;
  try {
    pixels = await DECODERS[header.type](bytes);
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    throw new ImageInputError('undecodable', `The ${header.type} could not be decoded: ${error.message}`, { cause: error });
  }
  // The limits were checked on the declared size; a decoder that disagrees must not slip past them.
  if (pixels.width !== header.width || pixels.height !== header.height) {
    throw new ImageInputError(
      'undecodable',
      `The ${header.type} declares ${header.width}×${header.height} but decodes to ${pixels.width}×${pixels.height}.`,
    );
  }
  const upright = rgbaToRgb(pixels.data, pixels.width, pixels.height, header.orientation);
  const source = { width: upright.width, height: upright.height };
  const target = fitWithin(upright.width, upright.height, options.maxSide ?? Infinity);
  const image = target.width === upright.width ? upright : resizeArea(upright, target.width, target.height);
  return { ...image, type: header.type, source };
}
