/**
 * The manifest that sits beside every model in `models/<id>/manifest.json` (and in KV under
 * `model:<id>:manifest`). It is validated once, here, and typed from then on.
 *
 * Example:
 * ```json
 * { "id": "tiny-darknet", "version": "3f1c…", "task": "classification", "format": "tfjs-layers",
 *   "input": { "width": 224, "height": 224 }, "preprocessing": { "mean": [0,0,0], "std": [255,255,255] },
 *   "output": { "activation": "softmax" }, "labels": ["tench", …], "gradcamLayer": "auto",
 *   "files": [{ "path": "model.json", "sha256": "…", "bytes": 1234 }, …] }
 * ```
 */
import { z } from 'zod';
import { sha256Hex } from '../crypto/sha256';

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Model ids appear in URLs and KV keys: keep them to a safe, readable alphabet. */
export const MODEL_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export const ModelFileSchema = z.object({
  path: z.string().regex(/^[A-Za-z0-9._-][A-Za-z0-9._/-]*$/).refine((p) => !p.includes('..'), 'no ".." in paths'),
  sha256: z.string().regex(SHA256_HEX),
  bytes: z.number().int().nonnegative(),
});

export const ModelManifestSchema = z.object({
  id: z.string().regex(MODEL_ID),
  /** Changes whenever any file changes: derived from the files' SHA-256s by `modelVersion`. */
  version: z.string().min(1).max(64),
  name: z.string().optional(),
  description: z.string().optional(),
  task: z.enum(['classification', 'multi-label-classification']),
  format: z.enum(['tfjs-layers', 'tfjs-graph']),
  /** The file the TF.js loader starts from; the weight files are named inside it. */
  modelFile: z.string().default('model.json'),
  input: z.object({
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    /** Name of the graph input (GraphModels only). */
    name: z.string().optional(),
  }),
  /** x = (pixel − mean) / std per RGB channel, pixel in [0, 255], after a bilinear resize to the input. */
  preprocessing: z.object({
    mean: z.tuple([z.number(), z.number(), z.number()]),
    std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  }),
  output: z.object({
    /**
     * How scores come from the model's pre-activation class scores (the logits Grad-CAM differentiates).
     * When the model itself ends in this activation, exposing the model strips it.
     */
    activation: z.enum(['softmax', 'sigmoid', 'none']),
    /** Output node name (GraphModels only). */
    name: z.string().optional(),
    /** Index of the first real class when the model has extra leading outputs (e.g. "background"). */
    labelOffset: z.number().int().nonnegative().default(0),
  }),
  labels: z.array(z.string()).min(1),
  /** The Grad-CAM layer: a layer (or graph node) name, or "auto" for the input of the last global pooling. */
  gradcamLayer: z.string().default('auto'),
  files: z.array(ModelFileSchema).min(1),
  source: z.string().optional(),
  license: z.string().optional(),
});

export type ModelManifest = z.infer<typeof ModelManifestSchema>;
export type ModelFile = z.infer<typeof ModelFileSchema>;

/** Validates untrusted JSON as a manifest; throws a readable error naming the bad fields. */
export function parseManifest(json: unknown): ModelManifest {
  const result = ModelManifestSchema.safeParse(json);
  if (!result.success) {
    throw new Error(`invalid model manifest: ${z.prettifyError(result.error)}`);
  }
  return result.data;
}

/** A model's version: the first 16 hex digits of SHA-256 over its files' "path:sha256" lines, sorted. */
export async function modelVersion(files: readonly ModelFile[]): Promise<string> {
  const lines = files.map((f) => `${f.path}:${f.sha256}`).sort().join('\n');
  return (await sha256Hex(lines)).slice(0, 16);
}


/**
 * Checks one of the model's files against the manifest's size and SHA-256, wherever it was read from
 * (KV in the worker, HTTP in the viewer's private mode).
 */
export async function verifyModelFile(manifest: Pick<ModelManifest, 'id'>, file: ModelFile, bytes: Uint8Array<ArrayBuffer>): Promise<void> {
  if (bytes.byteLength !== file.bytes || (await sha256Hex(bytes)) !== file.sha256) {
    throw new Error(`model ${manifest.id}: file ${file.path} does not match its manifest checksum`);
  }
}
