// The control plane's method families over a real socket: config, logs, devices, dashboard
// bootstrap codes, restart requests, system events, scope checks and idempotency.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PairingStore } from '../../auth/pairing-store.js';
import { configWith, connectClient, makeDevice, pairDevice, startTestGateway, TEST_TOKEN, type TestClient, type TestGateway } from '../control-plane/test-support.js';
import type { MethodDef } from './types.js';

let runs = 0;
const counter: MethodDef = {
  name: 'test.increment',
  scope: 'operator.write',
  sideEffect: true,
  params: z.object({ idempotencyKey: z.string(), delayMs: z.number().optional() }),
  handler: async ({ params }) => {
    await new Promise((r) => setTimeout(r, params.delayMs ?? 0));
    return { runs: ++runs };
  },
};

let gw: TestGateway;
let admin: TestClient;
before(async () => {
  gw = await startTestGateway({ extraMethods: [counter] });
  gw.state.writeConfig(configWith({ port: 18999 }));
  const c = await connectClient(gw.url, { token: TEST_TOKEN, device: makeDevice() });
  assert.equal(c.res.ok, true);
  admin = c.client;
});
after(async () => {
  admin.close();
  await gw.close();
});

test('config.get is redacted and config.set round-trips the secret it never showed', async () => {
  const got = await admin.request('config.get');
  assert.equal(got.ok, true, JSON.stringify(got.error));
  assert.equal(got.payload.exists, true);
  assert.equal(got.payload.valid, true);
  assert.equal(got.payload.path, gw.state.configPath);
  assert.equal(got.payload.config.gateway.auth.token, '__OPENCLAW_REDACTED__');
  assert.match(got.payload.hash, /^[0-9a-f]{64}$/);

  const edited = { ...got.payload.config, gateway: { ...got.payload.config.gateway, port: 19000 } };
  const set = await admin.request('config.set', { raw: JSON.stringify(edited), baseHash: got.payload.hash });
  assert.equal(set.ok, true, JSON.stringify(set.error));
  const onDisk = JSON.parse(fs.readFileSync(gw.state.configPath, 'utf8'));
  assert.equal(onDisk.gateway.port, 19000);
  assert.equal(onDisk.gateway.auth.token, TEST_TOKEN, 'the real token is kept');
  assert.equal((fs.statSync(gw.state.configPath).mode & 0o777).toString(8), '600');

  const stale = await admin.request('config.set', { raw: JSON.stringify(edited), baseHash: got.payload.hash });
  assert.equal(stale.ok, false);
  assert.equal(stale.error!.details.code, 'CONFIG_BASE_HASH_MISMATCH');
});

test('config.get shows ${VAR} references as stored, so a read-modify-write keeps them', async () => {
  process.env.OPENCLAW_TEST_ORIGIN = 'https://ui.example';
  try {
    gw.state.writeConfig(configWith({ port: 18999, controlUi: { allowedOrigins: ['${OPENCLAW_TEST_ORIGIN}'] } }));
    const got = await admin.request('config.get');
    assert.equal(got.payload.valid, true, JSON.stringify(got.payload.issues));
    assert.deepEqual(got.payload.config.gateway.controlUi.allowedOrigins, ['${OPENCLAW_TEST_ORIGIN}']);
    const set = await admin.request('config.set', { raw: JSON.stringify(got.payload.config), baseHash: got.payload.hash });
    assert.equal(set.ok, true, JSON.stringify(set.error));
    assert.deepEqual(JSON.parse(fs.readFileSync(gw.state.configPath, 'utf8')).gateway.controlUi.allowedOrigins, ['${OPENCLAW_TEST_ORIGIN}']);
  } finally {
    delete process.env.OPENCLAW_TEST_ORIGIN;
    gw.state.writeConfig(configWith({ port: 18999 }));
  }
});

test('config.patch merges (null deletes) and refuses invalid results', async () => {
  const { payload } = await admin.request('config.get');
  const patched = await admin.request('config.patch', { raw: '{gateway: {port: 19001, websocket: {keepAlive: 20}}}', baseHash: payload.hash });
  assert.equal(patched.ok, true, JSON.stringify(patched.error));
  const onDisk = JSON.parse(fs.readFileSync(gw.state.configPath, 'utf8'));
  assert.equal(onDisk.gateway.port, 19001);
  assert.equal(onDisk.gateway.websocket.keepAlive, 20);
  assert.equal(onDisk.gateway.mode, 'local');

  const bad = await admin.request('config.patch', { raw: '{gateway: {port: "nope"}}', baseHash: patched.payload.hash });
  assert.equal(bad.ok, false);
  assert.equal(bad.error!.details.code, 'CONFIG_WRITE_INVALID');
  assert.match(bad.error!.message, /gateway\.port/);
  // each issue names its key and the fix for that key, not a generic one
  assert.deepEqual(bad.error!.details.issues, [{ path: 'gateway.port', message: 'expected number, received string', fix: 'openclaw config set gateway.port <value>' }]);
  assert.equal(bad.error!.details.fix, 'openclaw config set gateway.port <value>');
  const syntax = await admin.request('config.patch', { raw: '{oops', baseHash: patched.payload.hash });
  assert.equal(syntax.error!.details.code, 'CONFIG_WRITE_INVALID');
});

