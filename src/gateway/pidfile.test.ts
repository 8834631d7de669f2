import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspectPidFile, pidRecordFor, removePidFile, writePidFile } from './pidfile.js';

const tmp = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-pid-')), 'gateway.pid');
const init = { host: '127.0.0.1', port: 1, configPath: '/x/openclaw.json', version: '0.0.0', startedAt: 1 };

test('a live process with its own start time is running; file is 0600', () => {
  const file = tmp();
  assert.deepEqual(inspectPidFile(file), { state: 'absent' });
  writePidFile(file, pidRecordFor(init));
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const s = inspectPidFile(file);
  assert.equal(s.state, 'running');
  assert.equal(s.state === 'running' && s.record.pid, process.pid);
});

test('a reused pid (different start time) and a dead pid are stale; garbage is stale', async () => {
  const file = tmp();
  writePidFile(file, { ...pidRecordFor(init), startTime: 1 });
  assert.equal(inspectPidFile(file).state, 'stale');
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  writePidFile(file, pidRecordFor(init, child.pid!));
  assert.deepEqual(inspectPidFile(file).state, 'stale');
  fs.writeFileSync(file, '{not json');
  assert.deepEqual(inspectPidFile(file), { state: 'stale', pid: undefined });
});

test('removePidFile leaves a file that names another process', () => {
  const file = tmp();
  writePidFile(file, { ...pidRecordFor(init), pid: 1 });
  removePidFile(file);
  assert.ok(fs.existsSync(file));
  removePidFile(file, 1);
  assert.ok(!fs.existsSync(file));
});
