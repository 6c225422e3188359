/**
 * The committed LiteRT goldens are LiteRT's: regenerated here from the pinned packages (the venv of
 * scripts/python/setup-venv.sh) and compared with golden/*.json as committed, byte for byte. Skips loudly
 * without the venv; under CI its absence fails (test/support/python.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initWasmBackend } from '../../../../worker/runtime/wasm-node';
import { fixturesPresent } from '../../../support/photo-pixels';
import { venvPython } from '../../../support/python';
import { GOLDEN_DIR, GOLDEN_MODELS } from './golden/cases';
import { computeGoldens, formatGolden } from './golden/regenerate';

const python = venvPython('regenerating the LiteRT goldens');
const present = fixturesPresent();
if (!present) console.warn('\n*** SKIPPING the LiteRT golden regeneration: ../shared/fixtures is absent\n');

describe.skipIf(!python || !present)('the LiteRT goldens', () => {
  beforeAll(() => initWasmBackend());

  it('are what LiteRT computes today, for every model and photo', async () => {
    const goldens = await computeGoldens(python!);
    expect(goldens.map((g) => g.model)).toEqual(GOLDEN_MODELS.map((m) => m.id));
    for (const golden of goldens) {
      const committed = readFileSync(path.join(GOLDEN_DIR, `${golden.model}.json`), 'utf8');
      expect(formatGolden(golden), `${golden.model}.json differs: rerun test/models/import/tflite/golden/regenerate.ts`).toBe(committed);
    }
  });
});
