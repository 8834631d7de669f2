#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ on `npm install`, so no transpiler runs here.
// CommonJS, like dist/cli/main.cjs: an ES-module entry costs ~12 ms more to start.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const main = path.join(__dirname, '..', 'dist', 'cli', 'main.cjs');
if (!fs.existsSync(main)) {
  process.stderr.write('openclaw: dist/ is missing; run `npm install` (or `npm run build`) in the project first.\n');
  process.exit(1);
}
require(main);
