// Config-level checks: each test writes the broken config for real and asserts the finding and fix.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import JSON5 from 'json5';
import { freePort, localConfig, stateDirsForFile, type StateDir } from '../../testing/harness.js';
import { fixAll, runOne } from '../testing/checks.js';

const STRONG = 'Zq8xL2mN4pR6tV8wY0aB2cD4eF6gH8jK';
const state = stateDirsForFile();
const readConfig = (s: StateDir) => JSON5.parse(fs.readFileSync(s.configPath, 'utf8'));

test('config-file: a syntax error is reported with file, line and column', async () => {
  const s = state();
  s.writeConfig('{\n  gateway: {\n    mode: "local",,\n  }\n}\n');
  const f = await runOne('config-file', s.env);
  assert.equal(f.level, 'error');
  assert.ok(f.message.includes(`${s.configPath}:3:`), f.message);
  assert.match(f.fix!, /openclaw config validate/);
});

test('config-file: a schema error names the key and the config set command', async () => {
  const s = state({ gateway: { mode: 'local', port: 'eighty', auth: { token: STRONG } } });
  const f = await runOne('config-file', s.env);
  assert.equal(f.level, 'error');
  assert.match(f.message, /gateway\.port/);
  assert.match(f.fix!, /openclaw config set gateway\.port/);
});

test('config-file: a missing file is a warning that points at setup; a valid one is ok', async () => {
  assert.deepEqual((await runOne('config-file', state().env)).fix, 'openclaw setup');
  assert.equal((await runOne('config-file', state(localConfig(STRONG)).env)).level, 'ok');
});

test('gateway-mode: unset mode is an error; --fix sets local and keeps a backup', async () => {
  const s = state({ gateway: { auth: { token: STRONG } } });
  const f = await runOne('gateway-mode', s.env);
  assert.equal(f.level, 'error');
  assert.match(f.message, /gateway start blocked: set gateway\.mode=local/);
  assert.equal(f.fix, 'openclaw config set gateway.mode local');
  assert.equal(f.repairable, true);
  const [fix] = await fixAll(s.env, {}, ['gateway-mode']);
  assert.equal(readConfig(s).gateway.mode, 'local');
  assert.equal(JSON5.parse(fs.readFileSync(fix.changed[0].backupPath!, 'utf8')).gateway.mode, undefined);
  assert.equal((await runOne('gateway-mode', s.env)).level, 'ok');
});

