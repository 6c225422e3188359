/**
 * The JSON an explanation is answered with (and, later, stored as). Maps travel as base64: `data` is the
 * min–max normalised map as width×height bytes (0…255, row-major), `raw` the un-normalised float32 values
 * (little-endian) for comparisons across images.
 */
export interface Prediction {
  /** Index of the class in the model's label list. */
  index: number;
  label: string;
  score: number;
}

export interface EncodedMap {
  width: number;
  height: number;
  /** Range of the raw map (after ReLU, before normalisation). */
  min: number;
  max: number;
  /** base64 of width×height uint8: the normalised map. */
  data: string;
  /** base64 of width×height float32, little-endian: the raw map. */
  raw: string;
}

export interface ClassExplanationDocument extends Prediction {
  logit: number;
  map: EncodedMap;
}

export interface ExplanationDocument {
  /**
   * Absent: computed by this service from the uploaded image. `device`: computed in a browser (the viewer's
   * private mode) and shared afterwards; the service never saw the image, and `image.sha256` is then the
   * SHA-256 of the shared preview (see http/routes/explanations.ts).
   */
  computedOn?: 'device';
  image: { sha256: string; width: number; height: number; type: string };
  model: { id: string; version: string };
  method: string;
  layer: { name: string; width: number; height: number; channels: number };
  predictions: Prediction[];
  explanations: ClassExplanationDocument[];
}
