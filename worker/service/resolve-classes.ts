import type { ModelManifest } from '../model/manifest';
import { ClassSelectionError } from './request-errors';

/**
 * Turns the `class` options (label indices or label names, case-insensitive) into label indices:
 * sorted and without repeats, so the order of repeated parameters never changes the result.
 */
export function resolveClasses(manifest: Pick<ModelManifest, 'labels'>, specs: readonly string[]): number[] {
  const byName = new Map(manifest.labels.map((label, i) => [label.toLowerCase(), i]));
  const indices = specs.map((spec) => {
    const trimmed = spec.trim();
    if (/^\d+$/.test(trimmed)) {
      const index = Number(trimmed);
      if (index >= manifest.labels.length) {
        throw new ClassSelectionError(`class ${index} is out of range: the model has ${manifest.labels.length} classes (0–${manifest.labels.length - 1})`);
      }
      return index;
    }
    const index = byName.get(trimmed.toLowerCase());
    if (index === undefined) throw new ClassSelectionError(`the model has no class labelled "${trimmed}"`);
    return index;
  });
  return [...new Set(indices)].sort((a, b) => a - b);
}