test('auth-token: no token is an error; --fix pins a 32-byte base64url token', async () => {
  const s = state({ gateway: { mode: 'local' } });
  const f = await runOne('auth-token', s.env);
  assert.equal(f.level, 'error');
  assert.match(f.message, /no token was configured/);
  await fixAll(s.env, {}, ['auth-token']);
  assert.match(readConfig(s).gateway.auth.token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal((await runOne('auth-token', s.env)).level, 'ok');
});

test('bind-auth: a lan bind with auth none is an error', async () => {
  const s = state({ gateway: { mode: 'local', bind: 'lan', auth: { mode: 'none' } } });
  const f = await runOne('bind-auth', s.env);
  assert.equal(f.level, 'error');
  assert.match(f.message, /binds 0\.0\.0\.0 with gateway\.auth\.mode none/);
  assert.equal((await runOne('bind-auth', state(localConfig(STRONG, { gateway: { bind: 'lan' } })).env)).level, 'ok');
});

test('token-strength: placeholders and short tokens are flagged, in the config and in the env', async () => {
  for (const weak of ['your-token-here', 'changeme', 'password123', 'test', 'short-but-random-x9']) {
    const f = await runOne('token-strength', state(localConfig(weak)).env);
    assert.equal(f.level, 'warn', weak);
    assert.match(f.fix!, /--generate-gateway-token/);
  }
  const lan = await runOne('token-strength', state(localConfig('changeme', { gateway: { bind: 'lan' } })).env);
  assert.equal(lan.level, 'error');
  const s = state(localConfig(STRONG));
  const envWeak = await runOne('token-strength', { ...s.env, OPENCLAW_GATEWAY_TOKEN: 'your-token-here' });
  assert.match(envWeak.fix!, /^export OPENCLAW_GATEWAY_TOKEN="\$\(openclaw doctor --generate-gateway-token\)"/);
  assert.equal((await runOne('token-strength', s.env)).level, 'ok');
});

test('token-drift: env token, legacy token and remote token that differ are named', async () => {
  const s = state(localConfig(STRONG, { gateway: { remote: { token: STRONG.split('').reverse().join('') } } }));
  const remote = await runOne('token-drift', s.env);
  assert.equal(remote.level, 'error');
  assert.match(remote.message, /gateway\.remote\.token differs from the token in gateway\.auth\.token/);
  assert.match(remote.fix!, /openclaw config set gateway\.remote\.token/);

  const t = state(localConfig(STRONG));
  const env = await runOne('token-drift', { ...t.env, OPENCLAW_GATEWAY_TOKEN: 'Aa1' + STRONG });
  assert.equal(env.level, 'error');
  assert.match(env.message, /gateway\.auth\.token differs from the token in OPENCLAW_GATEWAY_TOKEN/);
  assert.equal(env.fix, 'openclaw config set gateway.auth.token "$OPENCLAW_GATEWAY_TOKEN"');

  // Both keys set and different: the gateway refuses to start; config-file reports the resolve error.
  const u = state({ gateway: { mode: 'local', token: 'Bb2' + STRONG, auth: { token: STRONG } } });
  const cf = await runOne('config-file', u.env);
  assert.equal(cf.level, 'error');
  assert.match(cf.message, /gateway\.auth\.token and legacy gateway\.token differ/);
  assert.equal(cf.fix, 'openclaw config unset gateway.token');
});

test('legacy-keys: gateway.token, a literal bind, gateway.host and dangerouslyDisableDeviceAuth are migrated by --fix', async () => {
  const s = state({ gateway: { mode: 'local', token: STRONG, bind: '0.0.0.0:18790', controlUi: { dangerouslyDisableDeviceAuth: true, allowedOrigins: ['https://gw.example.com'] } } });
  const f = await runOne('legacy-keys', s.env);
  assert.equal(f.level, 'warn');
  for (const key of ['gateway.token', 'gateway.bind', 'dangerouslyDisableDeviceAuth']) assert.ok(f.message.includes(key), key);
  const [fix] = await fixAll(s.env, {}, ['legacy-keys']);
  const gw = readConfig(s).gateway;
  assert.deepEqual({ bind: gw.bind, port: gw.port, token: gw.auth.token, legacy: gw.token, ddda: gw.controlUi.dangerouslyDisableDeviceAuth }, { bind: 'lan', port: 18790, token: STRONG, legacy: undefined, ddda: undefined });
  assert.ok(fs.readFileSync(fix.changed[0].backupPath!, 'utf8').includes('0.0.0.0:18790'));
  assert.equal((await runOne('legacy-keys', s.env)).level, 'ok');

  // The multi-instance recipe: a second gateway on 18790 whose config still says port 18789.
  const p = state({ gateway: { mode: 'local', port: 18789, bind: '0.0.0.0:18790', auth: { token: STRONG } } });
  await fixAll(p.env, {}, ['legacy-keys']);
  assert.deepEqual({ bind: readConfig(p).gateway.bind, port: readConfig(p).gateway.port }, { bind: 'lan', port: 18790 });

  const h = state({ gateway: { mode: 'local', host: '10.1.2.3', auth: { token: STRONG } } });
  assert.match((await runOne('legacy-keys', h.env)).message, /gateway\.host/);
  await fixAll(h.env, {}, ['legacy-keys']);
  assert.deepEqual(readConfig(h).gateway.bind, 'custom');
  assert.deepEqual(readConfig(h).gateway.customBindHost, '10.1.2.3');
});

test('rejected-configs: .rejected.* files are reported with the newest one', async () => {
  const s = state(localConfig(STRONG));
  assert.equal((await runOne('rejected-configs', s.env)).level, 'ok');
  fs.writeFileSync(`${s.configPath}.rejected.2026-01-01T00-00-00-000Z`, '{}');
  fs.writeFileSync(`${s.configPath}.rejected.2026-02-01T00-00-00-000Z`, '{}');
  const f = await runOne('rejected-configs', s.env);
  assert.equal(f.level, 'warn');
  assert.match(f.message, /2 config edits were rejected.*2026-02-01/);
  assert.match(f.fix!, /rm .*\.rejected\.\*/);
});

test('last-good: --fix moves a broken config aside as .rejected.* and restores the copy, as the gateway does', async () => {
  const s = state();
  s.writeConfig('{ gateway: { mode: "local" ');
  fs.writeFileSync(`${s.configPath}.last-good`, JSON.stringify(localConfig(STRONG)));
  const f = await runOne('last-good', s.env);
  assert.equal(f.level, 'error');
  assert.equal(f.fix, 'openclaw doctor --fix');
  assert.ok(f.repairable);
  const [fix] = await fixAll(s.env, {}, ['last-good']);
  assert.equal(readConfig(s).gateway.auth.token, STRONG);
  assert.match(fix.changed[0].backupPath!, /openclaw\.json\.rejected\./);
  assert.equal(fs.readFileSync(fix.changed[0].backupPath!, 'utf8'), '{ gateway: { mode: "local" ');
  assert.equal((await runOne('last-good', s.env)).level, 'ok');
});

test('last-good: a config that loads but is refused, or a last-good that is broken too, is not restored', async () => {
  const s = state();
  s.writeConfig('{ gateway: { mode: "local" ');
  fs.writeFileSync(`${s.configPath}.last-good`, '{ broken too');
  assert.equal((await runOne('last-good', s.env)).level, 'skipped');
  assert.deepEqual(await fixAll(s.env, {}, ['last-good']), []);
});

test('allowed-origins and secure-context: a plain-HTTP lan Control UI without origins is flagged', async () => {
  const s = state(localConfig(STRONG, { gateway: { bind: 'lan' } }));
  const origins = await runOne('allowed-origins', s.env);
  assert.equal(origins.level, 'warn');
  assert.match(origins.fix!, /gateway\.controlUi\.allowedOrigins/);
  const secure = await runOne('secure-context', s.env);
  assert.equal(secure.level, 'warn');
  assert.match(secure.message, /control ui requires HTTPS or localhost/);
  const fixed = state(localConfig(STRONG, { gateway: { bind: 'lan', controlUi: { allowedOrigins: ['https://gw.example.com'] } } }));
  assert.equal((await runOne('allowed-origins', fixed.env)).level, 'ok');
  assert.equal((await runOne('secure-context', fixed.env)).level, 'ok');
});

test('trusted-proxies: proxy headers from an untrusted peer in the gateway log are reported', async () => {
  const s = state(localConfig(STRONG));
  fs.mkdirSync(`${s.dir}/logs`, { recursive: true });
  fs.writeFileSync(`${s.dir}/logs/gateway.log`, JSON.stringify({ level: 'warn', msg: 'proxy headers from untrusted peer', peer: '10.0.0.7' }) + '\n');
  const f = await runOne('trusted-proxies', s.env);
  assert.equal(f.level, 'warn');
  assert.match(f.message, /10\.0\.0\.7/);
  assert.equal(f.fix, `openclaw config set gateway.trustedProxies '["10.0.0.7"]'`);
  s.writeConfig(localConfig(STRONG, { gateway: { trustedProxies: ['10.0.0.7'] } }));
  assert.equal((await runOne('trusted-proxies', s.env)).level, 'ok');
});

test('keepalive: a keep-alive not under the proxy idle limit is flagged with a value that beats it', async () => {
  const f = await runOne('keepalive', state(localConfig(STRONG, { gateway: { websocket: { keepAlive: 90 } } })).env);
  assert.equal(f.level, 'warn');
  assert.equal(f.fix, 'openclaw config set gateway.websocket.keepAlive 30');
  const idle = await runOne('keepalive', state(localConfig(STRONG)).env, { proxyIdleLimitSeconds: 20 });
  assert.equal(idle.fix, 'openclaw config set gateway.websocket.keepAlive 10');
  assert.equal((await runOne('keepalive', state(localConfig(STRONG)).env)).level, 'ok');
});

test('model-providers: skipped when none; a local backend is probed for real', async () => {
  assert.equal((await runOne('model-providers', state(localConfig(STRONG)).env)).level, 'skipped');
  const server = http.createServer((req, res) => {
    const okKey = req.headers.authorization === 'Bearer good-key';
    res.writeHead(req.url === '/v1/models' ? (okKey ? 200 : 401) : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: [{ id: 'local-model' }] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  try {
    const provider = (apiKey: string) => state(localConfig(STRONG, { models: { providers: { local: { baseUrl: base, apiKey, models: [{ id: 'local-model' }] } } } })).env;
    assert.equal((await runOne('model-providers', provider('good-key'))).level, 'ok');
    const bad = await runOne('model-providers', provider('bad-key'));
    assert.equal(bad.level, 'warn');
    assert.match(bad.message, /rejects its API key \(HTTP 401\)/);
    const down = state(localConfig(STRONG, { models: { providers: { local: { baseUrl: `http://127.0.0.1:${await freePort()}/v1`, models: [] } } } })).env;
    assert.match((await runOne('model-providers', down)).message, /unreachable/);
  } finally {
    server.close();
  }
});

test('channels: skipped when none; an enabled channel without credentials is flagged', async () => {
  assert.equal((await runOne('channels', state(localConfig(STRONG)).env)).level, 'skipped');
  const f = await runOne('channels', state(localConfig(STRONG, { channels: { telegram: { enabled: true } } })).env);
  assert.equal(f.level, 'warn');
  assert.match(f.fix!, /channels\.telegram\.botToken/);
});

test('remote-url: a CLI URL on this machine with a stale port is named; a remote one is fine', async () => {
  const s = state(localConfig(STRONG, { gateway: { port: 18800, remote: { url: 'ws://127.0.0.1:18789' } } }));
  const f = await runOne('remote-url', s.env);
  assert.equal(f.level, 'error');
  assert.match(f.message, /dials port 18789 on this machine but the gateway listens on 18800/);
  assert.equal(f.fix, 'openclaw config set gateway.remote.url ws://127.0.0.1:18800');
  const env = await runOne('remote-url', { ...s.env, OPENCLAW_GATEWAY_URL: 'ws://localhost:1234' });
  assert.equal(env.fix, 'export OPENCLAW_GATEWAY_URL=ws://127.0.0.1:18800');
  assert.equal((await runOne('remote-url', state(localConfig(STRONG, { gateway: { remote: { url: 'wss://gw.example.com' } } })).env)).level, 'ok');
  assert.equal((await runOne('remote-url', state(localConfig(STRONG)).env)).level, 'skipped');
});

test('auth-credential: password mode without a password and trusted-proxy without its header or a loopback allowance are errors', async () => {
  const pw = state({ gateway: { mode: 'local', auth: { mode: 'password' } } });
  const f = await runOne('auth-credential', pw.env);
  assert.equal(f.level, 'error');
  assert.match(f.message, /password mode|mode is password/);
  assert.equal(f.fix, 'openclaw config set gateway.auth.password "<a long passphrase>"');
  assert.equal((await runOne('auth-credential', { ...pw.env, OPENCLAW_GATEWAY_PASSWORD: 'a long enough passphrase' })).level, 'ok');

  const tp = state({ gateway: { mode: 'local', auth: { mode: 'trusted-proxy' }, trustedProxies: ['10.0.0.5'] } });
  const t = await runOne('auth-credential', tp.env);
  assert.equal(t.level, 'error');
  assert.match(t.message, /gateway\.auth\.trustedProxy\.userHeader is not set/);

  const lo = state({ gateway: { mode: 'local', auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user' } }, trustedProxies: ['127.0.0.1'] } });
  const l = await runOne('auth-credential', lo.env);
  assert.equal(l.level, 'error');
  assert.equal(l.fix, 'openclaw config set gateway.auth.trustedProxy.allowLoopback true');
  const fine = state({ gateway: { mode: 'local', auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', allowLoopback: true } }, trustedProxies: ['127.0.0.1'] } });
  assert.equal((await runOne('auth-credential', fine.env)).level, 'ok');
});
