#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ on `npm install`, so no transpiler runs here.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('openclaw: dist/ is missing; run `npm install` (or `npm run build`) in the project first.\n');
  process.exit(1);
}
await import(main.href);
