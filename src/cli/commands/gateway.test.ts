// `npm start` path (gateway run --first-run) and the bare `openclaw gateway` form.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { localConfig, makeStateDir, runCli, spawnCli, type GatewayProcess } from '../../testing/harness.js';

/** Generous: on a loaded 2-core CI machine a gateway takes seconds to start or react. */
const WAIT_MS = 30_000;

const spawned: GatewayProcess[] = [];
after(() => spawned.forEach((g) => g.kill('SIGKILL')));

test('first run on a fresh machine: local config with a pinned token (0600), dashboard URL on the terminal only', async () => {
  const state = makeStateDir();
  try {
    fs.rmSync(state.dir, { recursive: true });
    const gw = spawnCli(['gateway', 'run', '--first-run', '--port', '0'], { env: state.env });
    spawned.push(gw);
    const m = await gw.waitFor(/Dashboard: http:\/\/127\.0\.0\.1:(\d+)\/#token=(\S+)/, WAIT_MS);
    const config = JSON.parse(fs.readFileSync(state.configPath, 'utf8'));
    assert.equal(config.gateway.mode, 'local');
    assert.equal(decodeURIComponent(m[2]), config.gateway.auth.token);
    assert.equal(fs.statSync(state.configPath).mode & 0o777, 0o600);
    assert.equal((await fetch(`http://127.0.0.1:${m[1]}/ready`)).status, 200);
    gw.kill('SIGTERM');
    assert.equal((await gw.exited).code, 0);
    const log = fs.readFileSync(path.join(state.dir, 'logs', 'gateway.log'), 'utf8');
    assert.ok(!log.includes(config.gateway.auth.token), 'token is not in the log file');

    // Second start: the config exists, nothing is regenerated.
    const again = spawnCli(['gateway', 'run', '--first-run', '--port', '0'], { env: state.env });
    spawned.push(again);
    const m2 = await again.waitFor(/Dashboard: http:\/\/127\.0\.0\.1:\d+\/#token=(\S+)/, WAIT_MS);
    assert.equal(decodeURIComponent(m2[1]), config.gateway.auth.token);
    again.kill('SIGTERM');
    await again.exited;
  } finally {
    state.cleanup();
  }
});

test('bare `openclaw gateway` runs the gateway and takes run flags; --help explains the group', async () => {
  const state = makeStateDir(localConfig());
  try {
    const gw = spawnCli(['gateway', '--port', '0'], { env: state.env });
    spawned.push(gw);
    await gw.waitFor(/\[gateway\] listening on ws:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/, WAIT_MS);
    gw.kill('SIGINT');
    assert.equal((await gw.exited).code, 0);
    const help = await runCli(['gateway', '--help'], { env: state.env });
    assert.equal(help.code, 0);
    for (const sub of ['run', 'start', 'stop', 'restart', 'status', 'call']) assert.match(help.stdout, new RegExp(`^  ${sub}\\b`, 'm'));
    const bad = await runCli(['gateway', 'run', '--port', 'abc'], { env: state.env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /expected a port number/);
  } finally {
    state.cleanup();
  }
});
