/**
 * Manifests for models held in memory, runtime-neutral (no workerd bindings, no Node modules): the
 * workerd tests read fixture files through their FILES binding, Node tests from disk.
 */
import { modelVersion, parseManifest, type ModelManifest } from '../../worker/model/manifest';
import { sha256Hex } from '../../worker/crypto/sha256';


/** Builds a manifest (checksums, version) for in-memory files; `fields` supplies the rest. */
export async function manifestFor(
  fields: Omit<ModelManifest, 'files' | 'version' | 'modelFile' | 'gradcamLayer'> & Partial<Pick<ModelManifest, 'modelFile' | 'gradcamLayer'>>,
  files: Map<string, Uint8Array<ArrayBuffer>>,
): Promise<ModelManifest> {
  const entries = await Promise.all(
    [...files].map(async ([path, bytes]) => ({ path, sha256: await sha256Hex(bytes), bytes: bytes.byteLength })),
  );
  return parseManifest({ ...fields, files: entries, version: await modelVersion(entries) });
}

/** The files of a TF.js model.json folder: the JSON and every weight shard it names. */
export async function tfjsModelFiles(read: (path: string) => Promise<Uint8Array>): Promise<Map<string, Uint8Array<ArrayBuffer>>> {
  const modelJson = (await read('model.json')) as Uint8Array<ArrayBuffer>;
  const { weightsManifest } = JSON.parse(new TextDecoder().decode(modelJson)) as { weightsManifest: { paths: string[] }[] };
  const files = new Map<string, Uint8Array<ArrayBuffer>>([['model.json', modelJson]]);
  for (const path of weightsManifest.flatMap((g) => g.paths)) files.set(path, (await read(path)) as Uint8Array<ArrayBuffer>);
  return files;
}

export const TINY_DARKNET_ID = 'tiny-darknet';

/**
 * The real Tiny Darknet of ../shared/fixtures: RGB / 255, bilinear to 224², softmax over 1000 classes.
 * `readFixture` reads a path relative to the fixtures folder.
 */
export async function tinyDarknetFrom(
  readFixture: (relativePath: string) => Promise<Uint8Array>,
): Promise<{ manifest: ModelManifest; files: Map<string, Uint8Array<ArrayBuffer>> }> {
  const dir = 'models/tiny_darknet';
  const files = await tfjsModelFiles((p) => readFixture(`${dir}/${p}`));
  const labels = JSON.parse(new TextDecoder().decode(await readFixture(`${dir}/imagenet_classes_darknet.json`))) as string[];
  const manifest = await manifestFor(
    {
      id: TINY_DARKNET_ID,
      task: 'classification',
      format: 'tfjs-layers',
      input: { width: 224, height: 224 },
      preprocessing: { mean: [0, 0, 0], std: [255, 255, 255] },
      output: { activation: 'softmax', labelOffset: 0 },
      labels,
    },
    files,
  );
  return { manifest, files };
}
