/**
 * The development-time Python for Node tests (reference implementations, generators of golden files):
 * the venv that scripts/python/setup-venv.sh makes over Debian's python3-torch. Where it is absent the
 * tests that need it skip with a loud message; under CI (CI=true, where .ci/run always makes it) its
 * absence fails instead, so a skipped reference can never pass CI.
 *
 * Example: `describe.skipIf(!venvPython('golden maps'))('…', () => { execFileSync(venvPython()!, [...]) })`
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

const REPO_DIR = path.resolve(import.meta.dirname, '../..');
const VENV_PYTHON = path.join(REPO_DIR, process.env.GRADCAM_EDGE_VENV ?? '.venv', 'bin/python');

/** The venv's python, or undefined (after a loud warning naming `what`) where it is absent. */
export function venvPython(what = 'these tests'): string | undefined {
  if (existsSync(VENV_PYTHON)) return VENV_PYTHON;
  const message = `${VENV_PYTHON} is missing: run scripts/python/setup-venv.sh (needs Debian's python3-torch) for ${what}`;
  if (process.env.CI) throw new Error(message);
  console.warn(`\n*** SKIPPING ${what}: ${message}\n`);
  return undefined;
}
