/**
 * Regenerates the LiteRT goldens of this folder: writes each TF Lite file of cases.ts and each input
 * tensor (dumped from our side) to a scratch folder, runs LiteRT on them with the project's venv
 * (scripts/python/litert_outputs.py), and writes one `<model>.json` per file.
 *
 *   scripts/python/setup-venv.sh && npx tsx test/models/import/tflite/golden/regenerate.ts
 *
 * litert-goldens-regenerate.test.ts runs the same and fails when the result differs from what is committed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { importTflite } from '../../../../../models/import/tflite/import-tflite';
import { initWasmBackend } from '../../../../../worker/runtime/wasm-node';
import { photoPixels } from '../../../../support/photo-pixels';
import { venvPython } from '../../../../support/python';
import { GOLDEN_DIR, GOLDEN_MODELS, litertInput, PHOTOS, sha256, type Golden } from './cases';

const REPO_DIR = path.resolve(import.meta.dirname, '../../../../..');
const GENERATOR = path.join(REPO_DIR, 'scripts/python/litert_outputs.py');

interface LitertOutputs {
  runtime: string;
  outputs: Pick<Golden['cases'][number], 'inputType' | 'output' | 'dequantizedOutput'>[];
}

/** Every golden, computed afresh by LiteRT with `python` (the venv's). Needs a TF.js backend. */
export async function computeGoldens(python: string): Promise<Golden[]> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'litert-goldens-'));
  try {
    const cases: { model: string; input: string }[] = [];
    const goldens: Golden[] = [];
    for (const model of GOLDEN_MODELS) {
      const bytes = await model.bytes();
      const imported = await importTflite(bytes);
      const modelFile = path.join(scratch, `${model.id}.tflite`);
      writeFileSync(modelFile, bytes);
      mkdirSync(path.join(scratch, model.id));
      const golden: Golden = { model: model.id, quantisation: model.quantisation, modelSha256: sha256(bytes), runtime: '', cases: [] };
      for (const photo of PHOTOS) {
        const input = litertInput(bytes, imported, await photoPixels(photo, imported.input.width, imported.input.height));
        const inputFile = path.join(scratch, model.id, `${photo}.bin`);
        writeFileSync(inputFile, input);
        cases.push({ model: modelFile, input: inputFile });
        golden.cases.push({ photo, inputType: '', inputSha256: sha256(input), output: { type: '', scale: 0, zeroPoint: 0, values: [] } });
      }
      goldens.push(golden);
    }
    const casesFile = path.join(scratch, 'cases.json');
    const outputsFile = path.join(scratch, 'outputs.json');
    writeFileSync(casesFile, JSON.stringify(cases));
    execFileSync(python, [GENERATOR, casesFile, outputsFile], { stdio: ['ignore', 'inherit', 'inherit'] });
    const result = JSON.parse(readFileSync(outputsFile, 'utf8')) as LitertOutputs;
    let next = 0;
    for (const golden of goldens) {
      golden.runtime = result.runtime;
      for (const entry of golden.cases) Object.assign(entry, result.outputs[next++]);
    }
    return goldens;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A golden as committed: two-space JSON with each output's values on one line. */
export function formatGolden(golden: Golden): string {
  const text = JSON.stringify(golden, (key, value: unknown) => (key === 'values' ? `@${JSON.stringify(value)}@` : value), 2);
  return `${text.replace(/"@(\[[^"]*\])@"/g, '$1')}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const python = venvPython('regenerating the LiteRT goldens');
  if (!python) process.exit(1);
  await initWasmBackend();
  for (const golden of await computeGoldens(python)) {
    const file = path.join(GOLDEN_DIR, `${golden.model}.json`);
    writeFileSync(file, formatGolden(golden));
    console.log(`wrote ${path.relative(REPO_DIR, file)} (${golden.cases.length} photos, ${golden.runtime})`);
  }
}
