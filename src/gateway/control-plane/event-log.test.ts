// The durable event log: ids survive reopening, compaction keeps the newest window, a torn last
// line (crash mid-write) is dropped, and replay plans report gaps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { EventLog } from './event-log.js';
import { mountSmallTmpfs } from '../../testing/harness.js';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cp-eventlog-'));
}

test('ids continue across reopen and the log id is stable while history exists', () => {
  const dir = tempDir();
  try {
    const a = new EventLog(dir);
    assert.equal(a.append('x', { n: 1 }).id, 1);
    assert.equal(a.append('x', { n: 2 }).id, 2);
    a.close();
    const b = new EventLog(dir);
    assert.equal(b.logId, a.logId);
    assert.equal(b.lastSeq, 2);
    assert.equal(b.append('x', { n: 3 }).id, 3);
    assert.deepEqual(b.since(1).events.map((e) => e.payload), [{ n: 2 }, { n: 3 }]);
    b.close();
    assert.equal((fs.statSync(path.join(dir, 'events.jsonl')).mode & 0o777).toString(8), '600');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a deleted log gets a new id, so old cursors are recognised as foreign', () => {
  const dir = tempDir();
  try {
    const a = new EventLog(dir);
    a.append('x', 1);
    a.close();
    fs.rmSync(path.join(dir, 'events.jsonl'));
    const b = new EventLog(dir);
    assert.notEqual(b.logId, a.logId);
    b.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a torn last line is dropped and the file repaired', () => {
  const dir = tempDir();
  try {
    const a = new EventLog(dir);
    a.append('x', 1);
    a.append('x', 2);
    a.close();
    fs.appendFileSync(path.join(dir, 'events.jsonl'), '{"id":3,"event":"x","pay');
    const b = new EventLog(dir);
    assert.equal(b.lastSeq, 2);
    assert.equal(b.append('x', 3).id, 3);
    b.close();
    const lines = fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8').trim().split('\n');
    assert.deepEqual(lines.map((l) => JSON.parse(l).id), [1, 2, 3]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('property: bounded window, exact replay after any cursor, gap exactly when events were dropped', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 130 }), (max, count, cursor) => {
      const dir = tempDir();
      try {
        const log = new EventLog(dir, { maxEvents: max });
        for (let i = 1; i <= count; i++) log.append('x', i);
        log.close();
        const reopened = new EventLog(dir, { maxEvents: max });
        const plan = reopened.since(cursor);
        reopened.close();
        const oldest = Math.max(1, count - max + 1);
        const expected = [];
        for (let id = Math.max(cursor + 1, oldest); id <= count; id++) expected.push(id);
        assert.deepEqual(plan.events.map((e) => e.id), expected);
        if (cursor + 1 < oldest && cursor < count) assert.deepEqual(plan.gap, { fromSeq: cursor + 1, toSeq: oldest - 1 });
        else assert.equal(plan.gap, null);
        const lines = fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8').trim().split('\n').filter(Boolean);
        assert.ok(lines.length <= max + Math.max(100, max >> 2), 'the file stays bounded');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: 60 },
  );
});

test('the window is also bounded by size, keeping at least the newest event', () => {
  const dir = tempDir();
  try {
    const log = new EventLog(dir, { maxBytes: 10_000 });
    for (let i = 1; i <= 50; i++) log.append('chat', { i, text: 'x'.repeat(1000) });
    const kept = log.since(0);
    assert.ok(kept.events.length >= 1 && kept.events.length <= 10, `kept ${kept.events.length}`);
    assert.equal(kept.events.at(-1)!.id, 50);
    assert.deepEqual(kept.gap, { fromSeq: 1, toSeq: kept.events[0].id - 1 });
    log.append('chat', { big: 'y'.repeat(50_000) });
    assert.deepEqual(log.since(50).events.map((e) => e.id), [51], 'an oversized event is still kept alone');
    log.close();
    assert.ok(fs.statSync(path.join(dir, 'events.jsonl')).size < 200_000, 'the file is compacted by size');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a full disk (a 64 KiB tmpfs): a failed append throws, takes no id, leaves no torn line; appends resume when space is back', (t) => {
  const disk = mountSmallTmpfs('64k');
  if (!disk) return t.skip('needs root to mount a tmpfs');
  const dir = disk.dir;
  try {
    const log = new EventLog(dir);
    const payload = { text: 'x'.repeat(1000) }; // not a divisor of the page size: the last write is cut short
    let last = 0;
    let failure: NodeJS.ErrnoException | undefined;
    for (let i = 0; i < 1000 && !failure; i++) {
      try {
        last = log.append('chat', payload).id;
      } catch (err) {
        failure = err as NodeJS.ErrnoException;
      }
    }
    assert.equal(failure?.code, 'ENOSPC');
    assert.equal(log.lastSeq, last);
    const text = fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8');
    assert.ok(text.endsWith('\n'), 'no torn last line');
    assert.equal(text.split('\n').filter(Boolean).length, last);
    log.close();
    // Space back (the oldest events go): the log reopens cleanly and the ids continue.
    fs.writeFileSync(path.join(dir, 'events.jsonl'), text.split('\n').filter(Boolean).slice(-2).join('\n') + '\n');
    const again = new EventLog(dir);
    assert.equal(again.lastSeq, last);
    assert.equal(again.append('chat', { text: 'after' }).id, last + 1);
    again.close();
  } finally {
    disk.unmount();
  }
});
