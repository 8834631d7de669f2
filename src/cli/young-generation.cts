// V8 doubles the young generation (up to 2 × 16 MB) whenever most objects survive a scavenge, which
// is what loading code does: nearly everything a start allocates lives on, so the growth buys
// nothing, and V8 hands it back only after half a minute of idleness (Node 20: not even then, in
// practice). The CLI holds the growth factor at 1 from its first line; the gateway's first idle
// memory compaction (memory-compaction.ts) restores V8's default, so under load it grows as usual.
// Short CLI commands simply end with the small young generation.
// CommonJS: the CLI entry (main.cts) calls it before the bundle compiles.
import v8 from 'node:v8';

const V8_DEFAULT_GROWTH_FACTOR = 2;
// On globalThis: the CLI bundle carries its own copy of this module, and main.cjs holds.
const HELD = Symbol.for('openclaw.youngGenerationHeld');
const flags = globalThis as Record<symbol, boolean | undefined>;

export function holdYoungGeneration(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  flags[HELD] = true;
}

/** Back to V8's default growth. Changes V8's flag hash: call only after the code cache was written. */
export function releaseYoungGeneration(): void {
  if (!flags[HELD]) return;
  flags[HELD] = false;
  v8.setFlagsFromString(`--semi-space-growth-factor=${V8_DEFAULT_GROWTH_FACTOR}`);
}
