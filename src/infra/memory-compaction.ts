// Idle memory compaction for the long-running gateway. Loading a channel library (Baileys alone is
// ~45 MB at its peak) leaves the process far above what it still uses: V8 keeps the young
// generation it grew while loading, and glibc keeps the freed parser and compiler memory on its
// free lists. V8's own memory reducer gets to the first only after ~10-30 s of idleness and never
// to the second. So once the process has grown since its last compaction and the event loop is
// idle, it runs one memory-reducing full GC (which also shrinks the young generation, on Node ≥ 22)
// and then glibc's malloc_trim (native/malloc-trim.c, optional: without it only the GC runs). The
// caller's `afterCompaction` runs after each (the CLI lets the young generation grow again then:
// src/cli/young-generation.cts). holdMallocThresholds() keeps glibc from hiding freed memory where
// malloc_trim cannot reach it (thread arenas' tops).
// Under load the loop is busy and nothing runs; a compaction costs one GC pause of a few tens of ms.
// OPENCLAW_MEMORY_COMPACTION=0 turns it off.
import { createRequire } from 'node:module';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Logger } from '../logging/types.js';

const MB = 1024 * 1024;

export interface CompactionPolicy {
  /** Growth of RSS since the last compaction (or the start) that makes one worthwhile. */
  growthBytes: number;
  /** Event-loop utilization over the last interval below which the process counts as idle. */
  idleUtilization: number;
  /** Least time between two compactions. */
  minGapMs: number;
}

export const DEFAULT_POLICY: CompactionPolicy = { growthBytes: 8 * MB, idleUtilization: 0.1, minGapMs: 1000 };

/** Whether to compact now: grown enough since `baseline`, idle, and not too soon after the last one. */
export function shouldCompact(p: CompactionPolicy, s: { rss: number; baselineRss: number; utilization: number; sinceLastMs: number }): boolean {
  return s.rss - s.baselineRss >= p.growthBytes && s.utilization < p.idleUtilization && s.sinceLastMs >= p.minGapMs;
}

type Trim = () => boolean;
interface Addon {
  mallocTrim: Trim;
  holdThresholds?: (bytes: number) => boolean;
}
let addon: Addon | null | undefined;

/** The optional addon (native/malloc-trim.c), or null where it was not built or cannot load. */
function loadAddon(): Addon | null {
  if (addon !== undefined) return addon;
  addon = null;
  if (process.platform !== 'linux') return addon;
  try {
    // dist/infra/ and the CLI bundle in dist/cli/ both reach dist/native/ this way.
    const file = fileURLToPath(new URL('../native/malloc-trim.node', import.meta.url));
    const mod = createRequire(import.meta.url)(file) as Partial<Addon>;
    if (typeof mod.mallocTrim === 'function') addon = mod as Addon;
  } catch {
    // not built (no C compiler at build time), another platform's build, or not glibc
  }
  return addon;
}

/** glibc's malloc_trim(0) through the optional addon, or null where it was not built or cannot load. */
export function mallocTrim(): Trim | null {
  return loadAddon()?.mallocTrim ?? null;
}

/** glibc's default M_MMAP_THRESHOLD / M_TRIM_THRESHOLD, before its dynamic raising. */
export const MALLOC_THRESHOLD_BYTES = 128 * 1024;

/**
 * Holds glibc's mmap and trim thresholds at their 128 KB defaults. Left dynamic, glibc raises
 * both whenever a large block is freed, and a thread arena's free top (what V8's compiler threads
 * leave after a library loads: ~10 MB with Baileys and discord.js) is then never returned, not
 * even by malloc_trim. Call before the gateway loads anything big. False where it could not.
 */
export function holdMallocThresholds(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OPENCLAW_MEMORY_COMPACTION === '0') return false;
  return loadAddon()?.holdThresholds?.(MALLOC_THRESHOLD_BYTES) ?? false;
}

let gcFn: ((opts?: unknown) => void) | undefined;
const V8_MAJOR = Number(process.versions.v8.split('.')[0]);

/** A full GC that gives memory back (V8's "last resort" flavour); exposes gc on first use. */
function memoryReducingGc(): void {
  if (!gcFn) {
    // Changes V8's flag hash: only call this after the CLI's code cache was written (it is, at ready).
    v8.setFlagsFromString('--expose-gc');
    gcFn = vm.runInNewContext('gc') as (opts?: unknown) => void;
  }
  // Node 20's V8 (11.3) knows no `flavor` and with an options object does not collect ArrayBuffers;
  // there a plain gc() is the full collection.
  if (V8_MAJOR >= 12) gcFn({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  else gcFn();
}

/** One compaction now: GC, then trim. Returns RSS before and after, in bytes. */
export function compactMemory(): { before: number; after: number; trimmed: boolean } {
  const before = process.memoryUsage.rss();
  memoryReducingGc();
  const trim = mallocTrim();
  const trimmed = trim ? trim() : false;
  return { before, after: process.memoryUsage.rss(), trimmed };
}

export interface MemoryCompaction {
  stop(): void;
}

/** Checks every `intervalMs` (unref'd timer) and compacts when `shouldCompact` says so. */
export function startMemoryCompaction(o: { log: Logger; env?: NodeJS.ProcessEnv; intervalMs?: number; policy?: CompactionPolicy; afterCompaction?: () => void }): MemoryCompaction {
  const env = o.env ?? process.env;
  if (env.OPENCLAW_MEMORY_COMPACTION === '0') return { stop() {} };
  const policy = o.policy ?? DEFAULT_POLICY;
  // 0: the first idle moment after the start compacts once, whatever the start grew to.
  let baselineRss = 0;
  let lastAt = -Infinity;
  let elu: EventLoopUtilization = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.now();
    const next = performance.eventLoopUtilization();
    const utilization = performance.eventLoopUtilization(next, elu).utilization;
    elu = next;
    const rss = process.memoryUsage.rss();
    if (!shouldCompact(policy, { rss, baselineRss, utilization, sinceLastMs: now - lastAt })) return;
    try {
      const r = compactMemory();
      o.log.debug(`compacted memory: rss ${Math.round(r.before / MB)} → ${Math.round(r.after / MB)} MB${r.trimmed ? '' : ' (no freed heap pages returned)'}`);
      baselineRss = r.after;
      o.afterCompaction?.();
      // V8 frees dead ArrayBuffers' memory after the GC, on its sweeper: trim once more for those.
      const trim = mallocTrim();
      if (trim) setTimeout(() => {
        trim();
        baselineRss = Math.min(baselineRss, process.memoryUsage.rss());
      }, 100).unref();
    } catch (err) {
      o.log.warn(`memory compaction failed, turned off: ${(err as Error).message}`);
      clearInterval(timer);
    }
    lastAt = performance.now();
    elu = performance.eventLoopUtilization(); // the GC itself is not load
  }, o.intervalMs ?? 500);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
