// Issue 17 item 14: `config set` (and the config.* RPCs) must not switch a running gateway into an
// auth mode no client can use; each refusal names what is missing and the command that sets it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { freePort, gatewayRuns, localConfig, makeStateDir, runCli } from '../../testing/harness.js';

const TOKEN = 'auth-switch-token-0123456789abcdef0123';
const runs = gatewayRuns();

const authMode = (configPath: string) => JSON.parse(fs.readFileSync(configPath, 'utf8')).gateway.auth.mode;

test('a running gateway: switching to password mode without a password is refused with the command to set it; set first, then the switch works', async (t) => {
  const port = await freePort();
  const s = makeStateDir(localConfig(TOKEN, { gateway: { port } }));
  t.after(s.cleanup);
  const { gw } = await runs.start(s, ['--port', String(port)]);
  t.after(() => runs.stop(gw));

  // over the RPC (what the Control UI and remote clients use): refused, force or not
  const got = await runCli(['gateway', 'call', 'config.get', '--json'], { env: s.env });
  assert.equal(got.code, 0, got.stderr);
  const baseHash = JSON.parse(got.stdout).result.hash;
  for (const method of ['config.patch', 'config.set', 'config.apply']) {
    const raw = method === 'config.patch' ? '{"gateway":{"auth":{"mode":"password"}}}' : JSON.stringify({ gateway: { mode: 'local', port, auth: { mode: 'password' } } });
    const rpc = await runCli(['gateway', 'call', method, '--json', '--params', JSON.stringify({ raw, baseHash, force: true })], { env: s.env });
    assert.notEqual(rpc.code, 0, `${method}: ${rpc.stdout}`);
    assert.match(rpc.stdout + rpc.stderr, /CONFIG_WRITE_AUTH_UNUSABLE/, method);
    assert.match(rpc.stdout + rpc.stderr, /gateway\.auth\.mode is password but no password is set/, method);
    assert.match(rpc.stdout + rpc.stderr, /openclaw config set gateway\.auth\.password/, method);
  }
  assert.equal(authMode(s.configPath), 'token');

  const refused = await runCli(['config', 'set', 'gateway.auth.mode', 'password'], { env: s.env });
  assert.equal(refused.code, 1, refused.stdout);
  assert.match(refused.stderr, /Not written: the running gateway would lock every client out: gateway\.auth\.mode is password but no password is set/);
  assert.match(refused.stderr, /openclaw config set gateway\.auth\.password "<a long passphrase>"/);
  assert.match(refused.stderr, /--force/);
  assert.equal(authMode(s.configPath), 'token', 'nothing written');
  // the gateway still lets clients in
  assert.equal((await runCli(['gateway', 'call', 'health'], { env: s.env })).code, 0);

  // the printed fix, then the same edit
  assert.equal((await runCli(['config', 'set', 'gateway.auth.password', 'a-long-passphrase-for-this-test'], { env: s.env })).code, 0);
  const ok = await runCli(['config', 'set', 'gateway.auth.mode', 'password'], { env: s.env });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(authMode(s.configPath), 'password');
  // an unrelated edit of an already working config is not affected
  assert.equal((await runCli(['config', 'set', 'gateway.websocket.keepAlive', '25'], { env: s.env })).code, 0);
});

test('trusted-proxy: each missing piece is named in turn (userHeader, trustedProxies, allowLoopback for a same-host proxy); --force writes anyway; a stopped gateway is not guarded', async (t) => {
  const port = await freePort();
  const s = makeStateDir(localConfig(TOKEN, { gateway: { port } }));
  t.after(s.cleanup);
  const { gw } = await runs.start(s, ['--port', String(port)]);
  const switchMode = () => runCli(['config', 'set', 'gateway.auth.mode', 'trusted-proxy'], { env: s.env });

  let r = await switchMode();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /trustedProxy\.userHeader is not set/);
  assert.match(r.stderr, /openclaw config set gateway\.auth\.trustedProxy\.userHeader x-forwarded-user/);
  assert.equal((await runCli(['config', 'set', 'gateway.auth.trustedProxy.userHeader', 'x-forwarded-user'], { env: s.env })).code, 0);
  r = await switchMode();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /gateway\.trustedProxies is empty/);
  assert.match(r.stderr, /openclaw config set gateway\.trustedProxies '\["<proxy ip>"\]'/);
  assert.equal((await runCli(['config', 'set', 'gateway.trustedProxies', '["127.0.0.1"]'], { env: s.env })).code, 0);
  r = await switchMode();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /openclaw config set gateway\.auth\.trustedProxy\.allowLoopback true/);
  // a patch that brings everything at once is fine
  const dry = await runCli(['config', 'patch', '--merge', '{gateway:{auth:{mode:"trusted-proxy",trustedProxy:{allowLoopback:true}}}}', '--dry-run'], { env: s.env });
  assert.equal(dry.code, 0, dry.stderr);
  // --force is the override
  const forced = await runCli(['config', 'set', 'gateway.auth.mode', 'password', '--force'], { env: s.env });
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(authMode(s.configPath), 'password');
  assert.equal((await runCli(['config', 'set', 'gateway.auth.mode', 'token', '--force'], { env: s.env })).code, 0);

  await runs.stop(gw);
  // with the gateway stopped there is no one to lock out: the edit is written (doctor reports it)
  const offline = await runCli(['config', 'set', 'gateway.auth.mode', 'password'], { env: s.env });
  assert.equal(offline.code, 0, offline.stderr);
  assert.equal(authMode(s.configPath), 'password');
});
