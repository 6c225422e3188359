/**
 * Puts every model of `models/` into the MODELS KV namespace: the local one that `wrangler dev` uses
 * (default), or the deployed one with `--remote`.
 *
 *   npx tsx scripts/seed-models.ts            # local
 *   npx tsx scripts/seed-models.ts --remote   # production, after `wrangler deploy`
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Miniflare } from 'miniflare';
import { manifestKey, modelFileKey } from '../worker/model/model-store';
import { readModelFolders, type ModelFolder } from './model-folders';

export const QUIET_WRANGLER_ENV = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
/** Where `wrangler dev` keeps local state (wrangler's default, beside wrangler.toml). */
const LOCAL_PERSIST_ROOT = path.resolve(import.meta.dirname, '../.wrangler/state/v3');
/** The MODELS namespace id in wrangler.toml, which names its local storage. */
const MODELS_NAMESPACE_ID = 'models';

/** Writes the models straight into local storage with Miniflare (wrangler's local bulk put mangles binary values). */
async function seedLocal(folders: ModelFolder[], persistRoot: string): Promise<void> {
  const mf = new Miniflare({
    script: 'export default { fetch: () => new Response(null, { status: 404 }) }',
    modules: true,
    defaultPersistRoot: persistRoot,
    kvNamespaces: { MODELS: MODELS_NAMESPACE_ID },
  });
  try {
    const kv = await mf.getKVNamespace('MODELS');
    const written = new Set<string>();
    for (const { manifest, files } of folders) {
      for (const [file, bytes] of files) {
        const key = modelFileKey(manifest, file);
        await kv.put(key, new Uint8Array(bytes).buffer);
        written.add(key);
      }
      await kv.put(manifestKey(manifest.id), JSON.stringify(manifest));
      written.add(manifestKey(manifest.id));
    }
    // The local KV mirrors models/: a model folder removed (or an old version's files) goes from it too.
    let cursor: string | undefined;
    do {
      const page = await kv.list({ prefix: 'model:', cursor });
      for (const { name } of page.keys) if (!written.has(name)) await kv.delete(name);
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
  } finally {
    await mf.dispose();
  }
}

/** Uploads through the Cloudflare API with `wrangler kv bulk put --remote` (base64 values). */
function seedRemote(folders: ModelFolder[]): void {
  const files = folders.flatMap(({ manifest, files }) =>
    [...files].map(([file, bytes]) => ({ key: modelFileKey(manifest, file), value: Buffer.from(bytes).toString('base64'), base64: true })),
  );
  const manifests = folders.map(({ manifest }) => ({ key: manifestKey(manifest.id), value: JSON.stringify(manifest) }));
  const dir = mkdtempSync(path.join(tmpdir(), 'seed-models-'));
  try {
    // Files first, manifests last: a reader never sees a manifest whose files are missing.
    for (const [name, batch] of [['files.json', files], ['manifests.json', manifests]] as const) {
      if (batch.length === 0) continue;
      const file = path.join(dir, name);
      writeFileSync(file, JSON.stringify(batch));
      const result = spawnSync('npx', ['wrangler', 'kv', 'bulk', 'put', file, '--binding', 'MODELS', '--remote'], {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, ...QUIET_WRANGLER_ENV },
      });
      if (result.status !== 0) throw new Error(`wrangler kv bulk put failed (exit ${result.status})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface SeedOptions {
  /**
   * Local storage root, as `wrangler dev --persist-to <dir>` uses it: `<dir>/v3`.
   * Default: wrangler's own, `.wrangler/state/v3`.
   */
  persistRoot?: string;
  /** Models to store besides the repository's (tests add fixture models). */
  extraFolders?: ModelFolder[];
}

export async function seedModels(target: 'local' | 'remote' = 'local', options: SeedOptions = {}): Promise<string[]> {
  const folders = [...readModelFolders(), ...(options.extraFolders ?? [])];
  if (target === 'local') await seedLocal(folders, options.persistRoot ?? LOCAL_PERSIST_ROOT);
  else seedRemote(folders);
  return folders.map(({ manifest }) => `${manifest.id}@${manifest.version}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = process.argv.includes('--remote') ? 'remote' : 'local';
  const stored = await seedModels(target);
  console.log(`models stored in the ${target} KV: ${stored.join(', ') || '(none)'}`);
}
