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

test('reopening leaves a clean file alone and rewrites one with a torn last line before appending', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-idem-'));
  const file = path.join(dir, 'idempotency.jsonl');
  try {
    let runs = 0;
    const exec = async () => ({ ok: true as const, payload: ++runs });
    const a = new IdempotencyStore(dir);
    await a.run('k', exec);
    a.close();
    const inode = fs.statSync(file).ino;

    new IdempotencyStore(dir).close();
    assert.equal(fs.statSync(file).ino, inode, 'no rewrite (and no fsyncs) when nothing is to be dropped');

    fs.appendFileSync(file, '{"key":"torn","ts":1'); // a crash mid-append
    const b = new IdempotencyStore(dir);
    assert.notEqual(fs.statSync(file).ino, inode, 'rewritten without the torn line');
    await b.run('n', exec);
    b.close();
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as { key: string }).key), ['k', 'n']);

    const c = new IdempotencyStore(dir);
    assert.equal((await c.run('k', exec)).cached, true);
    assert.equal((await c.run('n', exec)).cached, true);
    assert.equal(runs, 2);
    c.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('outcomes that carry a secret (a rotated token, a sign-in code) dedupe in memory but never reach the replay file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-idem-'));
  try {
    const a = new IdempotencyStore(dir);
    const rotated = await a.run('rotate', async () => ({ ok: true as const, payload: { deviceId: 'd1', token: 'tok-SECRET-rotated-0123456789' } }));
    const again = await a.run('rotate', async () => ({ ok: true as const, payload: { token: 'other' } }));
    assert.deepEqual([rotated.cached, again.cached, again.ok && (again.payload as { token: string }).token], [false, true, 'tok-SECRET-rotated-0123456789']);
    await a.run('code', async () => ({ ok: true as const, payload: { code: 'SIGNIN-CODE-abcdef0123', expiresAtMs: 1 } }));
    await a.run('plain', async () => ({ ok: true as const, payload: { ok: true, maxTokens: 5 } }));
    a.close();
    const text = fs.readFileSync(path.join(dir, 'idempotency.jsonl'), 'utf8');
    assert.ok(!text.includes('tok-SECRET') && !text.includes('SIGNIN-CODE'), text);
    assert.match(text, /"plain"/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
