import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { holdYoungGeneration, releaseYoungGeneration } from './young-generation.cjs';

const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;

/** Allocates ~40 MB of objects that survive (as loading code does), and keeps them. */
function allocateSurvivors(keep: unknown[]): void {
  for (let i = 0; i < 400_000; i++) keep.push({ i, s: `item ${i}`, a: [i, i + 1] });
}

test('held, the young generation stays small while survivors pile up; released, it grows as V8 likes', () => {
  holdYoungGeneration();
  const start = newSpace();
  const keep: unknown[] = [];
  allocateSurvivors(keep);
  assert.ok(newSpace() <= Math.max(start, 4 * 1024 * 1024), `held: new space ${newSpace()} bytes (started at ${start})`);
  releaseYoungGeneration();
  allocateSurvivors(keep);
  allocateSurvivors(keep);
  assert.ok(newSpace() > Math.max(start, 4 * 1024 * 1024), `released: new space still ${newSpace()} bytes`);
  assert.ok(keep.length > 0);
});
