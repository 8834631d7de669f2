// Why a gateway refuses to start: guards and port conflicts, provoked with real processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, localConfig, makeStateDir, runCli, gatewayRuns, GATEWAY_WAIT_MS as WAIT_MS } from '../testing/harness.js';

const TOKEN = 'test-token-0123456789abcdef0123456789';

const { start: startRun, stop: stopRun } = gatewayRuns();

test('start guards: mode unset, non-loopback without auth, token mode without token, invalid config', async () => {
  const state = makeStateDir({ gateway: { auth: { mode: 'token', token: TOKEN } } });
  try {
    let r = await runCli(['gateway', 'run', '--port', '0'], { env: state.env });
    assert.equal(r.code, 78);
    assert.ok(r.stderr.includes('gateway start blocked: set gateway.mode=local (current: unset)\n  or pass --allow-unconfigured'), r.stderr);

    state.writeConfig({ gateway: { mode: 'remote', auth: { mode: 'none' } } });
    const port = await freePort();
    r = await runCli(['gateway', 'run', '--port', String(port)], { env: state.env });
    assert.equal(r.code, 78);
    assert.ok(r.stderr.includes(`refusing to bind gateway to 0.0.0.0:${port} without auth (set gateway.auth.token/password, or set OPENCLAW_GATEWAY_TOKEN/OPENCLAW_GATEWAY_PASSWORD)`), r.stderr);

    state.writeConfig({ gateway: { mode: 'local', auth: { mode: 'token' } } });
    r = await runCli(['gateway', 'run', '--port', '0'], { env: state.env });
    assert.equal(r.code, 78);
    assert.ok(r.stderr.includes('gateway auth mode is token, but no token was configured (set gateway.auth.token or OPENCLAW_GATEWAY_TOKEN).'), r.stderr);

    state.writeConfig(localConfig(TOKEN));
    r = await runCli(['gateway', 'run', '--bind', '192.0.2.1', '--port', String(port)], { env: state.env });
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(`failed to bind gateway socket on ws://192.0.2.1:${port}: EADDRNOTAVAIL`), r.stderr);

    state.writeConfig('{ gateway: { mode: "local", ');
    r = await runCli(['gateway', 'run', '--port', '0'], { env: state.env });
    assert.equal(r.code, 78);
    assert.ok(r.stderr.includes(state.configPath), r.stderr);
    assert.match(r.stderr, /fix: /);
    assert.ok(!fs.existsSync(path.join(state.dir, 'gateway.pid')));
  } finally {
    state.cleanup();
  }
});

test('a gateway of another state dir on the same port: already listening; a foreign process: named with a free port', async () => {
  const a = makeStateDir(localConfig(TOKEN));
  const b = makeStateDir(localConfig(TOKEN));
  const foreign = spawn(process.execPath, ['-e', "const s=require('net').createServer().listen(0,'127.0.0.1',()=>console.log(s.address().port))"], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const { gw, port, pid } = await startRun(a);
    let r = await runCli(['gateway', 'run', '--port', String(port)], { env: b.env });
    assert.equal(r.code, 78);
    assert.ok(r.stderr.includes(`another gateway instance is already listening on ws://127.0.0.1:${port} (pid ${pid})`), r.stderr);
    await stopRun(gw);

    const foreignPort = await new Promise<number>((resolve) => foreign.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
    r = await runCli(['gateway', 'run', '--port', String(foreignPort)], { env: b.env });
    assert.equal(r.code, 1);
    const m = r.stderr.match(new RegExp(`port ${foreignPort} is already in use by pid ${foreign.pid} \\((.+)\\); pick another port: openclaw config set gateway\\.port (\\d+)`));
    assert.ok(m, r.stderr);
    assert.match(m[1], /node/);
    assert.notEqual(Number(m[2]), foreignPort);
  } finally {
    foreign.kill('SIGKILL');
    a.cleanup();
    b.cleanup();
  }
});
