// `openclaw gateway install|uninstall` with a real CLI in a temp HOME. `systemctl` and `loginctl`
// stand-ins on PATH record what would run against a user manager (none exists in CI containers).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { renderTroubleshootingDoc } from '../doctor/troubleshooting-doc.js';
import { CLI_MAIN, runCli, spawnCli, stateDirsForFile, type StateDir } from '../testing/harness.js';
import { renderUnit, transientLocation } from './systemd.js';

const stateDir = stateDirsForFile();
const home = () => {
  const s = stateDir();
  return { ...s, unit: path.join(s.env.HOME!, '.config', 'systemd', 'user', 'openclaw-gateway.service') };
};

/**
 * A systemctl on PATH that logs its arguments; `available` decides whether the user manager answers.
 * `linger`: a loginctl that answers `Linger=yes|no` for $USER; 'missing': PATH holds only the fakes.
 */
function fakeSystemctl(s: StateDir, available: boolean, linger: 'yes' | 'no' | 'missing' = 'yes'): { env: NodeJS.ProcessEnv; calls: () => string[] } {
  const bin = path.join(s.env.HOME!, 'fakebin');
  const log = path.join(s.env.HOME!, 'systemctl.log');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'systemctl'), `#!/bin/sh\necho "$@" >> '${log}'\n${available ? 'exit 0' : 'echo "Failed to connect to bus" >&2; exit 1'}\n`, { mode: 0o755 });
  if (linger !== 'missing') {
    const answer = `[ "$1 $2 $3" = "show-user alice --property=Linger" ] && echo Linger=${linger} && exit 0\necho "unexpected: $*" >&2; exit 1`;
    fs.writeFileSync(path.join(bin, 'loginctl'), `#!/bin/sh\necho "loginctl $@" >> '${log}'\n${answer}\n`, { mode: 0o755 });
  }
  const env = { ...s.env, USER: 'alice', PATH: linger === 'missing' ? bin : `${bin}:${s.env.PATH}` };
  return { env, calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter((l) => !l.startsWith('loginctl ')) : []) };
}

/** A copy of the bundled CLI under `dir` (as npx or a tarball unpacked in /tmp would leave it), using this checkout's dependencies. */
function copyCli(dir: string): string {
  const pkg = path.join(dir, 'node_modules', 'openclaw-gateway');
  const to = path.join(pkg, 'dist', 'cli');
  fs.mkdirSync(to, { recursive: true });
  for (const f of ['main.cjs', 'code-cache.cjs', 'young-generation.cjs', 'openclaw.cjs']) fs.copyFileSync(path.join(path.dirname(CLI_MAIN), f), path.join(to, f));
  fs.symlinkSync(fs.realpathSync(path.join(path.dirname(CLI_MAIN), '..', '..', 'node_modules')), path.join(pkg, 'node_modules'));
  return path.join(to, 'main.cjs');
}

const LINGER_STEP = /Lingering is off for alice, so the gateway stops at logout and does not start at boot; run:\n\s+loginctl enable-linger alice/;

test('the unit restarts on failure except on config errors (78) and carries no secret', () => {
  const unit = renderUnit({ nodePath: '/usr/bin/node', cliPath: '/opt/open claw/bin/openclaw.cjs', stateDir: '/home/u/.openclaw' });
  for (const line of ['Restart=always', 'RestartSec=5', 'RestartPreventExitStatus=78', 'Environment=OPENCLAW_STATE_DIR=/home/u/.openclaw', 'WantedBy=default.target']) {
    assert.ok(unit.split('\n').includes(line), line);
  }
  assert.ok(unit.includes('ExecStart=/usr/bin/node "/opt/open claw/bin/openclaw.cjs" gateway run'));
  // A user manager cannot order against system targets; After=default.target would be a cycle.
  assert.doesNotMatch(unit, /network-online\.target|After=default\.target/);
});

