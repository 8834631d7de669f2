// `openclaw gateway start|stop|restart|status|call` and `openclaw status` against real processes.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, localConfig, makeStateDir, runCli, type StateDir } from '../testing/harness.js';

const TOKEN = 'test-token-0123456789abcdef0123456789';
const states: StateDir[] = [];
after(() => {
  // A failed assertion must not leave a detached gateway behind.
  for (const s of states) {
    try {
      process.kill(JSON.parse(fs.readFileSync(path.join(s.dir, 'gateway.pid'), 'utf8')).pid, 'SIGKILL');
    } catch {
      // not running
    }
    s.cleanup();
  }
});

async function state(config: unknown): Promise<StateDir> {
  const s = makeStateDir(config);
  states.push(s);
  return s;
}

test('start → already running → status → call → openclaw status → restart → stop → stop again', async () => {
  const port = await freePort();
  const s = await state(localConfig(TOKEN, { gateway: { port } }));
  const env = s.env;

  let r = await runCli(['gateway', 'start', '--timeout', '30'], { env, timeoutMs: 45_000 });
  assert.equal(r.code, 0, r.stderr);
  const pid = Number(r.stdout.match(/gateway started \(pid (\d+)\) on ws:\/\/127\.0\.0\.1:(\d+)/)![1]);
  assert.equal((await fetch(`http://127.0.0.1:${port}/ready`)).status, 200);
  const outLog = path.join(s.dir, 'logs', 'gateway.out.log');
  assert.match(fs.readFileSync(outLog, 'utf8'), /\[gateway\] listening on/);
  assert.ok(!fs.readFileSync(outLog, 'utf8').includes(TOKEN), 'the token stays out of gateway.out.log');
  assert.equal(fs.statSync(outLog).mode & 0o777, 0o600);

  r = await runCli(['gateway', 'start'], { env });
  assert.equal(r.code, 0);
  assert.match(r.stdout, new RegExp(`gateway already running \\(pid ${pid}\\)`));

  r = await runCli(['gateway', 'status'], { env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`^Runtime: running \\(pid ${pid}, uptime \\d+h \\d+m \\d+s\\)$`, 'm'));
  assert.match(r.stdout, /^RPC probe: ok$/m);
  assert.match(r.stdout, new RegExp(`^Listening: ws://127\\.0\\.0\\.1:${port}$`, 'm'));
  assert.match(r.stdout, /^Mode: local$/m);
  assert.match(r.stdout, /^Auth mode: token$/m);
  assert.match(r.stdout, new RegExp(`^Config: ${s.configPath}$`, 'm'));
  assert.match(r.stdout, /^Log: .*gateway\.log$/m);

  r = await runCli(['gateway', 'status', '--json', '--deep'], { env });
  const report = JSON.parse(r.stdout);
  assert.equal(report.ok, true);
  assert.equal(report.runtime.pid, pid);
  assert.ok(report.deep.gatewayProcesses.some((p: { pid: number; ours: boolean }) => p.pid === pid && p.ours));

  r = await runCli(['gateway', 'call', 'health', '--json'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).ok, true);

  r = await runCli(['status'], { env });
  assert.equal(r.code, 0);
  assert.match(r.stdout, new RegExp(`^gateway: running \\(pid ${pid}\\)$`, 'm'));
  assert.match(r.stdout, /^pending pairings: 0$/m);
  assert.match(r.stdout, /\(valid\)/);

  r = await runCli(['restart'], { env, timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`gateway stopped \\(pid ${pid}\\)`));
  const pid2 = Number(r.stdout.match(/gateway started \(pid (\d+)\)/)![1]);
  assert.notEqual(pid2, pid);

  r = await runCli(['gateway', 'stop'], { env });
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), `gateway stopped (pid ${pid2})`);
  assert.ok(!fs.existsSync(path.join(s.dir, 'gateway.pid')));
  await assert.rejects(fetch(`http://127.0.0.1:${port}/health`));

  r = await runCli(['gateway', 'stop', '--json'], { env });
  assert.equal(r.code, 0);
  assert.equal(JSON.parse(r.stdout).status, 'not-running');
  r = await runCli(['gateway', 'stop'], { env });
  assert.equal(r.stdout.trim(), 'gateway is not running');
});

