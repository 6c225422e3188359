/**
 * What every importer hands to `model:add` (and to tests): a TF.js model as files, with what could be
 * learnt about its input, output, preprocessing and labels. Turning it into a manifest is
 * `manifestForImport`; nothing here touches a file system, so imports also run inside workerd.
 */
import { modelVersion, parseManifest, type ModelManifest } from '../../worker/model/manifest';
import { sha256Hex } from '../../worker/crypto/sha256';

export type OutputActivation = ModelManifest['output']['activation'];
export type Preprocessing = ModelManifest['preprocessing'];

export interface ImportedModel {
  format: ModelManifest['format'];
  /** The model.json's path among `files`. */
  modelFile: string;
  files: Map<string, Uint8Array>;
  input: { width: number; height: number; name?: string };
  /** `classes`: the number of outputs (some may not be classes, e.g. a leading "background"). */
  output: { activation: OutputActivation; name?: string; classes: number };
  /** Undefined when the model does not say (TF.js folders): the caller must choose. */
  preprocessing?: Preprocessing;
  /** Where `preprocessing` came from, in words, for the import report. */
  preprocessingSource?: string;
  /** Labels the model carries (TF Lite metadata), in output order. */
  labels?: string[];
  name?: string;
  description?: string;
  license?: string;
  /** What the importer assumed or ignored, for the import report. */
  notes: string[];
}

/** The activation to put in the manifest: the model's own final one, or softmax (noted) when it ends in logits. */
export function chooseActivation(detected: OutputActivation | undefined, notes: string[]): OutputActivation {
  if (detected && detected !== 'none') return detected;
  notes.push('the model outputs logits; scores are taken as their softmax (use --activation to change)');
  return 'softmax';
}

export class LabelMismatchError extends Error {
  override name = 'LabelMismatchError';
}

/**
 * Fits labels to the model's outputs. One label short, or a first label "background" (TF-slim's ImageNet
 * models have 1001 outputs), means output 0 is not a class: the manifest skips it with labelOffset 1.
 */
export function alignLabels(labels: readonly string[], outputs: number): { labels: string[]; labelOffset: number } {
  const isBackground = /^(background|__background__|\?\?\?)$/i.test(labels[0]?.trim() ?? '');
  if (labels.length === outputs && isBackground && outputs > 1) return { labels: labels.slice(1), labelOffset: 1 };
  if (labels.length === outputs) return { labels: [...labels], labelOffset: 0 };
  if (labels.length === outputs - 1) return { labels: [...labels], labelOffset: 1 };
  throw new LabelMismatchError(`the model has ${outputs} outputs but ${labels.length} labels were given`);
}

/** Labels from a text file (one per line) or a JSON array of strings. */
export function parseLabels(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    const json: unknown = JSON.parse(trimmed);
    if (!Array.isArray(json) || !json.every((l) => typeof l === 'string')) throw new LabelMismatchError('a JSON label file must hold an array of strings');
    return json;
  }
  return trimmed.split(/\r?\n/).map((line) => line.trim());
}


export interface ManifestOptions {
  id: string;
  /** Overrides the model's own labels. */
  labels?: readonly string[];
  /** Grad-CAM layer (layer or node name); default "auto". */
  layer?: string;
  /** Overrides the model's own preprocessing; required when the model has none. */
  preprocessing?: Preprocessing;
  /** Overrides the detected output activation. */
  activation?: OutputActivation;
  name?: string;
  description?: string;
  source?: string;
  license?: string;
}

/** The manifest of an imported model: checksums, version, labels fitted to the outputs. */
export async function manifestForImport(imported: ImportedModel, options: ManifestOptions): Promise<ModelManifest> {
  const preprocessing = options.preprocessing ?? imported.preprocessing;
  if (!preprocessing) throw new Error('the model does not say how to normalise its input: give --mean and --std');
  const given = options.labels ?? imported.labels;
  const { labels, labelOffset } = given
    ? alignLabels(given, imported.output.classes)
    : { labels: Array.from({ length: imported.output.classes }, (_, i) => `class ${i}`), labelOffset: 0 };
  const files = await Promise.all(
    [...imported.files].map(async ([path, bytes]) => ({ path, sha256: await sha256Hex(bytes), bytes: bytes.byteLength })),
  );
  return parseManifest({
    id: options.id,
    version: await modelVersion(files),
    name: options.name ?? imported.name,
    description: options.description ?? imported.description,
    task: 'classification',
    format: imported.format,
    modelFile: imported.modelFile,
    input: imported.input,
    preprocessing,
    output: { activation: options.activation ?? imported.output.activation, name: imported.output.name, labelOffset },
    labels,
    gradcamLayer: options.layer ?? 'auto',
    files,
    source: options.source,
    license: options.license ?? imported.license,
  });
}