for (const [where, dir, cause] of [
  ['npx cache', (home: string) => path.join(home, '.npm', '_npx', '3f1c2a9b0d4e5f60'), "npx's cache"],
  ['temp dir', (home: string) => path.join(home, 'unpacked'), 'a temporary directory'],
] as const) {
  test(`install run from a ${where} refuses, names the fix and writes nothing`, async () => {
    const s = home();
    const sys = fakeSystemctl(s, true);
    const bin = copyCli(dir(s.env.HOME!));
    const r = await runCli(['gateway', 'install'], { env: sys.env, bin });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const real = fs.realpathSync(bin);
    assert.ok(r.stderr.includes(`This openclaw (${real}) lives in ${cause}, which is emptied without notice, so a service unit pointing at it would break; nothing was written.`), r.stderr);
    assert.match(r.stderr, /fix: npm install -g openclaw-gateway && openclaw gateway install/);
    if (where === 'npx cache') assert.ok(renderTroubleshootingDoc().includes(r.stderr.split('\n')[0].replace(/^.*?This openclaw/, 'This openclaw').replace(real, '<path>')), 'docs/troubleshooting.md quotes the refusal');
    assert.equal(fs.existsSync(path.join(s.env.HOME!, '.config', 'systemd')), false, 'no unit directory may be created');
    assert.deepEqual(sys.calls(), [], 'systemctl must not run');
  });
}

test('install with a node binary in a temp dir refuses too', async () => {
  const s = home();
  const sys = fakeSystemctl(s, true);
  const node = path.join(s.env.HOME!, 'node-v24', 'bin', 'node');
  fs.mkdirSync(path.dirname(node), { recursive: true });
  try {
    fs.linkSync(fs.realpathSync(process.execPath), node);
  } catch {
    fs.copyFileSync(process.execPath, node);
    fs.chmodSync(node, 0o755);
  }
  const gw = spawnCli([CLI_MAIN, 'gateway', 'install'], { env: sys.env, command: node });
  const { code } = await gw.exited;
  assert.equal(code, 1, gw.output());
  assert.ok(gw.output().includes(`The node binary (${node}) lives in a temporary directory`), gw.output());
  assert.match(gw.output(), /fix: install Node\.js outside a temporary directory .*npm install -g openclaw-gateway && openclaw gateway install/);
  assert.equal(fs.existsSync(s.unit), false);
});

test("a copy in npm's cache (npm_config_cache) counts as transient; an install prefix does not", () => {
  const env = { HOME: '/home/u', npm_config_cache: '/srv/npm-cache' };
  assert.equal(transientLocation('/srv/npm-cache/_cacache/tmp/x/dist/cli/main.cjs', env), "npm's cache");
  assert.equal(transientLocation('/home/u/.npm/_npx/ab12/node_modules/openclaw-gateway/bin/openclaw.cjs', env), "npx's cache");
  assert.equal(transientLocation('/home/u/.npm-global/lib/node_modules/openclaw-gateway/bin/openclaw.cjs', env), undefined);
  assert.equal(transientLocation('/usr/lib/node_modules/openclaw-gateway/bin/openclaw.cjs', env), undefined);
});

test('install prints the loginctl enable-linger step when lingering is off or loginctl is missing, not when on', async () => {
  for (const linger of ['no', 'missing'] as const) {
    const s = home();
    const r = await runCli(['gateway', 'install'], { env: fakeSystemctl(s, true, linger).env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, LINGER_STEP, `${linger}: ${r.stdout}`);
  }
  const s = home();
  const on = await runCli(['gateway', 'install'], { env: fakeSystemctl(s, true, 'yes').env });
  assert.equal(on.code, 0, on.stderr);
  assert.doesNotMatch(on.stdout, /enable-linger/);
  const json = await runCli(['gateway', 'install', '--json'], { env: fakeSystemctl(home(), true, 'no').env });
  assert.deepEqual(JSON.parse(json.stdout).linger, { enabled: false, user: 'alice', fix: 'loginctl enable-linger alice' });
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
  assert.deepEqual(result.linger, { enabled: true, user: 'alice' });

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