test('config.schema returns a JSON schema', async () => {
  const r = await admin.request('config.schema');
  assert.equal(r.ok, true);
  assert.equal(r.payload.schema.type, 'object');
  assert.ok(r.payload.schema.properties.gateway);
});

test('logs.tail reads the JSONL log by cursor', async () => {
  const logFile = gw.services.logFile as string;
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.writeFileSync(logFile, '{"ts":"2026-12-04T06:00:00.000Z","msg":"one"}\nnot json\n');
  const first = await admin.request('logs.tail', { limit: 10 });
  assert.equal(first.ok, true, JSON.stringify(first.error));
  // Official clients read time/message; ours ts/msg: each line carries both.
  assert.deepEqual(first.payload.lines, ['{"ts":"2026-12-04T06:00:00.000Z","msg":"one","time":"2026-12-04T06:00:00.000Z","message":"one"}', 'not json']);
  fs.appendFileSync(logFile, '{"msg":"three"}\n');
  const next = await admin.request('logs.tail', { cursor: first.payload.cursor });
  assert.deepEqual(next.payload.lines, ['{"msg":"three","message":"three"}']);
  const tooMany = await admin.request('logs.tail', { limit: 100_000 });
  assert.match(tooMany.error!.message, /^invalid logs\.tail params: limit/);
});

test('device.pair.list never reveals tokens; rename and remove work by id prefix', async () => {
  const device = makeDevice();
  const token = pairDevice(gw.state.dir, device);
  const list = await admin.request('device.pair.list');
  assert.equal(list.ok, true);
  assert.ok(!JSON.stringify(list.payload).includes(token), 'no bearer in the list');
  const row = list.payload.paired.find((d: { deviceId: string }) => d.deviceId === device.deviceId);
  assert.equal(row.tokens[0].role, 'operator');
  assert.equal(row.tokens[0].token, undefined);

  const renamed = await admin.request('device.pair.rename', { deviceId: device.deviceId.slice(0, 12), name: 'Laptop' });
  assert.equal(renamed.ok, true, JSON.stringify(renamed.error));
  assert.equal(new PairingStore(gw.state.dir).getPaired(device.deviceId)?.displayName, 'Laptop');
  const removed = await admin.request('device.pair.remove', { deviceId: device.deviceId });
  assert.equal(removed.ok, true);
  assert.equal(new PairingStore(gw.state.dir).getPaired(device.deviceId), undefined);
  const unknown = await admin.request('device.pair.approve', { requestId: 'does-not-exist' });
  assert.equal(unknown.error!.details.code, 'PAIRING_REQUEST_NOT_FOUND');
});

test('revoking a device token closes its live socket, and the old token then gets 4008', async () => {
  const device = makeDevice();
  const live = await connectClient(gw.url, { token: TEST_TOKEN, device });
  const deviceToken = live.res.payload.auth.deviceToken as string;
  const revoked = await admin.request('device.token.revoke', { deviceId: device.deviceId, role: 'operator' });
  assert.equal(revoked.ok, true, JSON.stringify(revoked.error));
  assert.equal(revoked.payload.closedConnections, 1);
  assert.deepEqual(await live.client.closed, { code: 4008, reason: 'connect failed — device token mismatch' });
  const again = await connectClient(gw.url, { deviceToken, device });
  assert.equal(again.res.error!.details.code, 'AUTH_DEVICE_TOKEN_MISMATCH');
  assert.equal((await again.client.closed).code, 4008);
});

test('rotating returns the new bearer only to the device itself', async () => {
  const device = makeDevice();
  const self = await connectClient(gw.url, { token: TEST_TOKEN, device });
  const old = self.res.payload.auth.deviceToken as string;
  const byAdmin = await admin.request('device.token.rotate', { deviceId: device.deviceId, role: 'operator' });
  assert.equal(byAdmin.ok, true, JSON.stringify(byAdmin.error));
  assert.equal(byAdmin.payload.token, undefined);
  await self.client.closed;
  const next = await connectClient(gw.url, { token: TEST_TOKEN, device });
  const own = await next.client.request('device.token.rotate', { deviceId: device.deviceId, role: 'operator' });
  assert.equal(typeof own.payload.token, 'string');
  assert.notEqual(own.payload.token, old);
  const fresh = await connectClient(gw.url, { deviceToken: own.payload.token, device });
  assert.equal(fresh.res.ok, true, JSON.stringify(fresh.res.error));
  fresh.client.close();
  next.client.close();
});

