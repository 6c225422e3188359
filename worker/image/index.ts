/**
 * The image module: sniffing, limits, decoding to upright RGB, resizing and encoding. It knows nothing of
 * HTTP, TF.js or KV; callers map `ImageInputError.kind` to their own responses.
 *
 * @example
 *   const header = readImageHeader(bytes); // cheap: type, declared size, EXIF orientation
 *   const image = await decodeImage(bytes, { maxBytes: 10_000_000, maxPixels: 12_000_000 });
 *   const preview = await encodePreview(image); // JPEG, longest side ≤ 512
 */
export { decodeImage, type DecodedImage, type DecodeOptions } from './decode';
export { encodePng, encodePreview, PREVIEW_JPEG_QUALITY, PREVIEW_MAX_SIDE, type EncodedImage } from './encode';
export { ImageInputError, type ImageInputErrorKind } from './error';
export { readImageHeader } from './header';
export type { ExifOrientation, ImageHeader, ImageType } from './image-header';
export { checkImageLimits, DEFAULT_IMAGE_LIMITS, type ImageLimits } from './limits';
export { fitWithin, resizeArea } from './resize';
export type { RgbImage } from './rgb-image';