test('status and call with no gateway: stopped, probe failed with the connect-failed message, exit 1', async () => {
  const port = await freePort();
  const s = await state(localConfig(TOKEN, { gateway: { port } }));
  const refused = `gateway connect failed: connection refused at ws://127.0.0.1:${port} (is it running? openclaw gateway start)`;
  let r = await runCli(['gateway', 'status'], { env: s.env });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^Runtime: stopped$/m);
  assert.ok(r.stdout.includes(`RPC probe: failed (${refused})`), r.stdout);

  r = await runCli(['gateway', 'call', 'health'], { env: s.env });
  assert.equal(r.code, 1);
  assert.ok(r.stderr.includes(refused), r.stderr);

  r = await runCli(['status', '--json'], { env: s.env });
  assert.equal(r.code, 1, 'a stopped gateway fails `openclaw status` (the guides put it in a HEALTHCHECK)');
  const st = JSON.parse(r.stdout);
  assert.equal(st.gateway, 'stopped');
  assert.equal(st.ready, false);
  assert.equal(st.config.valid, true);
  assert.equal(st.url, `ws://127.0.0.1:${port}`);
});

test('start of a gateway that cannot start leads with the child\'s own reason; --allow-unconfigured starts it', async () => {
  const port = await freePort();
  const s = await state({ gateway: { port, auth: { mode: 'token', token: TOKEN } } });
  let r = await runCli(['gateway', 'start', '--timeout', '7'], { env: s.env });
  assert.equal(r.code, 78);
  assert.match(r.stderr, /^(error: )?gateway start blocked: set gateway\.mode=local \(current: unset\)$/m);
  assert.ok(!r.stderr.includes('did not become ready'), r.stderr);
  assert.match(r.stderr, /exited with code 78/);

  r = await runCli(['gateway', 'start', '--allow-unconfigured', '--timeout', '30'], { env: s.env, timeoutMs: 45_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await fetch(`http://127.0.0.1:${port}/ready`)).status, 200);
  r = await runCli(['gateway', 'stop'], { env: s.env });
  assert.equal(r.code, 0, r.stderr);
});

test('two concurrent starts: both succeed on the same gateway (the loser reports it running, not a timeout)', async () => {
  const port = await freePort();
  const s = await state(localConfig(TOKEN, { gateway: { port } }));
  const [a, b] = await Promise.all([0, 1].map(() => runCli(['gateway', 'start', '--json', '--timeout', '30'], { env: s.env, timeoutMs: 45_000 })));
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const [ra, rb] = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
  assert.equal(ra.pid, rb.pid);
  assert.deepEqual([ra.status, rb.status].sort(), ['already-running', 'started']);
  assert.equal((await runCli(['gateway', 'stop'], { env: s.env })).code, 0);
});

test('pid file deleted under a live gateway: ps shows it as openclaw gateway; status, stop and restart still find it', async () => {
  const port = await freePort();
  const s = await state(localConfig(TOKEN, { gateway: { port } }));
  let r = await runCli(['gateway', 'start', '--timeout', '30'], { env: s.env, timeoutMs: 45_000 });
  assert.equal(r.code, 0, r.stderr);
  const pid = Number(r.stdout.match(/gateway started \(pid (\d+)\)/)![1]);
  // What `ps aux | grep "openclaw gateway"` and `pkill -f openclaw` match on.
  const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+/g, ' ').trim();
  assert.match(cmdline, /^openclaw-gateway: openclaw gateway run/);
  assert.match(cmdline, /openclaw gateway/);

  fs.rmSync(path.join(s.dir, 'gateway.pid'));
  r = await runCli(['gateway', 'status'], { env: s.env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`^Runtime: running \\(pid ${pid},`, 'm'));
  assert.match(r.stdout, /^Pid file: missing \(found pid \d+ listening on the configured port/m);
  r = await runCli(['status', '--json'], { env: s.env });
  assert.equal(r.code, 0, r.stdout);
  assert.equal(JSON.parse(r.stdout).foundByPort, true);

  r = await runCli(['restart'], { env: s.env, timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`gateway stopped \\(pid ${pid}\\)`));
  const pid2 = Number(r.stdout.match(/gateway started \(pid (\d+)\)/)![1]);
  fs.rmSync(path.join(s.dir, 'gateway.pid'));
  r = await runCli(['gateway', 'stop'], { env: s.env });
  assert.equal(r.stdout.trim(), `gateway stopped (pid ${pid2})`);
  await assert.rejects(fetch(`http://127.0.0.1:${port}/ready`));
});
