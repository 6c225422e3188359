/** Test helpers that store real models in the MODELS KV binding through the same path production uses. */
import { parseManifest, type ModelManifest } from '../../worker/model/manifest';
import { writeModel } from '../../worker/model/model-store';
import { fixtureBytes, repoBytes } from './files';
import { tinyDarknetFrom } from './model-manifests';

export { manifestFor, tfjsModelFiles, TINY_DARKNET_ID } from './model-manifests';

/** The real Tiny Darknet of ../shared/fixtures: RGB / 255, bilinear to 224², softmax over 1000 classes. */
export function tinyDarknet(): Promise<{ manifest: ModelManifest; files: Map<string, Uint8Array<ArrayBuffer>> }> {
  return tinyDarknetFrom(fixtureBytes);
}

/** Stores the real Tiny Darknet in `kv` and returns its manifest. */
export async function seedTinyDarknet(kv: KVNamespace): Promise<ModelManifest> {
  const { manifest, files } = await tinyDarknet();
  await writeModel(kv, manifest, files);
  return manifest;
}

/** Stores this repository's `models/<id>/` (manifest + files) in `kv`, as `npm start` does. */
export async function seedRepositoryModel(kv: KVNamespace, id: string): Promise<ModelManifest> {
  const manifest = parseManifest(JSON.parse(new TextDecoder().decode(await repoBytes(`models/${id}/manifest.json`))));
  const files = new Map<string, Uint8Array>();
  for (const file of manifest.files) files.set(file.path, await repoBytes(`models/${id}/${file.path}`));
  await writeModel(kv, manifest, files);
  return manifest;
}
