// Bundles the compiled CLI (dist/cli/main.js and everything it imports) into that one file, so
// starting `openclaw` reads one module instead of ~500. Heavy SDKs stay external and load lazily
// the first time a provider is used. Runs after `tsc`; the unbundled modules stay in dist/ for tests.
import { rolldown } from 'rolldown';
import fs from 'node:fs';

const entry = 'dist/cli/main.js';
const out = 'dist/cli/main.bundle.tmp.js';
const external = [/^node:/, 'openai', /^openai\//, '@anthropic-ai/sdk', /^@anthropic-ai\/sdk\//, 'ws', 'playwright-core', 'fast-check'];

const bundle = await rolldown({ input: entry, platform: 'node', external, logLevel: 'warn' });
await bundle.write({ file: out, format: 'esm', codeSplitting: false, sourcemap: false });
await bundle.close();
fs.renameSync(out, entry);
const size = fs.statSync(entry).size;
process.stdout.write(`bundled ${entry} (${Math.round(size / 1024)} KiB)\n`);
