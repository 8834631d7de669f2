// Bundles the compiled CLI (dist/cli/run.js and everything it imports) into one CommonJS file,
// dist/cli/openclaw.cjs, which dist/cli/main.cjs runs through a V8 code cache (src/cli/code-cache.cts).
// One file instead of ~500 modules, and no parse/compile of it on a cached start: together about
// half of the gateway's time to /ready. Command groups stay lazy inside the bundle (their module
// bodies run only when imported). Heavy SDKs stay external and load on first use. The bundle sits
// next to main.cjs, so `import.meta.url`-relative lookups resolve as they did from dist/cli/*.js.
// Runs after `tsc`; the unbundled modules stay in dist/ for tests.
//
// ASCII only, without JSDoc: V8 keeps the bundle's source in memory for as long as the process runs
// (lazy functions compile from it), and one character outside Latin-1 (a `→` in a message or a
// comment) stores all of it at two bytes per character: 5.3 MB instead of 2.2.
//
// Then it starts the gateway once, on a throwaway state dir, so the code cache exists before the
// first real start (the gateway writes it when it becomes ready). If that fails, the first real
// start writes it instead.
import { rolldown } from 'rolldown';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const outDir = 'dist/cli';
const entry = path.join(outDir, 'run.js');
const bundlePath = path.join(outDir, 'openclaw.cjs');
const cachePath = `${bundlePath}.cache`;
const external = [/^node:/, 'openai', /^openai\//, '@anthropic-ai/sdk', /^@anthropic-ai\/sdk\//, 'playwright-core', 'fast-check', 'bufferutil', 'utf-8-validate', 'baileys', /^@discordjs\//, 'discord-api-types', /^discord-api-types\//, 'qrcode', 'zlib-sync'];

// grammY's node-fetch (with whatwg-url and tr46) becomes the Bot API fetch it is given anyway
// (src/channels/telegram/bot-api-fetch.ts): ~0.5 MB less source kept in memory, and not loaded.
const alias = { 'node-fetch': path.resolve('dist/channels/telegram/bot-api-fetch.js') };

const bundle = await rolldown({ input: entry, platform: 'node', external, resolve: { alias }, logLevel: 'warn' });
const tmp = `${bundlePath}.tmp`;
await bundle.write({ file: tmp, format: 'cjs', codeSplitting: false, dynamicImportInCjs: false, sourcemap: false, charset: 'ascii', comments: { legal: true, annotation: true, jsdoc: false } });
await bundle.close();
fs.writeFileSync(tmp, cheapNodeInterop(fs.readFileSync(tmp, 'utf8')));
fs.renameSync(tmp, bundlePath);
fs.rmSync(cachePath, { force: true });
// The earlier ESM entry and its chunks would only be dead weight (and main.js a broken entry).
for (const f of fs.readdirSync(outDir)) if (/^chunk-.*\.js$/.test(f) || f === 'main.js') fs.rmSync(path.join(outDir, f));
process.stdout.write(`bundled ${bundlePath} (${Math.round(fs.statSync(bundlePath).size / 1024)} KiB)\n`);

try {
  await warmCodeCache();
  process.stdout.write(`wrote ${cachePath} (${Math.round(fs.statSync(cachePath).size / 1024)} KiB)\n`);
} catch (err) {
  process.stdout.write(`note: no code cache yet (${err.message}); the first gateway start writes it\n`);
}

/**
 * `import fs from 'node:fs'` becomes `__toESM(require('node:fs'), 1)` in a CommonJS bundle, and
 * rolldown's helper copies every export of the module onto a new object as a getter: for the
 * dozen builtins (fs, crypto, http …) a start needs, that is ~5 ms. In Node mode the result only
 * has to read like the module plus `default`, which an object inheriting from it does at once.
 */
function cheapNodeInterop(code) {
  const helper = 'var __toESM = (mod, isNodeMode, target) => (';
  if (!code.includes(helper)) throw new Error('bundle-cli: rolldown\'s __toESM helper changed; update cheapNodeInterop()');
  return code.replace(helper, 'var __toESM = (mod, isNodeMode, target) => isNodeMode && mod != null && (typeof mod === "object" || typeof mod === "function") ? __create(mod, { default: { value: mod, enumerable: true } }) : (');
}

async function warmCodeCache() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-build-'));
  const config = { gateway: { mode: 'local', auth: { mode: 'token', token: 'build-warmup-token-0123456789abcdef' } } };
  fs.writeFileSync(path.join(root, 'openclaw.json'), JSON.stringify(config), { mode: 0o600 });
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(outDir, 'main.cjs'), 'gateway', 'run', '--port', String(port), '--no-dashboard'], {
    env: { PATH: process.env.PATH, HOME: root, OPENCLAW_STATE_DIR: root },
    stdio: 'ignore',
  });
  try {
    const deadline = Date.now() + 15_000;
    while (!fs.existsSync(cachePath)) {
      if (child.exitCode !== null) throw new Error(`warm-up gateway exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('warm-up gateway did not become ready within 15s');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}
