#!/usr/bin/env node
// The `gradcam-edge` command (scripts/cli/gradcam-edge.ts). It runs the TypeScript source through tsx's
// loader (this repository's devDependency), so `npx gradcam-edge` works right after `npm install`,
// with no build step.
import { register } from 'tsx/esm/api';

register();
const { processIo, runCli } = await import('../scripts/cli/gradcam-edge.ts');
process.exitCode = await runCli(process.argv.slice(2), processIo());
