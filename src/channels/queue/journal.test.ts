import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Journal } from './journal.js';

const tmp = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oc-journal-')), 'q.jsonl');

test('records survive a reopen; removed ids are remembered as handled', async () => {
  const file = tmp();
  const j = new Journal<{ id: string; n: number }>(file).open();
  await j.put({ id: 'a', n: 1 });
  await j.put({ id: 'b', n: 2 });
  await j.put({ id: 'a', n: 3 });
  await j.remove('b');
  await j.close();
  const k = new Journal<{ id: string; n: number }>(file).open();
  assert.deepEqual(k.values(), [{ id: 'a', n: 3 }]);
  assert.equal(k.wasRemoved('b'), true);
  assert.equal(k.wasRemoved('a'), false);
  assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600');
  await k.close();
});

test('a torn last line is skipped, not fatal', async () => {
  const file = tmp();
  const j = new Journal<{ id: string }>(file).open();
  await j.put({ id: 'ok' });
  await j.close();
  fs.appendFileSync(file, '{"op":"put","rec":{"id":"tor');
  const k = new Journal<{ id: string }>(file).open();
  assert.deepEqual(k.values().map((r) => r.id), ['ok']);
  await k.close();
});

test('a put is on disk when its promise resolves (a kill -9 right after loses nothing)', () => {
  const file = tmp();
  // A child process writes and dies by SIGKILL right after the await; the parent reads what is on disk.
  const script = `
    const { Journal } = await import(${JSON.stringify(new URL('./journal.js', import.meta.url).href)});
    const j = new Journal(${JSON.stringify(file)}).open();
    for (let i = 0; i < 20; i++) await j.put({ id: 'm' + i });
    process.kill(process.pid, 'SIGKILL');`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script]);
  assert.equal(r.signal, 'SIGKILL');
  const k = new Journal<{ id: string }>(file).open();
  assert.equal(k.size, 20);
});

test('compaction keeps the live set and shrinks the file', async () => {
  const file = tmp();
  const j = new Journal<{ id: string; v: number }>(file, { compactAfter: 10 }).open();
  for (let i = 0; i < 100; i++) await j.put({ id: 'x', v: i });
  await j.close();
  assert.ok(fs.readFileSync(file, 'utf8').trim().split('\n').length <= 12);
  const k = new Journal<{ id: string; v: number }>(file).open();
  assert.deepEqual(k.values(), [{ id: 'x', v: 99 }]);
});

test('a reopen with nothing to compact writes nothing; one with something to compact, or a loose mode, rewrites', async () => {
  const file = tmp();
  const j = new Journal<{ id: string }>(file).open();
  await j.put({ id: 'a' });
  await j.close();
  const ino = fs.statSync(file).ino;
  await new Journal<{ id: string }>(file).open().close();
  assert.equal(fs.statSync(file).ino, ino, 'same file: not replaced by a rewrite');

  const k = new Journal<{ id: string }>(file).open();
  await k.put({ id: 'a' }); // a second line for the same record: compaction drops it
  await k.close();
  await new Journal<{ id: string }>(file).open().close();
  assert.notEqual(fs.statSync(file).ino, ino, 'compacted into a new file');
  assert.equal(fs.readFileSync(file, 'utf8').trim().split('\n').length, 1);

  fs.chmodSync(file, 0o644);
  const m = new Journal<{ id: string }>(file).open();
  assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600');
  assert.deepEqual(m.values().map((r) => r.id), ['a']);
  await m.close();
});
