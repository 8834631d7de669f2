import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { DEFAULT_POLICY, compactMemory, holdMallocThresholds, mallocTrim, shouldCompact, startMemoryCompaction } from './memory-compaction.js';
import type { Logger } from '../logging/types.js';

const MB = 1024 * 1024;

test('compacts only when grown enough, idle, and not right after the last time', () => {
  const p = DEFAULT_POLICY;
  const base = { rss: 100 * MB, baselineRss: 80 * MB, utilization: 0.01, sinceLastMs: 60_000 };
  assert.equal(shouldCompact(p, base), true);
  assert.equal(shouldCompact(p, { ...base, rss: base.baselineRss + p.growthBytes - 1 }), false, 'not grown enough');
  assert.equal(shouldCompact(p, { ...base, utilization: 0.5 }), false, 'busy');
  assert.equal(shouldCompact(p, { ...base, sinceLastMs: p.minGapMs - 1 }), false, 'too soon');
});

function rssAnonBytes(): number {
  const line = fs.readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('RssAnon:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? 0) * 1024;
}

test('the native malloc_trim returns freed heap pages to the OS (Linux, glibc)', { skip: process.platform !== 'linux' ? 'glibc only' : false }, async () => {
  assert.ok(mallocTrim(), 'dist/native/malloc-trim.node was not built: scripts/build-native.mjs needs a C compiler (cc)');
  // 48 MB of 64 KB backing stores: below glibc's mmap threshold, so they come from its heap, where
  // free() keeps them (the last one, still alive, pins the top of the heap).
  const pin = (() => {
    const chunks = Array.from({ length: 768 }, () => new ArrayBuffer(64 * 1024));
    for (const c of chunks) new Uint8Array(c).fill(1); // touched, so resident
    return chunks[chunks.length - 1];
  })();
  const peak = rssAnonBytes();
  // V8 releases dead backing stores on its sweeper after a GC: compact until they are gone.
  let trimmed = false;
  const deadline = Date.now() + 20_000;
  do {
    trimmed = compactMemory().trimmed || trimmed;
    await new Promise((r) => setTimeout(r, 50));
  } while (process.memoryUsage().arrayBuffers > 8 * MB && Date.now() < deadline);
  trimmed = compactMemory().trimmed || trimmed;
  const after = rssAnonBytes();
  assert.equal(trimmed, true, 'malloc_trim released nothing');
  assert.ok(peak - after > 16 * MB, `RssAnon ${Math.round(peak / MB)} → ${Math.round(after / MB)} MB`);
  assert.equal(pin.byteLength, 64 * 1024);
});

/** MB of RssAnon a fresh process still holds after freeing 24 MB of 1 MB buffers, glibc's thresholds dynamic or held. */
function retainedAfterFree(hold: boolean): number {
  const script = `
    import fs from 'node:fs';
    const { holdMallocThresholds } = await import(${JSON.stringify(new URL('./memory-compaction.js', import.meta.url).href)});
    if (${hold} && !holdMallocThresholds({})) throw new Error('holdMallocThresholds failed');
    const anon = () => Number(fs.readFileSync('/proc/self/status', 'utf8').match(/RssAnon:\\s+(\\d+)/)[1]) / 1024;
    const pause = (ms) => new Promise((r) => setTimeout(r, ms));
    // V8 frees dead backing stores after a GC, on its sweeper: wait until they are gone.
    const drained = async () => { for (let i = 0; i < 200 && process.memoryUsage().arrayBuffers > (1 << 20); i++) { gc(); await pause(20); } };
    // Freeing one big mmapped block (as a library load does) makes dynamic glibc raise its mmap
    // threshold to 16 MB and its trim threshold to 32 MB.
    let big = new Uint8Array(16 << 20).fill(1); big = null; await drained();
    const before = anon();
    let parts = Array.from({ length: 24 }, () => new Uint8Array(1 << 20).fill(1));
    parts = null; await drained(); await pause(50);
    process.stdout.write(String(anon() - before));
  `;
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout);
}

test('holdMallocThresholds keeps freed blocks from staying resident behind a raised trim threshold (Linux, glibc)', { skip: process.platform !== 'linux' ? 'glibc only' : false }, () => {
  assert.ok(mallocTrim(), 'dist/native/malloc-trim.node was not built: scripts/build-native.mjs needs a C compiler (cc)');
  const dynamic = retainedAfterFree(false);
  const held = retainedAfterFree(true);
  assert.ok(dynamic > 16, `with glibc's dynamic thresholds ${dynamic.toFixed(1)} MB stayed resident (the case this guards against)`);
  assert.ok(held < 4, `with the thresholds held ${held.toFixed(1)} MB stayed resident`);
  assert.equal(holdMallocThresholds({ OPENCLAW_MEMORY_COMPACTION: '0' }), false, 'OPENCLAW_MEMORY_COMPACTION=0 leaves glibc as it is');
});

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = { lines, debug: (m: string) => lines.push(m), info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m), child: () => log };
  return log;
}

test('the scheduler compacts once the process is idle, and OPENCLAW_MEMORY_COMPACTION=0 turns it off', async () => {
  const on = recordingLog();
  const off = recordingLog();
  const a = startMemoryCompaction({ log: on, env: {}, intervalMs: 20, policy: { ...DEFAULT_POLICY, idleUtilization: 1.01 } });
  const b = startMemoryCompaction({ log: off, env: { OPENCLAW_MEMORY_COMPACTION: '0' }, intervalMs: 20, policy: { ...DEFAULT_POLICY, idleUtilization: 1.01 } });
  try {
    const deadline = Date.now() + 20_000;
    while (!on.lines.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.match(on.lines[0] ?? '', /^compacted memory: rss \d+ → \d+ MB/);
    assert.deepEqual(off.lines, []);
  } finally {
    a.stop();
    b.stop();
  }
});
