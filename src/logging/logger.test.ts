import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from './logger.js';
import { readLogTail } from './tail.js';
import { Redactor } from './redact.js';
import { formatLogRecord, parseLogLine } from './format.js';

function tmpLog(): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-log-'));
  return { dir, file: path.join(dir, 'logs', 'gateway.log') };
}

test('writes JSON lines with ts, level, subsystem, msg and fields; dir 0700, file 0600', () => {
  const { dir, file } = tmpLog();
  const log = createLogger({ file, level: 'info', console: false });
  log.child('reload').info('config reloaded: auth.token', { keys: ['auth.token'] });
  log.debug('hidden at info');
  log.close();
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(lines.length, 1);
  const rec = JSON.parse(lines[0]);
  assert.equal(rec.level, 'info');
  assert.equal(rec.subsystem, 'reload');
  assert.equal(rec.msg, 'config reloaded: auth.token');
  assert.deepEqual(rec.keys, ['auth.token']);
  assert.ok(!Number.isNaN(Date.parse(rec.ts)));
  assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('redacts registered secrets and token/password patterns in messages and fields', () => {
  const { dir, file } = tmpLog();
  const log = createLogger({ file, level: 'debug', console: false });
  log.addSecret('s3cret-registered-value');
  log.info('value s3cret-registered-value leaked');
  log.info('open http://127.0.0.1:1/#token=abcdef123456 now');
  log.info('GET /x?token=qwerty999&y=1');
  log.info('header Authorization: Bearer eyJhbGciOi.xyz');
  log.info('body {"token":"tok-in-json","other":"kept"}');
  log.info('login with password hunter22');
  log.info('fields', { token: 'field-token-value', nested: { password: 'pw-nested-value' }, url: 'ws://h/?password=pp-in-url' });
  log.close();
  const text = fs.readFileSync(file, 'utf8');
  for (const secret of ['s3cret-registered-value', 'abcdef123456', 'qwerty999', 'eyJhbGciOi.xyz', 'tok-in-json', 'hunter22', 'field-token-value', 'pw-nested-value', 'pp-in-url']) {
    assert.ok(!text.includes(secret), `${secret} leaked into ${text}`);
  }
  assert.match(text, /#token=\*\*\*/);
  assert.match(text, /Bearer \*\*\*/);
  assert.match(text, /kept/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('rotates by size into gateway.log.1 … and keeps at most maxFiles', () => {
  const { dir, file } = tmpLog();
  const log = createLogger({ file, level: 'info', console: false, maxFileBytes: 400, maxFiles: 2 });
  for (let i = 0; i < 40; i++) log.info(`line ${i} ${'x'.repeat(50)}`);
  log.close();
  assert.ok(fs.existsSync(`${file}.1`));
  assert.ok(fs.existsSync(`${file}.2`));
  assert.ok(!fs.existsSync(`${file}.3`));
  for (const f of [file, `${file}.1`, `${file}.2`]) assert.ok(fs.statSync(f).size <= 400, `${f} too big`);
  const last = JSON.parse(fs.readFileSync(file, 'utf8').trim().split('\n').at(-1)!);
  assert.match(last.msg, /^line 39 /);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('configure() changes the level at runtime', () => {
  const { dir, file } = tmpLog();
  const log = createLogger({ file, level: 'warn', console: false });
  log.info('dropped');
  log.configure({ level: 'debug' });
  log.debug('kept');
  log.close();
  const msgs = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).msg);
  assert.deepEqual(msgs, ['kept']);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('readLogTail: last N lines, cursor for new lines, reset after truncation, partial lines held back', () => {
  const { dir, file } = tmpLog();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'a\nb\nc\nd\n');
  const t1 = readLogTail(file, { limit: 2 });
  assert.deepEqual(t1.lines, ['c', 'd']);
  assert.equal(t1.truncated, true);
  assert.equal(t1.cursor, 8);
  fs.appendFileSync(file, 'e\npartial');
  const t2 = readLogTail(file, { cursor: t1.cursor });
  assert.deepEqual(t2.lines, ['e']);
  assert.equal(t2.cursor, 10);
  fs.appendFileSync(file, '-done\n');
  assert.deepEqual(readLogTail(file, { cursor: t2.cursor }).lines, ['partial-done']);
  fs.writeFileSync(file, 'new\n');
  const t3 = readLogTail(file, { cursor: 1000 });
  assert.equal(t3.reset, true);
  assert.deepEqual(t3.lines, ['new']);
  const t4 = readLogTail(file, { maxBytes: 5 });
  assert.deepEqual(t4.lines, ['new']);
  const missing = readLogTail(path.join(dir, 'nope.log'));
  assert.deepEqual(missing.lines, []);
  assert.equal(missing.size, 0);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('readLogTail with maxBytes drops the partial first line', () => {
  const { dir, file } = tmpLog();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'first-long-line\nsecond\nthird\n');
  const t = readLogTail(file, { maxBytes: 16 });
  assert.deepEqual(t.lines, ['second', 'third']);
  assert.equal(t.truncated, true);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('formatLogRecord gives `<time> <level> [subsystem] msg`', () => {
  const line = formatLogRecord(parseLogLine('{"ts":"2026-01-01T00:00:00.000Z","level":"warn","subsystem":"reload","msg":"skipped","path":"/x"}'));
  assert.equal(line, '2026-01-01T00:00:00.000Z warn  [reload] skipped path=/x');
  assert.equal(parseLogLine('not json').msg, 'not json');
});

test('Redactor ignores very short secrets and leaves ordinary text alone', () => {
  const r = new Redactor();
  r.addSecret('ab');
  assert.equal(r.text('about tokens and passwords'), 'about tokens and passwords');
  assert.equal(r.text('client authenticated via password from 127.0.0.1'), 'client authenticated via password from 127.0.0.1');
  assert.equal(r.text('auth mode password is missing'), 'auth mode password is missing');
  assert.equal(r.text('password: hunter22 from 127.0.0.1'), 'password: *** from 127.0.0.1');
});
