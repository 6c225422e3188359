/**
 * `npm start`: builds the viewer, puts the repository's models into the local KV, then serves the API and
 * the viewer with `wrangler dev` at http://127.0.0.1:8787. Offline-friendly: no telemetry, no Request.cf fetch.
 */
import { spawn } from 'node:child_process';
import { buildViewer } from './build-viewer';
import { QUIET_WRANGLER_ENV, seedModels } from './seed-models';

const PORT = process.env.PORT ?? '8787';

console.log(`viewer built: ${(await buildViewer()).map((f) => f.file).join(', ')}`);
console.log(`models stored in the local KV: ${(await seedModels('local')).join(', ') || '(none)'}`);
const dev = spawn('npx', ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', PORT], {
  stdio: 'inherit',
  env: { ...process.env, ...QUIET_WRANGLER_ENV },
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => dev.kill(signal));
dev.on('exit', (code) => process.exit(code ?? 0));
