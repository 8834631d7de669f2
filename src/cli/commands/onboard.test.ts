// `openclaw onboard --mode local|remote` and `openclaw setup` on an existing config: a config
// without gateway.mode ("gateway start blocked") starts after either; a pinned token is kept, a
// missing one is generated (0600, never printed); nothing else in the file changes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { gatewayRuns, runCli, stateDirsForFile } from '../../testing/harness.js';

const stateDir = stateDirsForFile();
const gateways = gatewayRuns();
const TOKEN = 'onboard-test-token-0123456789abcdef0123';
const readConfig = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

for (const command of [['setup', '--no-scan'], ['onboard', '--mode', 'local', '--no-scan']]) {
  test(`a config without gateway.mode is blocked; \`openclaw ${command.join(' ')}\` sets it and the gateway starts`, async () => {
    const s = stateDir({ gateway: { auth: { mode: 'token', token: TOKEN } }, session: { dmScope: 'main' } });
    const blocked = await runCli(['gateway', 'run', '--port', '0'], { env: s.env, timeoutMs: 30_000 });
    assert.notEqual(blocked.code, 0);
    assert.match(blocked.stderr, /gateway\.mode/);

    const r = await runCli(command, { env: s.env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /gateway\.mode local \(was unset\)/);
    assert.doesNotMatch(r.stdout, /nothing changed/);
    const config = readConfig(s.configPath);
    assert.deepEqual(config, { gateway: { mode: 'local', auth: { mode: 'token', token: TOKEN }, ...(command[0] === 'onboard' ? { bind: 'loopback' } : {}) }, session: { dmScope: 'main' } });
    assert.equal(fs.statSync(s.configPath).mode & 0o777, 0o600);
    assert.ok(fs.readdirSync(s.dir).some((f) => f.startsWith('openclaw.json.bak')), 'the previous file is backed up');

    const { gw } = await gateways.start(s);
    await gateways.stop(gw);
    const again = await runCli(command, { env: s.env });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, command[0] === 'setup' ? /nothing changed/ : /Already onboarded for mode local/);
  });
}

test('onboard --mode remote: all interfaces, and a token generated and pinned when none is', async () => {
  const s = stateDir({ gateway: { port: 18999 } });
  const r = await runCli(['onboard', '--mode', 'remote', '--json'], { env: s.env });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.ok, true);
  assert.equal(out.tokenGenerated, true);
  assert.deepEqual(out.changes.map((c: { key: string }) => c.key), ['gateway.mode', 'gateway.bind', 'gateway.auth.token']);
  const config = readConfig(s.configPath);
  assert.equal(config.gateway.mode, 'remote');
  assert.equal(config.gateway.bind, 'lan');
  assert.equal(config.gateway.port, 18999);
  assert.match(config.gateway.auth.token, /^[A-Za-z0-9_-]{43}$/);
  assert.ok(!r.stdout.includes(config.gateway.auth.token), 'the token is not printed');

  const { gw } = await gateways.start(s, ['--port', '0']);
  assert.match(gw.output(), /listening on ws:\/\/0\.0\.0\.0:/);
  await gateways.stop(gw);

  // Back to local: loopback again, the same token.
  const local = await runCli(['onboard', '--mode', 'local'], { env: s.env });
  assert.equal(local.code, 0, local.stderr);
  const after = readConfig(s.configPath);
  assert.equal(after.gateway.bind, 'loopback');
  assert.equal(after.gateway.auth.token, config.gateway.auth.token);
});

test('onboard with no config creates one (the env token stays out of the file)', async () => {
  const s = stateDir();
  const r = await runCli(['onboard', '--mode', 'local', '--no-scan'], { env: { ...s.env, OPENCLAW_GATEWAY_TOKEN: TOKEN } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Created /);
  const config = readConfig(s.configPath);
  assert.equal(config.gateway.mode, 'local');
  assert.equal(config.gateway.auth.token, undefined);
  const bad = await runCli(['onboard', '--mode', 'cloud'], { env: s.env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /local, remote/);
});
