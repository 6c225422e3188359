/** Reads the models of this repository's `models/<id>/` folders (Node only). */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseManifest, type ModelManifest } from '../worker/model/manifest';

export const MODELS_DIR = path.resolve(import.meta.dirname, '../models');

export interface ModelFolder {
  dir: string;
  manifest: ModelManifest;
  files: Map<string, Uint8Array>;
}

/** Every `models/<id>/manifest.json` with its files, each checked against the manifest's SHA-256. */
export function readModelFolders(root = MODELS_DIR): ModelFolder[] {
  return readdirSync(root, { withFileTypes: true })
    // Hidden folders are model:add's staging copies, never a finished model.
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && existsSync(path.join(root, entry.name, 'manifest.json')))
    .map((entry) => readModelFolder(path.join(root, entry.name)));
}

export function readModelFolder(dir: string): ModelFolder {
  const manifest = parseManifest(JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')));
  const files = new Map<string, Uint8Array>();
  for (const file of manifest.files) {
    const bytes = new Uint8Array(readFileSync(path.join(dir, file.path)));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== file.sha256 || bytes.byteLength !== file.bytes) {
      throw new Error(`${dir}: ${file.path} does not match its manifest (sha256 ${sha256}, ${bytes.byteLength} bytes)`);
    }
    files.set(file.path, bytes);
  }
  return { dir, manifest, files };
}
