// Bundles the compiled CLI (dist/cli/main.js and everything it imports) so starting `openclaw`
// reads a handful of files instead of ~500. main.ts imports each command group dynamically, so the
// bundle is split: main.js plus shared chunks (dist/cli/chunk-<hash>.js) that load only when a
// command needs them — `gateway run` never parses the doctor or the TUI. Every chunk sits next to
// main.js, so `import.meta.url`-relative lookups resolve as they did from dist/cli/main.js.
// Heavy SDKs stay external and load lazily the first time a provider is used. Runs after `tsc`;
// the unbundled modules stay in dist/ for tests.
import { rolldown } from 'rolldown';
import fs from 'node:fs';
import path from 'node:path';

const outDir = 'dist/cli';
const entry = path.join(outDir, 'main.js');
const tmpDir = path.join(outDir, '.bundle.tmp');
const external = [/^node:/, 'openai', /^openai\//, '@anthropic-ai/sdk', /^@anthropic-ai\/sdk\//, 'ws', 'playwright-core', 'fast-check'];

fs.rmSync(tmpDir, { recursive: true, force: true });
const bundle = await rolldown({ input: entry, platform: 'node', external, logLevel: 'warn' });
await bundle.write({ dir: tmpDir, format: 'esm', entryFileNames: 'main.js', chunkFileNames: 'chunk-[hash].js', sourcemap: false });
await bundle.close();

// Chunks of an earlier build would only be dead weight; main.js goes last so it never points at a missing chunk.
for (const f of fs.readdirSync(outDir)) if (/^chunk-.*\.js$/.test(f)) fs.rmSync(path.join(outDir, f));
const written = fs.readdirSync(tmpDir);
for (const f of written) if (f !== 'main.js') fs.renameSync(path.join(tmpDir, f), path.join(outDir, f));
fs.renameSync(path.join(tmpDir, 'main.js'), entry);
fs.rmSync(tmpDir, { recursive: true, force: true });
const kib = (f) => Math.round(fs.statSync(path.join(outDir, f)).size / 1024);
const total = written.reduce((sum, f) => sum + kib(f), 0);
process.stdout.write(`bundled ${entry} (${kib('main.js')} KiB) + ${written.length - 1} chunks (${total} KiB in all)\n`);
