import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RecordJournal } from './record-journal.js';

interface Rec {
  id: string;
  n: number;
}

const parseSnapshot = (_file: string, text: string) => (text.trim() ? (JSON.parse(text) as Record<string, Rec>) : {});

function tmpFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-journal-'));
  return path.join(dir, 'sub', 'records.json');
}

test('changes are appended to the journal and replayed on top of the snapshot by another reader', () => {
  const file = tmpFile();
  const a = new RecordJournal<Rec>(file, { parseSnapshot });
  a.apply([{ key: 'x', value: { id: 'x', n: 1 } }, { key: 'y', value: { id: 'y', n: 1 } }]);
  a.apply([{ key: 'x', value: { id: 'x', n: 2 } }, { key: 'y' }]);
  assert.deepEqual(a.read(), { x: { id: 'x', n: 2 } });
  assert.equal(fs.statSync(a.journalPath).mode & 0o777, 0o600);
  assert.equal(fs.existsSync(file), false, 'no snapshot rewrite for small changes');
  const b = new RecordJournal<Rec>(file, { parseSnapshot });
  assert.deepEqual(b.read(), { x: { id: 'x', n: 2 } });
  // b follows a's later appends incrementally
  a.apply([{ key: 'z', value: { id: 'z', n: 3 } }]);
  assert.deepEqual(Object.keys(b.read()).sort(), ['x', 'z']);
});

test('a torn last line (crash mid-append) is ignored, then cut off by the next append', () => {
  const file = tmpFile();
  const a = new RecordJournal<Rec>(file, { parseSnapshot });
  a.apply([{ key: 'x', value: { id: 'x', n: 1 } }]);
  fs.appendFileSync(a.journalPath, '{"k":"y","v":{"id":"y","n"');
  const b = new RecordJournal<Rec>(file, { parseSnapshot });
  assert.deepEqual(b.read(), { x: { id: 'x', n: 1 } });
  b.apply([{ key: 'z', value: { id: 'z', n: 2 } }]);
  const lines = fs.readFileSync(a.journalPath, 'utf8').split('\n').filter(Boolean);
  assert.equal(lines.length, 2);
  assert.ok(lines.every((l) => JSON.parse(l)));
  assert.deepEqual(new RecordJournal<Rec>(file, { parseSnapshot }).read(), { x: { id: 'x', n: 1 }, z: { id: 'z', n: 2 } });
});

test('compaction folds the journal into a plain JSON snapshot atomically; replaying a stale journal over it is harmless', () => {
  const file = tmpFile();
  const a = new RecordJournal<Rec>(file, { parseSnapshot, compactMinBytes: 1024 });
  for (let i = 0; i < 100; i++) a.apply([{ key: `k${i % 10}`, value: { id: `k${i % 10}`, n: i } }]);
  assert.ok(fs.existsSync(file), 'compacted past the threshold');
  assert.ok(fs.statSync(a.journalPath).size < 1024);
  const expected = Object.fromEntries(Array.from({ length: 10 }, (_, j) => [`k${j}`, { id: `k${j}`, n: 90 + j }]));
  assert.deepEqual(a.read(), expected);
  a.compact();
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), expected, 'the snapshot alone is current after compact()');
  assert.equal(fs.statSync(a.journalPath).size, 0);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(fs.readdirSync(path.dirname(file)).sort(), ['records.json', 'records.json.journal']);
  // a crash after the snapshot rename but before the truncation leaves the old journal: same state
  const journalText = [5, 6].map((n) => JSON.stringify({ k: 'k5', v: { id: 'k5', n } }) + '\n').join('');
  a.apply([{ key: 'k5', value: { id: 'k5', n: 6 } }]);
  a.compact();
  fs.writeFileSync(a.journalPath, journalText);
  assert.deepEqual(new RecordJournal<Rec>(file, { parseSnapshot }).read().k5, { id: 'k5', n: 6 });
});

test('a change costs O(1) bytes in the number of records (amortized, compactions included)', () => {
  const file = tmpFile();
  const measure = (records: number) => {
    const j = new RecordJournal<Rec>(`${file}.${records}`, { parseSnapshot, compactMinBytes: 4096 });
    j.replaceAll(Object.fromEntries(Array.from({ length: records }, (_, i) => [`k${i}`, { id: `k${i}`, n: i }])));
    const before = j.bytesWritten;
    for (let i = 0; i < 200; i++) j.apply([{ key: `new${i}`, value: { id: `new${i}`, n: i } }]);
    return (j.bytesWritten - before) / 200;
  };
  const small = measure(10);
  const large = measure(20_000);
  // one line is ~40 bytes; a whole-file rewrite at 20,000 records would be ~700 KB per change
  assert.ok(large < 200, `bytes per change at 20,000 records: ${large}`);
  assert.ok(small < 200, `bytes per change at 10 records: ${small}`);
});

test('the snapshot parser still names a broken snapshot', () => {
  const file = tmpFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '{ nope');
  const j = new RecordJournal<Rec>(file, {
    parseSnapshot: (f, text) => {
      try {
        return JSON.parse(text);
      } catch {
        throw new Error(`${f} is broken`);
      }
    },
  });
  assert.throws(() => j.read(), /records\.json is broken/);
});
