/** 8-bit RGB pixels, row-major, three bytes per pixel, no padding: what the rest of the worker consumes. */
export interface RgbImage {
  width: number;
  height: number;
  /** Length width × height × 3. */
  data: Uint8Array;
}
