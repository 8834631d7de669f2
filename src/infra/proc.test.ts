import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { isGatewayCmdline, isProcessAlive, readCmdline, readCpuMs, readProcStartTime, readRssBytes } from './proc.js';
import { findPortOwner, listeningInodes, isPortInUse } from './port-owner.js';

test('reads start time, cmdline and RSS of this process', () => {
  const start = readProcStartTime(process.pid);
  assert.ok(typeof start === 'number' && start > 0);
  assert.equal(readProcStartTime(process.pid), start);
  assert.ok(readCmdline(process.pid)!.includes(process.execPath) || readCmdline(process.pid)![0].includes('node'));
  assert.ok(readRssBytes(process.pid)! > 1024 * 1024);
  assert.equal(isProcessAlive(process.pid), true);
});

test('readCpuMs tracks the CPU a busy process burns, like process.cpuUsage', () => {
  const before = readCpuMs(process.pid)!;
  const own = process.cpuUsage();
  const until = performance.now() + 200;
  while (performance.now() < until); // burn ~200 ms of CPU
  const used = readCpuMs(process.pid)! - before;
  const delta = process.cpuUsage(own);
  const ownMs = (delta.user + delta.system) / 1000;
  assert.ok(Math.abs(used - ownMs) <= 30, `/proc says ${used} ms, process.cpuUsage ${ownMs} ms`);
  assert.equal(readCpuMs(2 ** 30), undefined);
});

test('a killed child is not alive; its start time disappears', async () => {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await new Promise((r) => child.once('spawn', r));
  assert.equal(isProcessAlive(child.pid!), true);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  assert.equal(isProcessAlive(child.pid!), false);
  assert.equal(readProcStartTime(child.pid!), undefined);
});

test('isGatewayCmdline recognizes gateway run and bare gateway, not other commands', () => {
  assert.equal(isGatewayCmdline(['node', '/x/dist/cli/main.cjs', 'gateway', 'run', '--port', '1']), true);
  assert.equal(isGatewayCmdline(['node', '/x/dist/cli/main.js', 'gateway', 'run', '--port', '1']), true);
  assert.equal(isGatewayCmdline(['node', '/usr/bin/openclaw', 'gateway']), true);
  assert.equal(isGatewayCmdline(['node', '/usr/bin/openclaw', 'gateway', '--port', '5']), true);
  assert.equal(isGatewayCmdline(['node', '/usr/bin/openclaw', 'gateway', 'status']), false);
  assert.equal(isGatewayCmdline(['python3', '-m', 'http.server']), false);
});

test('findPortOwner names the process listening on a port', async () => {
  const child = spawn(process.execPath, ['-e', "const s=require('net').createServer().listen(0,'127.0.0.1',()=>console.log(s.address().port))"], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
  try {
    assert.ok(listeningInodes(port).size >= 1);
    const owner = findPortOwner(port);
    assert.equal(owner?.pid, child.pid);
    assert.match(owner!.command, /node/);
    assert.equal(await isPortInUse(port), true);
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  assert.equal(await isPortInUse(port), false);
});

test('findPortOwner finds this process for its own server and nothing for a free port', async () => {
  const srv = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  const port = (srv.address() as net.AddressInfo).port;
  assert.equal(findPortOwner(port)?.pid, process.pid);
  await new Promise((r) => srv.close(r));
  assert.equal(findPortOwner(port), undefined);
});
