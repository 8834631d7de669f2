import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { cacheKey, cachePathFor, lazyBuiltinRequire, readCodeCache, runBundle, saveCodeCache, writeCodeCache } from './code-cache.cjs';
import { CLI_MAIN } from '../testing/harness.js';

function tempBundle(body: string): { file: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-code-cache-'));
  const file = path.join(dir, 'bundle.cjs');
  fs.writeFileSync(file, body);
  return { file, dir };
}

const runs = (): number[] => ((globalThis as { __codeCacheTestRuns?: number[] }).__codeCacheTestRuns ??= []);

test('a bundle runs as CommonJS, then from the cache it wrote, and never from a cache of other bytes', async () => {
  const { file, dir } = tempBundle("globalThis.__codeCacheTestRuns.push(require('node:path').basename(__filename) === 'bundle.cjs' ? 1 : 0);\n");
  try {
    runs().length = 0;
    assert.equal(runBundle(file), 'none');
    saveCodeCache();
    await new Promise((r) => setImmediate(r));
    assert.ok(fs.existsSync(cachePathFor(file)), 'the cache was written');
    assert.equal(runBundle(file), 'accepted');
    assert.deepEqual(runs(), [1, 1]);

    // Same length, other code: V8 alone would not notice; the key (size + mtime) does.
    fs.writeFileSync(file, "globalThis.__codeCacheTestRuns.push(require('node:path').basename(__filename) === 'bundle.cjs' ? 2 : 0);\n");
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    assert.equal(runBundle(file), 'stale');
    assert.deepEqual(runs(), [1, 1, 2]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('cache files: round trip, wrong key, and garbage all behave', () => {
  const { file, dir } = tempBundle('1;\n');
  try {
    const cache = cachePathFor(file);
    assert.deepEqual(readCodeCache(cache, 'k'), { state: 'none' });
    writeCodeCache(cache, cacheKey(file), Buffer.from('v8 data'));
    assert.equal(readCodeCache(cache, cacheKey(file)).data?.toString(), 'v8 data');
    assert.deepEqual(readCodeCache(cache, 'other'), { state: 'stale' });
    fs.writeFileSync(cache, 'garbage');
    assert.deepEqual(readCodeCache(cache, cacheKey(file)), { state: 'stale' });
    assert.deepEqual(fs.readdirSync(dir).sort(), ['bundle.cjs', 'bundle.cjs.cache'], 'no temp files left behind');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('lazy builtins act like the real modules and other ids pass straight through', () => {
  const real = createRequire(import.meta.url);
  const lazy = lazyBuiltinRequire(real);
  const zlib = lazy('zlib') as typeof import('node:zlib');
  assert.equal(zlib.gunzipSync(zlib.gzipSync(Buffer.from('hello'))).toString(), 'hello');
  assert.equal(zlib.constants.Z_SYNC_FLUSH, (real('zlib') as typeof import('node:zlib')).constants.Z_SYNC_FLUSH);
  assert.ok('createHash' in (lazy('node:crypto') as object));
  assert.equal(lazy('node:path'), real('node:path'));
  const ns = Object.create(lazy('tls') as object) as typeof import('node:tls');
  assert.equal(typeof ns.connect, 'function', 'reads through an inheriting object (the bundle interop) reach the module');
  assert.ok(Object.keys(lazy('https') as object).includes('request'));
  assert.equal(lazy.resolve('node:fs'), 'node:fs');
});

test('the built CLI starts from the code cache the build wrote', () => {
  const r = spawnSync(process.execPath, [CLI_MAIN, '--version'], { env: { PATH: process.env.PATH, OPENCLAW_STARTUP_TRACE: '1' }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /code cache: accepted/);
  assert.match(r.stdout, /^\d+\.\d+\.\d+/);
});

test('the built CLI bundle is pure ASCII, so V8 holds its source at one byte per character', () => {
  const bundle = path.join(path.dirname(CLI_MAIN), 'openclaw.cjs');
  const bytes = fs.readFileSync(bundle);
  const at = bytes.findIndex((b) => b > 0x7f);
  assert.equal(at, -1, `non-ASCII at byte ${at} of ${bundle}: ${JSON.stringify(bytes.subarray(Math.max(0, at - 40), at + 10).toString('utf8'))} (scripts/bundle-cli.mjs writes charset ascii)`);
});
