/**
 * Where model files live in Workers KV. Keys:
 *   model:<id>:manifest          the manifest JSON
 *   model:<id>:<version>:<path>  each file's bytes (versioned, so an upload never mixes two versions)
 */
import { parseManifest, verifyModelFile, type ModelManifest } from './manifest';
import type { ModelFiles } from './memory-io-handler';

const MANIFEST_SUFFIX = ':manifest';

export function manifestKey(id: string): string {
  return `model:${id}${MANIFEST_SUFFIX}`;
}

export function modelFileKey(manifest: Pick<ModelManifest, 'id' | 'version'>, path: string): string {
  return `model:${manifest.id}:${manifest.version}:${path}`;
}

/** The manifest of model `id`, or undefined when no such model is stored. */
export async function readManifest(kv: KVNamespace, id: string): Promise<ModelManifest | undefined> {
  const json = await kv.get(manifestKey(id), 'json');
  return json == null ? undefined : parseManifest(json);
}

/** Every stored manifest, sorted by id. */
export async function listManifests(kv: KVNamespace): Promise<ModelManifest[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await kv.list({ prefix: 'model:', cursor });
    for (const key of page.keys) {
      if (key.name.endsWith(MANIFEST_SUFFIX)) ids.push(key.name.slice('model:'.length, -MANIFEST_SUFFIX.length));
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  const manifests = await Promise.all(ids.map((id) => readManifest(kv, id)));
  return manifests.filter((m): m is ModelManifest => m !== undefined).sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * A stored model cannot be loaded: a file is missing or fails its manifest's checksum. Not the request's
 * fault and not permanent (the next request reads the files again, so re-uploading them fixes it).
 */
export class ModelUnavailableError extends Error {
  override name = 'ModelUnavailableError';

  constructor(
    readonly modelId: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads all files of a model and checks each against the manifest's size and SHA-256. */
export async function readModelFiles(kv: KVNamespace, manifest: ModelManifest): Promise<ModelFiles> {
  const entries = await Promise.all(
    manifest.files.map(async (file) => {
      const value = await kv.get(modelFileKey(manifest, file.path), 'arrayBuffer');
      if (value == null) throw new ModelUnavailableError(manifest.id, `model ${manifest.id}: file ${file.path} is not stored`);
      const bytes = new Uint8Array(value);
      await verifyModelFile(manifest, file, bytes).catch((error: unknown) => {
        throw new ModelUnavailableError(manifest.id, error instanceof Error ? error.message : String(error));
      });
      return [file.path, bytes] as const;
    }),
  );
  return new Map(entries);
}

/** Stores a model (manifest last, so readers never see a manifest whose files are not there yet). */
export async function writeModel(kv: KVNamespace, manifest: ModelManifest, files: ModelFiles): Promise<void> {
  for (const file of manifest.files) {
    const bytes = files.get(file.path);
    if (!bytes) throw new Error(`model ${manifest.id}: file ${file.path} is missing`);
    await kv.put(modelFileKey(manifest, file.path), bytes);
  }
  await kv.put(manifestKey(manifest.id), JSON.stringify(manifest));
}
