// The idempotency store: one run per key, shared by concurrent callers, persisted, expiring.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IdempotencyStore } from './idempotency.js';

test('a key runs once; concurrent and later calls share the outcome, also after reopening; it expires after the TTL', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-idem-'));
  let now = 1_000_000;
  try {
    let runs = 0;
    const exec = async () => {
      await new Promise((r) => setTimeout(r, 10));
      return { ok: true as const, payload: { run: ++runs } };
    };
    const a = new IdempotencyStore(dir, { now: () => now });
    const [x, y] = await Promise.all([a.run('k', exec), a.run('k', exec)]);
    assert.equal(runs, 1);
    assert.deepEqual([x.cached, y.cached], [false, true]);
    assert.deepEqual(y.ok && y.payload, { run: 1 });
    const failure = await a.run('bad', async () => ({ ok: false as const, error: { code: 'UNAVAILABLE', message: 'boom' } }));
    assert.equal(failure.ok, false);
    a.close();

    const b = new IdempotencyStore(dir, { now: () => now });
    const again = await b.run('k', exec);
    assert.equal(runs, 1, 'persisted across reopen');
    assert.equal(again.cached, true);
    const bad = await b.run('bad', exec);
    assert.equal(bad.ok, false, 'a failure is the first outcome too');
    now += 5 * 60_000 + 1;
    const expired = await b.run('k', exec);
    assert.equal(expired.cached, false);
    assert.equal(runs, 2);
    b.close();
    assert.equal((fs.statSync(path.join(dir, 'idempotency.jsonl')).mode & 0o777).toString(8), '600');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the store keeps at most maxEntries outcomes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-idem-'));
  try {
    let runs = 0;
    const exec = async () => ({ ok: true as const, payload: ++runs });
    const s = new IdempotencyStore(dir, { maxEntries: 3 });
    for (const k of ['a', 'b', 'c', 'd']) await s.run(k, exec);
    assert.equal((await s.run('d', exec)).cached, true);
    assert.equal((await s.run('a', exec)).cached, false, 'the oldest was evicted');
    s.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
