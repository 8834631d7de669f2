// The gateway process for real: spawned CLI, real sockets, real files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { eventually, localConfig, makeStateDir, runCli, gatewayRuns, GATEWAY_WAIT_MS as WAIT_MS } from '../testing/harness.js';

const TOKEN = 'test-token-0123456789abcdef0123456789';

const { start: startRun, stop: stopRun } = gatewayRuns();

test('run: ready line, probes with security headers, pid file, last-good, dashboard only on the terminal, SIGTERM exits 0', async () => {
  const state = makeStateDir(localConfig(TOKEN));
  try {
    const { gw, port, pid } = await startRun(state);
    assert.equal(pid, gw.proc.pid);
    await gw.waitFor(new RegExp(`Dashboard: http://127\\.0\\.0\\.1:${port}/  \\(login link: openclaw dashboard\\)`), WAIT_MS);
    assert.ok(!gw.output().includes(TOKEN), 'a piped stdout never gets the token');

    for (const p of ['/health', '/healthz']) {
      const res = await fetch(`http://127.0.0.1:${port}${p}`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { ok: true, status: 'live' });
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(res.headers.get('permissions-policy'), 'camera=(), geolocation=()');
    }
    for (const p of ['/ready', '/readyz']) {
      const res = await fetch(`http://127.0.0.1:${port}${p}`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { ok: true, status: 'ready' });
    }
    const head = await fetch(`http://127.0.0.1:${port}/readyz`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    const missing = await fetch(`http://127.0.0.1:${port}/api/no-such-route`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('x-content-type-options'), 'nosniff');

    const pidFile = path.join(state.dir, 'gateway.pid');
    const record = JSON.parse(fs.readFileSync(pidFile, 'utf8'));
    assert.equal(record.pid, pid);
    assert.equal(record.port, port);
    assert.equal(record.host, '127.0.0.1');
    assert.equal(record.configPath, state.configPath);
    assert.ok(Number.isInteger(record.startTime));
    assert.equal(fs.statSync(pidFile).mode & 0o777, 0o600);
    await eventually(() => fs.existsSync(`${state.configPath}.last-good`));
    assert.equal(fs.readFileSync(`${state.configPath}.last-good`, 'utf8'), fs.readFileSync(state.configPath, 'utf8'));

    const { code } = await stopRun(gw);
    assert.equal(code, 0);
    assert.ok(!fs.existsSync(pidFile), 'pid file removed on clean exit');
    const log = fs.readFileSync(path.join(state.dir, 'logs', 'gateway.log'), 'utf8');
    assert.match(log, /"subsystem":"gateway","msg":"listening on ws:\/\/127\.0\.0\.1:\d+ \(pid \d+\)"/);
    assert.ok(!log.includes(TOKEN), 'the token never reaches the log file');
    assert.ok(!log.includes('Dashboard'), 'the dashboard URL is terminal-only');
    assert.equal(fs.statSync(path.join(state.dir, 'logs', 'gateway.log')).mode & 0o777, 0o600);
  } finally {
    state.cleanup();
  }
});

test('--allow-unconfigured starts without gateway.mode', async () => {
  const state = makeStateDir({ gateway: { auth: { mode: 'token', token: TOKEN } } });
  try {
    state.env.OPENCLAW_GATEWAY_TOKEN = TOKEN;
    const { gw, port } = await startRun(state, ['--port', '0', '--allow-unconfigured']);
    await fetch(`http://127.0.0.1:${port}/ready`); // a round trip: the ready line's deferred writes (last-good) are done
    assert.equal((await stopRun(gw)).code, 0);
  } finally {
    state.cleanup();
  }
});

test('a second gateway on the same state dir refuses: already listening (exit 78)', async () => {
  const state = makeStateDir(localConfig(TOKEN));
  try {
    const { gw, port, pid } = await startRun(state);
    const r = await runCli(['gateway', 'run', '--port', '0'], { env: state.env });
    assert.equal(r.code, 78);
    assert.ok(r.stderr.includes(`another gateway instance is already listening on ws://127.0.0.1:${port} (pid ${pid})`), r.stderr);
    // The first one is untouched.
    assert.equal((await fetch(`http://127.0.0.1:${port}/ready`)).status, 200);
    assert.equal((await stopRun(gw)).code, 0);
  } finally {
    state.cleanup();
  }
});

test('a kill -9ed gateway leaves a pid file that the next start reclaims', async () => {
  const state = makeStateDir(localConfig(TOKEN));
  try {
    const first = await startRun(state);
    first.gw.kill('SIGKILL');
    await first.gw.exited;
    assert.ok(fs.existsSync(path.join(state.dir, 'gateway.pid')), 'kill -9 leaves the pid file behind');
    const second = await startRun(state);
    assert.match(second.gw.output(), new RegExp(`reclaimed stale pid file \\(pid ${first.pid} is not running\\)`));
    assert.equal(JSON.parse(fs.readFileSync(path.join(state.dir, 'gateway.pid'), 'utf8')).pid, second.pid);
    assert.equal((await stopRun(second.gw)).code, 0);
  } finally {
    state.cleanup();
  }
});

test('an unparseable config with a last-good copy: moved aside as .rejected.*, last-good restored on disk, the CLI works again', async () => {
  const state = makeStateDir(localConfig(TOKEN));
  try {
    const first = await startRun(state);
    await eventually(() => fs.existsSync(`${state.configPath}.last-good`));
    await stopRun(first.gw);
    const good = fs.readFileSync(`${state.configPath}.last-good`, 'utf8');
    state.writeConfig('{ gateway: { mode: "local", auth: ');
    const { gw, port } = await startRun(state);
    const rejected = fs.readdirSync(state.dir).filter((n) => n.startsWith('openclaw.json.rejected.'));
    assert.equal(rejected.length, 1);
    const rejectedPath = path.join(state.dir, rejected[0]);
    assert.ok(gw.output().includes(`Config auto-restored from last-known-good rejectedPath=${rejectedPath}`), gw.output());
    assert.equal(fs.readFileSync(rejectedPath, 'utf8'), '{ gateway: { mode: "local", auth: ');
    assert.equal(fs.readFileSync(state.configPath, 'utf8'), good);
    assert.equal((fs.statSync(state.configPath).mode & 0o777).toString(8), '600');
    assert.equal((await fetch(`http://127.0.0.1:${port}/ready`)).status, 200);
    const log = fs.readFileSync(path.join(state.dir, 'logs', 'gateway.log'), 'utf8');
    assert.match(log, /"msg":"Config auto-restored from last-known-good","rejectedPath":"[^"]+rejected[^"]+","problem":"[^"]+"/);
    // The file on disk is good again, so config get/set no longer exit 78.
    const get = await runCli(['config', 'get', 'gateway.mode'], { env: state.env });
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /local/);
    await stopRun(gw);
  } finally {
    state.cleanup();
  }
});

