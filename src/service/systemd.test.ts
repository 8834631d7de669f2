// `openclaw gateway install|uninstall` with a real CLI in a temp HOME. A `systemctl` stand-in on
// PATH records what would run against a user manager (none exists in CI containers).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli, stateDirsForFile, type StateDir } from '../testing/harness.js';
import { renderUnit } from './systemd.js';

const stateDir = stateDirsForFile();
const home = () => {
  const s = stateDir();
  return { ...s, unit: path.join(s.env.HOME!, '.config', 'systemd', 'user', 'openclaw-gateway.service') };
};

/** A systemctl on PATH that logs its arguments; `available` decides whether the user manager answers. */
function fakeSystemctl(s: StateDir, available: boolean): { env: NodeJS.ProcessEnv; calls: () => string[] } {
  const bin = path.join(s.env.HOME!, 'fakebin');
  const log = path.join(s.env.HOME!, 'systemctl.log');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'systemctl'), `#!/bin/sh\necho "$@" >> '${log}'\n${available ? 'exit 0' : 'echo "Failed to connect to bus" >&2; exit 1'}\n`, { mode: 0o755 });
  return { env: { ...s.env, PATH: `${bin}:${s.env.PATH}` }, calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []) };
}

test('the unit restarts on failure except on config errors (78) and carries no secret', () => {
  const unit = renderUnit({ nodePath: '/usr/bin/node', cliPath: '/opt/open claw/bin/openclaw.cjs', stateDir: '/home/u/.openclaw' });
  for (const line of ['Restart=always', 'RestartSec=5', 'RestartPreventExitStatus=78', 'Environment=OPENCLAW_STATE_DIR=/home/u/.openclaw', 'WantedBy=default.target']) {
    assert.ok(unit.split('\n').includes(line), line);
  }
  assert.ok(unit.includes('ExecStart=/usr/bin/node "/opt/open claw/bin/openclaw.cjs" gateway run'));
});

test('install writes the user unit and runs daemon-reload + enable; uninstall disables and removes it', async () => {
  const s = home();
  const sys = fakeSystemctl(s, true);
  const env = { ...sys.env, OPENCLAW_GATEWAY_TOKEN: 'Zq8xL2mN4pR6tV8wY0aB2cD4eF6gH8jK' };
  const r = await runCli(['gateway', 'install', '--json'], { env });
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.equal(result.action, 'installed');
  assert.equal(result.unitPath, s.unit);
  const unit = fs.readFileSync(s.unit, 'utf8');
  assert.ok(unit.includes(`Environment=OPENCLAW_STATE_DIR=${s.dir}`));
  assert.ok(!unit.includes('Zq8xL2mN4pR6tV8wY0aB2cD4eF6gH8jK'), 'the token must not be baked into the unit');
  assert.deepEqual(sys.calls(), ['--user show-environment', '--user daemon-reload', '--user enable --now openclaw-gateway.service']);

  const again = await runCli(['gateway', 'install', '--json'], { env });
  assert.equal(JSON.parse(again.stdout).action, 'unchanged');

  const un = await runCli(['gateway', 'uninstall'], { env });
  assert.equal(un.code, 0, un.stderr);
  assert.equal(fs.existsSync(s.unit), false);
  assert.ok(sys.calls().includes('--user disable --now openclaw-gateway.service'));
});

test('without a systemd user manager install still writes the unit and prints the commands to run', async () => {
  const s = home();
  const sys = fakeSystemctl(s, false);
  const r = await runCli(['gateway', 'install'], { env: sys.env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /systemd --user is not reachable from here; run:\n\s+systemctl --user daemon-reload\n\s+systemctl --user enable --now openclaw-gateway\.service/);
  assert.ok(fs.existsSync(s.unit));
});

test('a different existing unit is kept unless --force, which keeps it as .bak', async () => {
  const s = home();
  const sys = fakeSystemctl(s, false);
  fs.mkdirSync(path.dirname(s.unit), { recursive: true });
  fs.writeFileSync(s.unit, '[Service]\nExecStart=/bin/true\n');
  const refused = await runCli(['gateway', 'install'], { env: sys.env });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /already exists with different contents/);
  assert.match(refused.stderr, /fix: openclaw gateway install --force/);
  const forced = await runCli(['gateway', 'install', '--force', '--json'], { env: sys.env });
  assert.equal(JSON.parse(forced.stdout).action, 'replaced');
  assert.equal(fs.readFileSync(`${s.unit}.bak`, 'utf8'), '[Service]\nExecStart=/bin/true\n');
});
