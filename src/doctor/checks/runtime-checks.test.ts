// Runtime checks against real processes, sockets and files.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { test } from 'node:test';
import { PairingStore } from '../../auth/pairing-store.js';
import { eventually, freePort, localConfig, READY_LINE, spawnCli, stateDirsForFile } from '../../testing/harness.js';
import { fixAll, runOne } from '../testing/checks.js';

const STRONG = 'Zq8xL2mN4pR6tV8wY0aB2cD4eF6gH8jK';
const OTHER = 'Pp9yK3nM5qS7uW9xZ1bC3dE5fG7hJ9kL';
const state = stateDirsForFile();

/** A real process that exited: its pid is dead. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

test('state-permissions: world-readable state is flagged; --fix chmods it to 0700/0600', async () => {
  const s = state(localConfig(STRONG));
  fs.mkdirSync(`${s.dir}/identity`, { mode: 0o755 });
  fs.writeFileSync(`${s.dir}/identity/device.json`, '{}', { mode: 0o644 });
  fs.chmodSync(s.configPath, 0o644);
  fs.chmodSync(s.dir, 0o755);
  const f = await runOne('state-permissions', s.env);
  assert.equal(f.level, 'warn');
  assert.match(f.message, /openclaw\.json is 0644/);
  assert.equal(f.fix, 'openclaw doctor --fix');
  await fixAll(s.env, {}, ['state-permissions']);
  const mode = (p: string) => fs.statSync(p).mode & 0o777;
  assert.deepEqual([mode(s.dir), mode(s.configPath), mode(`${s.dir}/identity`), mode(`${s.dir}/identity/device.json`)], [0o700, 0o600, 0o700, 0o600]);
  assert.equal((await runOne('state-permissions', s.env)).level, 'ok');
});

test('pid-file: a pid file naming a dead process is stale; --fix removes it after a backup', async () => {
  const s = state(localConfig(STRONG));
  const record = { pid: await deadPid(), startTime: null, host: '127.0.0.1', port: 1, configPath: s.configPath, version: '0', startedAt: Date.now() };
  fs.writeFileSync(`${s.dir}/gateway.pid`, JSON.stringify(record));
  const f = await runOne('pid-file', s.env);
  assert.equal(f.level, 'warn');
  assert.match(f.message, new RegExp(`names pid ${record.pid}`));
  const [fix] = await fixAll(s.env, {}, ['pid-file']);
  assert.equal(fs.existsSync(`${s.dir}/gateway.pid`), false);
  assert.equal(JSON.parse(fs.readFileSync(fix.changed[0].backupPath!, 'utf8')).pid, record.pid);
  assert.equal((await runOne('pid-file', s.env)).level, 'ok');
});

test('port-owner: another process on the gateway port is named by pid and command', async () => {
  const port = await freePort();
  const s = state(localConfig(STRONG, { gateway: { port } }));
  const squatter = spawn(process.execPath, ['-e', `require('net').createServer().listen(${port}, '127.0.0.1', () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise((r) => squatter.stdout!.once('data', r));
    const f = await runOne('port-owner', s.env);
    assert.equal(f.level, 'error');
    assert.match(f.message, new RegExp(`Port ${port} is held by pid ${squatter.pid} \\(.*node`));
    assert.equal(f.fix, `kill ${squatter.pid}  # or: openclaw config set gateway.port ${port + 1}`);
    const running = await runOne('gateway-running', s.env);
    assert.equal(running.level, 'warn');
    assert.match(running.message, /belongs to pid/);
  } finally {
    squatter.kill();
  }
});

test('gateway-running and token-drift: a stopped gateway, a running one, and one started with another token', async () => {
  const port = await freePort();
  const s = state(localConfig(STRONG, { gateway: { port } }));
  const stopped = await runOne('gateway-running', s.env);
  assert.equal(stopped.level, 'warn');
  assert.equal(stopped.fix, 'openclaw gateway start');

  // Started with OPENCLAW_GATEWAY_TOKEN=OTHER, so the config's token no longer authenticates.
  const gw = spawnCli(['gateway', 'run'], { env: { ...s.env, OPENCLAW_GATEWAY_TOKEN: OTHER } });
  try {
    await gw.waitFor(READY_LINE, 15_000);
    await eventually(() => fs.existsSync(`${s.dir}/gateway.pid`)); // written right after the log line
    const running = await runOne('gateway-running', s.env);
    assert.equal(running.level, 'ok', running.message);
    assert.equal((await runOne('port-owner', s.env)).level, 'ok');
    assert.equal((await runOne('pid-file', s.env)).level, 'ok');
    // The guides' stale-PID advice deletes the file under a live gateway: doctor names it and --fix writes it back.
    const record = fs.readFileSync(`${s.dir}/gateway.pid`, 'utf8');
    fs.rmSync(`${s.dir}/gateway.pid`);
    const missing = await runOne('pid-file', s.env);
    assert.equal(missing.level, 'warn');
    assert.match(missing.message, new RegExp(`gateway pid ${gw.proc.pid} listens on port ${port}`));
    await fixAll(s.env, {}, ['pid-file']);
    assert.equal(JSON.parse(fs.readFileSync(`${s.dir}/gateway.pid`, 'utf8')).pid, JSON.parse(record).pid);
    assert.equal((await runOne('pid-file', s.env)).level, 'ok');
    const drift = await runOne('token-drift', s.env);
    assert.equal(drift.level, 'error');
    assert.match(drift.message, /running gateway rejects the configured token/);
    assert.equal(drift.fix, 'openclaw gateway restart');
    const same = await runOne('token-drift', { ...s.env, OPENCLAW_GATEWAY_TOKEN: OTHER });
    assert.equal(same.level, 'error'); // env and config differ: named before asking the gateway
    assert.match(same.message, /gateway\.auth\.token differs from the token in OPENCLAW_GATEWAY_TOKEN/);
  } finally {
    gw.kill();
    await gw.exited;
  }
});

test('pending-pairing: a waiting device is reported with the approve command', async () => {
  const s = state(localConfig(STRONG));
  assert.equal((await runOne('pending-pairing', s.env)).level, 'ok');
  const { request } = new PairingStore(s.dir).requestPairing({ deviceId: 'd'.repeat(64), publicKey: 'A'.repeat(43), displayName: 'Firefox on laptop', role: 'operator', scopes: ['operator.read'], remoteIp: '192.168.1.20' });
  const f = await runOne('pending-pairing', s.env);
  assert.equal(f.level, 'warn');
  assert.match(f.message, /Firefox on laptop from 192\.168\.1\.20/);
  assert.equal(f.fix, `openclaw devices approve ${request.requestId}`);
});

test('memory: less available memory than the floor is a warning', async () => {
  const s = state(localConfig(STRONG));
  assert.equal((await runOne('memory', s.env)).level, 'ok');
  const f = await runOne('memory', s.env, { minFreeMemoryBytes: Number.MAX_SAFE_INTEGER });
  assert.equal(f.level, 'warn');
  assert.match(f.message, /may be OOM-killed/);
});

test('node-version: this Node satisfies >= 20.19', async () => {
  const { nodeVersionSatisfies } = await import('./node-version.js');
  assert.equal(nodeVersionSatisfies('20.19.0'), true);
  assert.equal(nodeVersionSatisfies('20.18.3'), false);
  assert.equal(nodeVersionSatisfies('22.1.0'), true);
  assert.equal((await runOne('node-version', state().env)).level, 'ok');
});
