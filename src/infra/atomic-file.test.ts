import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomicSync, readJsonFileSync, writeJsonAtomicSync } from './atomic-file.js';

test('writes atomically with mode 0600 and leaves no temp files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-atomic-'));
  const file = path.join(dir, 'sub', 'secret.json');
  writeJsonAtomicSync(file, { token: 'x' });
  assert.deepEqual(readJsonFileSync(file, null), { token: 'x' });
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
  writeFileAtomicSync(file, 'second', { mode: 0o644 });
  assert.equal(fs.readFileSync(file, 'utf8'), 'second');
  assert.equal(fs.statSync(file).mode & 0o777, 0o644);
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ['secret.json']);
});

test('readJsonFileSync returns the fallback only for a missing file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-atomic-'));
  assert.equal(readJsonFileSync(path.join(dir, 'nope.json'), 42), 42);
  fs.writeFileSync(path.join(dir, 'bad.json'), '{');
  assert.throws(() => readJsonFileSync(path.join(dir, 'bad.json'), 0));
});
