/**
 * The committed default model is what its converter makes from the pinned packages: reconverted here
 * (PyTorch export, TF.js build, parity and float16 checks), every file equals models/efficientnet-lite0's.
 * Needs the venv (scripts/python/setup-venv.sh): under CI it always runs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convertEfficientNetLite0, LITE0_ID } from '../../../../models/import/efficientnet-lite/convert';
import { initWasmBackend } from '../../../../worker/runtime/wasm-node';
import { venvPython } from '../../../support/python';

const ROOT = path.resolve(import.meta.dirname, '../../../..');
const COMMITTED = path.join(ROOT, 'models', LITE0_ID);
const python = venvPython('the reconversion of EfficientNet-Lite0 from its PyPI packages');

describe.skipIf(!python)('npm run convert:efficientnet-lite0', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lite0-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reproduces the committed model, byte for byte', async () => {
    await initWasmBackend();
    const lines: string[] = [];
    const out = path.join(dir, 'model');
    const manifest = await convertEfficientNetLite0({
      photos: path.resolve(ROOT, '../shared/fixtures/images'),
      out,
      python: python!,
      scratch: path.join(dir, 'export'),
      log: (line) => lines.push(line),
    });
    expect(lines.join('\n')).toMatch(/parity on 7 photos/);
    for (const file of ['manifest.json', 'model.json', 'weights.bin', 'LICENSE']) {
      expect(readFileSync(path.join(out, file)).equals(readFileSync(path.join(COMMITTED, file))), file).toBe(true);
    }
    const conversion = JSON.parse(readFileSync(path.join(out, 'conversion.json'), 'utf8'));
    expect(conversion.parity.relative).toBeLessThanOrEqual(1e-3);
    expect(manifest.labels).toHaveLength(1000);
  });
});
