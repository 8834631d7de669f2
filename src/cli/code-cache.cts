// Runs the CLI bundle (one CommonJS file) through vm.Script with a V8 code cache beside it, so a
// start skips parsing and compiling the ~1 MB of JavaScript it needs: about a quarter of the time
// from spawn to /ready. The cache is only a speed-up. It is written after the gateway becomes
// ready (the functions compiled by then are the ones a start needs), keyed by the bundle's size and
// mtime and by the Node version, and replaced atomically; V8 itself rejects it when its version or
// flags differ. Any failure to read or write it just means compiling from source.
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/**
 * Builtins the bundle requires at load time but a gateway start never uses (ws's TLS client and
 * compression, commander's subprocess launcher, the interactive prompts): handed over as proxies
 * that load the real module on first use, about 12 ms of startup. Only modules bound whole
 * (`const zlib = require('zlib')`) may be listed: destructuring would load them at once anyway.
 */
const LAZY_BUILTINS = new Set(['https', 'tls', 'zlib', 'node:child_process', 'node:readline', 'node:readline/promises']);

export function lazyBuiltinRequire(real: NodeJS.Require): NodeJS.Require {
  const lazy = (id: string): unknown => {
    if (!LAZY_BUILTINS.has(id)) return real(id);
    let mod: Record<PropertyKey, unknown> | undefined;
    const load = () => (mod ??= real(id) as Record<PropertyKey, unknown>);
    return new Proxy({}, {
      get: (_, key) => load()[key],
      has: (_, key) => key in load(),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Reflect.getOwnPropertyDescriptor(load(), key);
        // A proxy may not report a property non-configurable that its (empty) target lacks.
        return d && { ...d, configurable: true };
      },
    });
  };
  return Object.assign(lazy, real) as NodeJS.Require;
}

export type CodeCacheState = 'accepted' | 'rejected' | 'stale' | 'none';

/** Set by `runBundle`, called by `saveCodeCache` (the bundle carries its own copy of this module). */
const SAVE_HOOK = Symbol.for('openclaw.saveCodeCache');
type SaveHook = () => void;

export function cachePathFor(bundlePath: string): string {
  return `${bundlePath}.cache`;
}

/** What a cache must match: this bundle file (size, mtime) on this Node (version, arch). */
export function cacheKey(bundlePath: string): string {
  const st = fs.statSync(bundlePath);
  return `${st.size}:${Math.trunc(st.mtimeMs)}:${process.version}:${process.arch}`;
}

/** Cache file layout: 4-byte header length, the JSON header `{key}`, then V8's cached data. */
export function readCodeCache(cachePath: string, key: string): { data?: Buffer; state: 'found' | 'stale' | 'none' } {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(cachePath);
  } catch {
    return { state: 'none' };
  }
  try {
    const headerLength = raw.readUInt32LE(0);
    const header = JSON.parse(raw.subarray(4, 4 + headerLength).toString('utf8')) as { key?: unknown };
    if (header.key !== key) return { state: 'stale' };
    return { data: raw.subarray(4 + headerLength), state: 'found' };
  } catch {
    return { state: 'stale' };
  }
}

export function writeCodeCache(cachePath: string, key: string, data: Buffer): void {
  const header = Buffer.from(JSON.stringify({ key }), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length, 0);
  const tmp = `${cachePath}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, Buffer.concat([length, header, data]));
    fs.renameSync(tmp, cachePath);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Compiles and runs `bundlePath` as a CommonJS module (its own `require`, `__filename`), using the
 * code cache when it matches. Returns what happened to the cache.
 */
export function runBundle(bundlePath: string): CodeCacheState {
  const source = fs.readFileSync(bundlePath, 'utf8');
  const key = cacheKey(bundlePath);
  const cachePath = cachePathFor(bundlePath);
  const cached = readCodeCache(cachePath, key);
  const script = new vm.Script(Module.wrap(source), { filename: bundlePath, cachedData: cached.data });
  const state: CodeCacheState = cached.state === 'found' ? (script.cachedDataRejected ? 'rejected' : 'accepted') : cached.state;
  if (state !== 'accepted') {
    let saved = false;
    (globalThis as Record<symbol, SaveHook>)[SAVE_HOOK] = () => {
      if (saved) return;
      saved = true;
      writeCodeCache(cachePath, key, script.createCachedData());
    };
  }
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  const mod = { exports: {} };
  trace(`cli bundle compiled (code cache: ${state})`);
  wrapper.call(mod.exports, mod.exports, lazyBuiltinRequire(createRequire(bundlePath)), mod, bundlePath, path.dirname(bundlePath));
  return state;
}

/** A startup-trace mark (logging/startup-trace.ts is an ES module, which this file cannot load). */
function trace(phase: string): void {
  if (process.env.OPENCLAW_STARTUP_TRACE !== '1') return;
  const cpu = process.cpuUsage();
  process.stderr.write(`startup +${performance.now().toFixed(1)}ms cpu ${((cpu.user + cpu.system) / 1000).toFixed(1)}ms ${phase}\n`);
}

/** Writes the code cache if this process was started from a bundle without a usable one. */
export function saveCodeCache(): void {
  const hook = (globalThis as Record<symbol, SaveHook | undefined>)[SAVE_HOOK];
  if (hook) setImmediate(hook);
}