test('dashboard bootstrap code: pairs the browser once, then AUTH_BOOTSTRAP_TOKEN_INVALID', async () => {
  const created = await admin.request('dashboard.bootstrap.create');
  assert.equal(created.ok, true);
  assert.ok(created.payload.expiresAtMs > Date.now() + 9 * 60_000);
  const file = path.join(gw.state.dir, 'devices', 'bootstrap.json');
  assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600');

  const browser = makeDevice();
  const ui = { bootstrapToken: created.payload.code as string, device: browser, clientId: 'openclaw-control-ui', mode: 'ui', scopes: ['operator.read', 'operator.write'] };
  // A remote browser (through a trusted proxy, so non-local) on an allowed HTTPS origin.
  gw.reconfigure(configWith({ trustedProxies: ['127.0.0.1'], controlUi: { allowedOrigins: ['https://dash.example'] } }));
  const origin = { origin: 'https://dash.example', headers: { 'x-forwarded-for': '203.0.113.4' } };
  const first = await connectClient(gw.url, ui, origin);
  assert.equal(first.res.ok, true, JSON.stringify(first.res.error));
  assert.equal(typeof first.res.payload.auth.deviceToken, 'string');
  assert.equal(new PairingStore(gw.state.dir).getPaired(browser.deviceId)?.approvedVia, 'bootstrap');
  first.client.close();

  const reused = await connectClient(gw.url, { ...ui, device: makeDevice() }, origin);
  assert.equal(reused.res.error!.details.code, 'AUTH_BOOTSTRAP_TOKEN_INVALID');
  assert.equal(reused.res.error!.message, 'unauthorized: bootstrap token invalid or expired');
});

test('gateway.restart.request asks the process to restart', async () => {
  const r = await admin.request('gateway.restart.request', { reason: 'test' });
  assert.equal(r.ok, true);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(gw.restarts, ['test']);
});

test('scopes: a read-only device cannot write config, and does not see pairing events', async () => {
  const reader = await connectClient(gw.url, { token: TEST_TOKEN, device: makeDevice(), scopes: ['operator.read'] });
  assert.equal(reader.res.ok, true);
  const denied = await reader.client.request('config.set', { raw: '{}' });
  assert.equal(denied.error!.code, 'FORBIDDEN');
  assert.equal(denied.error!.message, 'missing scope: operator.admin');
  const sys = await admin.request('system-event', { text: 'hello', idempotencyKey: 'sys-1' });
  assert.equal(sys.ok, true);
  const event = await admin.next((f) => f.event === 'system-event');
  assert.equal(event.payload.text, 'hello');
  // Anything the server sent the reader before admin's res precedes the reader's next res.
  await reader.client.request('health');
  assert.equal(reader.client.events('system-event').length, 0, 'system-event needs admin');
  reader.client.close();
});

test('side-effecting methods need an idempotency key and run once per key, even concurrently', async () => {
  const missing = await admin.request('test.increment', {});
  assert.equal(missing.error!.details.code, 'IDEMPOTENCY_KEY_REQUIRED');
  const before = runs;
  const [a, b] = await Promise.all([admin.request('test.increment', { idempotencyKey: 'k1', delayMs: 50 }), admin.request('test.increment', { idempotencyKey: 'k1', delayMs: 0 })]);
  assert.deepEqual(a.payload, b.payload);
  assert.equal(runs, before + 1);
  const later = await admin.request('test.increment', { idempotencyKey: 'k1' });
  assert.deepEqual(later.payload, a.payload);
  const other = await admin.request('test.increment', { idempotencyKey: 'k2' });
  assert.equal(other.payload.runs, before + 2);
});

test('a pairing-only operator may approve operators but not nodes, and manage only its own device', async () => {
  const pairer = await connectClient(gw.url, { token: TEST_TOKEN, device: makeDevice(), scopes: ['operator.pairing'] });
  assert.equal(pairer.res.ok, true);
  const store = new PairingStore(gw.state.dir);
  const node = makeDevice();
  const { request } = store.requestPairing({ deviceId: node.deviceId, publicKey: node.publicKey, role: 'node', scopes: [] });
  const denied = await pairer.client.request('device.pair.approve', { requestId: request.requestId });
  assert.equal(denied.error!.message, 'missing scope: operator.admin');
  const other = makeDevice();
  pairDevice(gw.state.dir, other);
  const notMine = await pairer.client.request('device.token.revoke', { deviceId: other.deviceId, role: 'operator' });
  assert.equal(notMine.error!.details.code, 'MISSING_SCOPE');
  const notMineRemove = await pairer.client.request('device.pair.remove', { deviceId: other.deviceId });
  assert.equal(notMineRemove.error!.details.code, 'MISSING_SCOPE');
  const byAdmin = await admin.request('device.pair.approve', { requestId: request.requestId });
  assert.equal(byAdmin.ok, true, JSON.stringify(byAdmin.error));
  pairer.client.close();
  // Device-less with the shared secret (the official CLI's devices remove): operator.pairing is enough.
  const owner = await connectClient(gw.url, { token: TEST_TOKEN, scopes: ['operator.pairing'] });
  const removed = await owner.client.request('device.pair.remove', { deviceId: other.deviceId });
  assert.equal(removed.ok, true, JSON.stringify(removed.error));
  owner.client.close();
});
