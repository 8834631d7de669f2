// Entry of the openclaw CLI. CommonJS on purpose: an ES-module entry costs ~12 ms more to start.
// The build ships the CLI as one CommonJS bundle (dist/cli/openclaw.cjs, scripts/bundle-cli.mjs)
// run through a V8 code cache (code-cache.cts); without the bundle (tsc output used directly) the
// ES modules load as usual.
import fs from 'node:fs';
import path from 'node:path';
import { runBundle } from './code-cache.cjs';
import { holdYoungGeneration } from './young-generation.cjs';

// Before anything compiles: the code cache is keyed by V8's flags, so every start sets the same.
holdYoungGeneration();

const bundle = path.join(__dirname, 'openclaw.cjs');

if (fs.existsSync(bundle)) {
  runBundle(bundle);
} else {
  void import('./program.js').then((m) => m.runCli(process.argv));
}