test('an empty config file is no config for config validate and gateway run alike; last-good is left alone', async () => {
  const state = makeStateDir('');
  try {
    const good = JSON.stringify(localConfig(TOKEN));
    fs.writeFileSync(`${state.configPath}.last-good`, good);
    const validate = await runCli(['config', 'validate'], { env: state.env });
    assert.equal(validate.code, 0, validate.stderr);
    assert.match(validate.stderr, /openclaw\.json is empty, so there is no config; defaults apply/);
    const run = await runCli(['gateway', 'run', '--port', '0'], { env: state.env, timeoutMs: WAIT_MS });
    assert.equal(run.code, 78);
    assert.match(run.stderr + run.stdout, /gateway start blocked: set gateway\.mode=local \(current: unset\)/);
    state.env.OPENCLAW_GATEWAY_TOKEN = TOKEN;
    const { gw, port } = await startRun(state, ['--port', '0', '--allow-unconfigured']);
    await fetch(`http://127.0.0.1:${port}/ready`); // a round trip: the ready line's deferred writes (last-good) are done
    await stopRun(gw);
    assert.equal(fs.readFileSync(`${state.configPath}.last-good`, 'utf8'), good);
    assert.equal(fs.readFileSync(state.configPath, 'utf8'), '');
  } finally {
    state.cleanup();
  }
});

test('an uncaught exception in the gateway is logged and exits 1, not 0', async () => {
  const state = makeStateDir(localConfig(TOKEN));
  try {
    // A real uncaught exception inside the gateway process, thrown on demand by a preloaded script
    // (on SIGWINCH, which the gateway itself does not handle: SIGUSR2 is its restart-stop).
    const preload = path.join(state.dir, 'crash-on-winch.cjs');
    fs.writeFileSync(preload, "process.on('SIGWINCH', () => setImmediate(() => { throw new Error('induced crash'); }));\n");
    state.env.NODE_OPTIONS = `--require ${preload}`;
    const { gw } = await startRun(state);
    gw.kill('SIGWINCH');
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([gw.exited, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no exit; output:\n${gw.output()}`)), WAIT_MS)))]).finally(() => clearTimeout(timer));
    assert.match(gw.output(), /uncaught exception: induced crash/);
    assert.equal(exit.code, 1, gw.output());
  } finally {
    state.cleanup();
  }
});
