/**
 * Models loaded in this isolate: each (id, version) is loaded once, concurrent requests for it share the
 * same load, and a new version replaces (and frees) the old one.
 */
import type { ModelManifest } from './manifest';
import type { LoadedModel } from './load-model';

export class ModelRegistry {
  readonly #loads = new Map<string, { version: string; model: Promise<LoadedModel> }>();

  /** The loaded model for `manifest`, loading it with `load` only if this version is not loaded yet. */
  get(manifest: ModelManifest, load: () => Promise<LoadedModel>): Promise<LoadedModel> {
    const current = this.#loads.get(manifest.id);
    if (current?.version === manifest.version) return current.model;
    const model = load();
    this.#loads.set(manifest.id, { version: manifest.version, model });
    // A failed load is forgotten so the next request tries again. The replaced model is freed once its
    // successor has loaded, so a failed upgrade costs nothing but the retry.
    model.then(
      () => current?.model.then((old) => old.dispose(), () => undefined),
      () => {
        if (this.#loads.get(manifest.id)?.model === model) this.#loads.delete(manifest.id);
      },
    );
    return model;
  }

  /** Number of models currently held (for diagnostics and tests). */
  get size(): number {
    return this.#loads.size;
  }
}
