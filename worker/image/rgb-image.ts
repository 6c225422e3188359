/**
 * The one type for decoded pixels: what decoding produces and what the model input, previews and overlays
 * take (model/preprocess.ts, render/overlay.ts).
 */

/** 8-bit RGB pixels, row-major, three bytes per pixel, no padding: what the rest of the worker consumes. */
export interface RgbImage {
  width: number;
  height: number;
  /** Length width × height × 3. */
  data: Uint8Array;
}
