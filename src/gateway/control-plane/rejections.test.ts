// Every handshake rejection, provoked the way a user would, checked down to code, reason and
// details (real sockets; "remote" is simulated with a trusted proxy and X-Forwarded-For).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { PairingStore } from '../../auth/pairing-store.js';
import { truncateCloseReason } from '../../protocol/close-codes.js';
import { configWith, connectClient, makeDevice, pairDevice, startTestGateway, TestClient, TEST_TOKEN, type Frame, type TestGateway } from './test-support.js';

/** Through the trusted proxy (127.0.0.1) on behalf of a remote client. */
const REMOTE = { headers: { 'x-forwarded-for': '203.0.113.9' } };

/** `gw` trusts no proxy (so direct loopback clients are local); `proxied` trusts 127.0.0.1. */
let gw: TestGateway;
let proxied: TestGateway;
before(async () => {
  gw = await startTestGateway();
  proxied = await startTestGateway({ config: configWith({ trustedProxies: ['127.0.0.1'] }) });
});
after(async () => {
  await gw.close();
  await proxied.close();
});

function assertRejection(res: Frame, errorCode: string, detailCode: string, message: string | RegExp): void {
  assert.equal(res.ok, false, 'connect should fail');
  assert.equal(res.error!.code, errorCode);
  if (typeof message === 'string') assert.equal(res.error!.message, message);
  else assert.match(res.error!.message, message);
  assert.equal(res.error!.details.code, detailCode);
  assert.equal(typeof res.error!.details.cause, 'string');
  assert.equal(typeof res.error!.details.fix, 'string');
  assert.equal(typeof res.error!.details.recommendedNextStep, 'string');
}

test('no token → AUTH_TOKEN_MISSING with the CLI hint, close 1008', async () => {
  const { client, res } = await connectClient(gw.url, { device: makeDevice() });
  assertRejection(res, 'INVALID_REQUEST', 'AUTH_TOKEN_MISSING', 'unauthorized: gateway token missing (set gateway.remote.token to match gateway.auth.token)');
  assert.equal(res.error!.details.authReason, 'token_missing');
  assert.deepEqual(await client.closed, { code: 1008, reason: 'unauthorized: gateway token missing (set gateway.remote.token to match gateway.auth.token)' });
});

test('wrong token → AUTH_TOKEN_MISMATCH, close 1008 with the (truncated) message', async () => {
  const { client, res } = await connectClient(gw.url, { token: 'nope', device: makeDevice(), clientId: 'test', mode: 'test' });
  assertRejection(res, 'INVALID_REQUEST', 'AUTH_TOKEN_MISMATCH', 'unauthorized: gateway token mismatch (provide gateway auth token)');
  const closed = await client.closed;
  assert.equal(closed.code, 1008);
  assert.equal(closed.reason, 'unauthorized: gateway token mismatch (provide gateway auth token)');
});

test('stale (revoked) device token → close 4008 "connect failed — device token mismatch"', async () => {
  const device = makeDevice();
  const first = await connectClient(gw.url, { token: TEST_TOKEN, device });
  assert.equal(first.res.ok, true);
  first.client.close();
  const store = new PairingStore(gw.state.dir);
  assert.ok(store.rotateToken(device.deviceId, 'operator'));
  const { client, res } = await connectClient(gw.url, { deviceToken: first.res.payload.auth.deviceToken, device });
  assertRejection(res, 'INVALID_REQUEST', 'AUTH_DEVICE_TOKEN_MISMATCH', 'connect failed — device token mismatch');
  assert.equal(res.error!.details.authReason, 'device_token_mismatch');
  assert.deepEqual(await client.closed, { code: 4008, reason: 'connect failed — device token mismatch' });
});

test('new device from a remote address → NOT_PAIRED with requestId; approval lets it in', async () => {
  const device = makeDevice();
  const operator = makeDevice();
  pairDevice(proxied.state.dir, operator);
  const watcher = await connectClient(proxied.url, { token: TEST_TOKEN, device: operator }, { headers: { 'x-forwarded-for': '203.0.113.1' } });
  assert.equal(watcher.res.ok, true, JSON.stringify(watcher.res.error));
  const { client, res } = await connectClient(proxied.url, { token: TEST_TOKEN, device }, REMOTE);
  assertRejection(res, 'NOT_PAIRED', 'PAIRING_REQUIRED', 'pairing required: device is not approved yet');
  const d = res.error!.details;
  assert.match(d.requestId, /^[0-9a-f-]{36}$/);
  assert.equal(d.reason, 'not-paired');
  assert.equal(d.deviceId, device.deviceId);
  assert.equal(d.recommendedNextStep, 'wait_then_retry');
  assert.equal(d.fix, `openclaw devices approve ${d.requestId}`);
  assert.equal(d.pauseReconnect, false);
  assert.deepEqual(await client.closed, { code: 1008, reason: `pairing required: device is not approved yet (requestId: ${d.requestId})` });
  const requested = await watcher.client.next((f) => f.event === 'device.pair.requested');
  assert.equal(requested.payload.requestId, d.requestId);
  assert.equal(requested.payload.remoteIp, '203.0.113.9');

  // The same device retrying refreshes the one request instead of piling up new ones.
  const retry = await connectClient(proxied.url, { token: TEST_TOKEN, device }, REMOTE);
  assert.equal(retry.res.error!.details.requestId, d.requestId);

  const approved = await watcher.client.request('device.pair.approve', { requestId: d.requestId, idempotencyKey: 'approve-1' });
  assert.equal(approved.ok, true, JSON.stringify(approved.error));
  const resolved = await watcher.client.next((f) => f.event === 'device.pair.resolved');
  assert.deepEqual({ ...resolved.payload, ts: 0 }, { requestId: d.requestId, deviceId: device.deviceId, decision: 'approved', ts: 0 });
  const after = await connectClient(proxied.url, { token: TEST_TOKEN, device }, REMOTE);
  assert.equal(after.res.ok, true, JSON.stringify(after.res.error));
  after.client.close();
  watcher.client.close();
});

test('a local device is paired silently and never asked again for the same or fewer scopes', async () => {
  const device = makeDevice();
  // The trusted proxy's own address without forwarding headers is a direct local client.
  const first = await connectClient(proxied.url, { token: TEST_TOKEN, device, scopes: ['operator.read', 'operator.write'] });
  assert.equal(first.res.ok, true);
  first.client.close();
  // Through the proxy on behalf of a remote client.
  const remote = { headers: { 'x-forwarded-for': '203.0.113.50' } };
  const fewer = await connectClient(proxied.url, { token: TEST_TOKEN, device, scopes: ['operator.read'] }, remote);
  assert.equal(fewer.res.ok, true, 'fewer scopes from anywhere: no new approval');
  fewer.client.close();
  const more = await connectClient(proxied.url, { token: TEST_TOKEN, device, scopes: ['operator.admin'] }, remote);
  assert.equal(more.res.error!.details.reason, 'scope-upgrade');
});

test('wrong origin → CONTROL_UI_ORIGIN_NOT_ALLOWED', async () => {
  const { client, res } = await connectClient(gw.url, { token: TEST_TOKEN, device: makeDevice(), clientId: 'openclaw-control-ui', mode: 'ui' }, { origin: 'https://evil.example' });
  assertRejection(res, 'INVALID_REQUEST', 'CONTROL_UI_ORIGIN_NOT_ALLOWED', /^origin not allowed/);
  assert.match(res.error!.details.fix, /allowedOrigins/);
  const closed = await client.closed;
  assert.equal(closed.code, 1008);
  assert.match(closed.reason, /^origin not allowed/);
});

test('plain-HTTP LAN origin for the Control UI without a device → CONTROL_UI_DEVICE_IDENTITY_REQUIRED; allowInsecureAuth lets the token in', async () => {
  const lan = await startTestGateway({ config: configWith({ controlUi: { allowedOrigins: ['http://192.168.1.20:18789'] } }) });
  try {
    const ui = { token: TEST_TOKEN, clientId: 'openclaw-control-ui', mode: 'ui', scopes: ['operator.read'] };
    const { client, res } = await connectClient(lan.url, ui, { origin: 'http://192.168.1.20:18789' });
    assertRejection(res, 'INVALID_REQUEST', 'CONTROL_UI_DEVICE_IDENTITY_REQUIRED', 'control ui requires HTTPS or localhost (secure context)');
    assert.equal((await client.closed).code, 1008);

    lan.reconfigure(configWith({ controlUi: { allowedOrigins: ['http://192.168.1.20:18789'], allowInsecureAuth: true } }));
    const ok = await connectClient(lan.url, ui, { origin: 'http://192.168.1.20:18789' });
    assert.equal(ok.res.ok, true, JSON.stringify(ok.res.error));
    assert.deepEqual(ok.res.payload.auth.scopes, ['operator.read'], 'allowInsecureAuth keeps the scopes');
    ok.client.close();
  } finally {
    await lan.close();
  }
});

test('a peer that stops answering pings is closed 4008 "closed idle"', async () => {
  const idle = await startTestGateway({ config: configWith({ websocket: { keepAlive: 1 } }) });
  try {
    const { client, res } = await connectClient(idle.url, { token: TEST_TOKEN, device: makeDevice() }, { autoPong: false });
    assert.equal(res.ok, true);
    assert.deepEqual(await client.closed, { code: 4008, reason: 'closed idle' });
  } finally {
    await idle.close();
  }
});

test('oversized first frame → close 1009 "preauth payload too large", no res', async () => {
  const client = await TestClient.open(gw.url);
  await client.challenge();
  client.send({ type: 'req', id: '1', method: 'connect', params: { pad: 'x'.repeat(70 * 1024) } });
  assert.deepEqual(await client.closed, { code: 1009, reason: 'preauth payload too large' });
  assert.equal(client.frames.filter((f) => f.type === 'res').length, 0);
});

test('a huge first frame is cut off without buffering it', async () => {
  const client = await TestClient.open(gw.url);
  await client.challenge();
  client.send('x'.repeat(5 * 1024 * 1024));
  const closed = await client.closed;
  assert.ok(closed.code === 1009 || closed.code === 1006, `got ${closed.code}`);
});

test('garbage first frame → close 1008 "invalid request frame" and no res', async () => {
  for (const garbage of ['not json', '{"type":"event","event":"x"}', '[]', '{"type":"req","id":"1","method":"connect","extra":1}']) {
    const client = await TestClient.open(gw.url);
    await client.challenge();
    client.send(garbage);
    assert.deepEqual(await client.closed, { code: 1008, reason: 'invalid request frame' }, garbage);
    assert.equal(client.frames.filter((f) => f.type === 'res').length, 0);
  }
});

test('first request other than connect → INVALID_REQUEST res, then 1008', async () => {
  const client = await TestClient.open(gw.url);
  await client.challenge();
  client.send({ type: 'req', id: 'h1', method: 'health' });
  const res = await client.next((f) => f.type === 'res');
  assertRejection(res, 'INVALID_REQUEST', 'FIRST_REQUEST_NOT_CONNECT', 'invalid handshake: first request must be connect');
  assert.equal(res.id, 'h1');
  assert.deepEqual(await client.closed, { code: 1008, reason: 'invalid handshake: first request must be connect' });
});

test('invalid connect params → INVALID_REQUEST "invalid connect params: …", then 1008', async () => {
  const { client, res } = await connectClient(gw.url, { token: TEST_TOKEN, mutate: (p) => (p.client.id = 'not-a-client') });
  assertRejection(res, 'INVALID_REQUEST', 'INVALID_CONNECT_PARAMS', /^invalid connect params: client\.id: /);
  const closed = await client.closed;
  assert.equal(closed.code, 1008);
  assert.equal(closed.reason, truncateCloseReason(res.error!.message), 'the close reason is the message, cut to 120 bytes');
  assert.match(closed.reason, /^invalid connect params: client\.id: /);
  assert.ok(Buffer.byteLength(closed.reason) <= 120);
});

test('protocol mismatch → 1002 with details.expectedProtocol; nodes may speak 3', async () => {
  const { client, res } = await connectClient(gw.url, { token: TEST_TOKEN, minProtocol: 5, maxProtocol: 6 });
  assertRejection(res, 'INVALID_REQUEST', 'PROTOCOL_MISMATCH', 'protocol mismatch');
  assert.equal(res.error!.details.expectedProtocol, 4);
  assert.deepEqual(await client.closed, { code: 1002, reason: 'protocol mismatch' });

  const old = await connectClient(gw.url, { token: TEST_TOKEN, minProtocol: 3, maxProtocol: 3 });
  assert.equal(old.res.error!.details.code, 'PROTOCOL_MISMATCH', 'an operator on v3 is refused');
  const node = await connectClient(gw.url, { token: TEST_TOKEN, device: makeDevice(), role: 'node', mode: 'node', clientId: 'node-host', scopes: [], minProtocol: 3, maxProtocol: 3 });
  assert.equal(node.res.ok, true, JSON.stringify(node.res.error));
  assert.equal(node.res.payload.protocol, 3);
  node.client.close();
});

test('invalid role → 1008 "invalid role"', async () => {
  const { client, res } = await connectClient(gw.url, { token: TEST_TOKEN, role: 'root' });
  assertRejection(res, 'INVALID_REQUEST', 'INVALID_ROLE', 'invalid role');
  assert.deepEqual(await client.closed, { code: 1008, reason: 'invalid role' });
});

test('device proof failures map to DEVICE_AUTH_* codes', async () => {
  const device = makeDevice();
  const cases: Array<[string, (p: Record<string, any>) => void]> = [
    ['DEVICE_AUTH_NONCE_MISMATCH', (p) => (p.device.nonce = '00000000-0000-4000-8000-000000000000')],
    ['DEVICE_AUTH_SIGNATURE_INVALID', (p) => (p.scopes = ['operator.read'])],
    ['DEVICE_AUTH_DEVICE_ID_MISMATCH', (p) => (p.device.id = makeDevice().deviceId)],
    ['DEVICE_AUTH_SIGNATURE_EXPIRED', (p) => (p.device.signedAt = Date.now() - 10 * 60_000)],
    ['DEVICE_AUTH_PUBLIC_KEY_INVALID', (p) => (p.device.publicKey = 'AAAA')],
  ];
  for (const [code, mutate] of cases) {
    const { client, res } = await connectClient(gw.url, { token: TEST_TOKEN, device, mutate });
    assert.equal(res.error?.details.code, code, JSON.stringify(res.error));
    assert.equal((await client.closed).code, 1008);
  }
});

test('node without a device identity → DEVICE_IDENTITY_REQUIRED', async () => {
  const { client, res } = await connectClient(gw.url, { token: TEST_TOKEN, role: 'node', mode: 'node', clientId: 'node-host', scopes: [] });
  assertRejection(res, 'NOT_PAIRED', 'DEVICE_IDENTITY_REQUIRED', 'device identity required');
  assert.deepEqual(await client.closed, { code: 1008, reason: 'device identity required' });
});

test('10 wrong tokens from one remote IP lock it out: AUTH_RATE_LIMITED with retryAfterMs, even for the right token', async () => {
  const ip = { headers: { 'x-forwarded-for': '198.51.100.77' } };
  for (let i = 0; i < 10; i++) {
    const { res } = await connectClient(proxied.url, { token: `wrong-${i}` }, ip);
    assert.equal(res.error!.details.code, 'AUTH_TOKEN_MISMATCH');
  }
  const { client, res } = await connectClient(proxied.url, { token: TEST_TOKEN }, ip);
  assertRejection(res, 'INVALID_REQUEST', 'AUTH_RATE_LIMITED', 'unauthorized: too many failed authentication attempts (retry later)');
  assert.equal(res.error!.retryable, true);
  assert.ok(res.error!.retryAfterMs! > 250_000 && res.error!.retryAfterMs! <= 300_000);
  assert.equal((await client.closed).code, 1008);
  const other = await connectClient(proxied.url, { token: TEST_TOKEN }, { headers: { 'x-forwarded-for': '198.51.100.78' } });
  assert.equal(other.res.ok, true, 'another address is not affected');
  other.client.close();
});

test('loopback is never locked out (wrong tokens are only slowed down), except for browser origins', async () => {
  // Past 10, each answer is held longer than the last (250 ms, 500 ms, …), but none is a lockout.
  for (let i = 0; i < 12; i++) {
    const { res } = await connectClient(gw.url, { token: `wrong-${i}` });
    assert.equal(res.error!.details.code, 'AUTH_TOKEN_MISMATCH');
  }
  const owner = await connectClient(gw.url, { token: TEST_TOKEN });
  assert.equal(owner.res.ok, true, JSON.stringify(owner.res.error));
  owner.client.close();
  // A browser origin is locked out after 10 (each from its own loopback address, so no slow-down).
  const origin = (n: number) => ({ origin: 'http://127.0.0.1:1234', localAddress: `127.0.0.${10 + n}` });
  for (let i = 0; i < 10; i++) {
    const { res } = await connectClient(gw.url, { token: `wrong-${i}`, clientId: 'openclaw-control-ui', mode: 'ui' }, origin(i));
    assert.equal(res.error!.details.code, 'AUTH_TOKEN_MISMATCH');
  }
  const { res } = await connectClient(gw.url, { token: TEST_TOKEN, clientId: 'openclaw-control-ui', mode: 'ui' }, origin(10));
  assert.equal(res.error!.details.code, 'AUTH_RATE_LIMITED');
});

test('handshake timeout closes a silent client 1008 "handshake timeout"', async () => {
  const quick = await startTestGateway({ handshakeTimeoutMs: 200 });
  try {
    const client = await TestClient.open(quick.url);
    assert.deepEqual(await client.closed, { code: 1008, reason: 'handshake timeout' });
  } finally {
    await quick.close();
  }
});

test('password mode: missing and wrong passwords', async () => {
  const pw = await startTestGateway({ config: { gateway: { mode: 'local', auth: { mode: 'password', password: 'hunter2-hunter2' } } } as never });
  try {
    const missing = await connectClient(pw.url, { clientId: 'openclaw-control-ui', mode: 'ui', device: makeDevice() }, { origin: `http://127.0.0.1:${pw.port}` });
    assert.equal(missing.res.error!.message, 'unauthorized: gateway password missing (open the dashboard URL and paste the password in Control UI settings)');
    assert.equal(missing.res.error!.details.canRetryWithDeviceToken, false);
    // neither a device nor a password: the missing identity is the problem (reference §3.4 step 6)
    const nothing = await connectClient(pw.url, { clientId: 'openclaw-control-ui', mode: 'ui' }, { origin: `http://127.0.0.1:${pw.port}` });
    assert.equal(nothing.res.error!.details.code, 'DEVICE_IDENTITY_REQUIRED');
    assert.deepEqual(await nothing.client.closed, { code: 1008, reason: 'device identity required' });
    const wrong = await connectClient(pw.url, { password: 'nope' });
    assert.equal(wrong.res.error!.details.code, 'AUTH_PASSWORD_MISMATCH');
    const ok = await connectClient(pw.url, { password: 'hunter2-hunter2', device: makeDevice() });
    assert.equal(ok.res.ok, true);
    ok.client.close();
  } finally {
    await pw.close();
  }
});

test('after hello: garbage gets an error res and the socket stays open', async () => {
  const { client, res } = await connectClient(gw.url, { token: TEST_TOKEN, device: makeDevice() });
  assert.equal(res.ok, true);
  client.send('garbage');
  const bad = await client.next((f) => f.type === 'res' && f.id === 'invalid');
  assert.match(bad.error!.message, /^invalid request frame: /);
  client.send({ type: 'event', event: 'x', id: 'e1' });
  const unknown = await client.request('no.such.method');
  assert.equal(unknown.error!.message, 'unknown method: no.such.method');
  assert.equal(unknown.error!.details.code, 'UNKNOWN_METHOD');
  const badParams = await client.request('health', { probe: 'yes' });
  assert.match(badParams.error!.message, /^invalid health params: probe: /);
  const health = await client.request('health');
  assert.equal(health.ok, true, 'still serving');
  client.close();
});

test('trusted-proxy mode: the proxy-authenticated Control UI connects without a device, without admin', async () => {
  const config = {
    gateway: {
      mode: 'local',
      auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-auth-user', allowLoopback: true } },
      trustedProxies: ['127.0.0.1'],
      controlUi: { allowedOrigins: ['https://ui.example'] },
    },
  };
  const tp = await startTestGateway({ config: config as never });
  try {
    const ui = { clientId: 'openclaw-control-ui', mode: 'ui', scopes: ['operator.admin', 'operator.read'] };
    const headers = { 'x-forwarded-for': '203.0.113.7' };
    const ok = await connectClient(tp.url, ui, { origin: 'https://ui.example', headers: { ...headers, 'x-auth-user': 'ann@example.com' } });
    assert.equal(ok.res.ok, true, JSON.stringify(ok.res.error));
    assert.deepEqual(ok.res.payload.auth.scopes, ['operator.read']);
    ok.client.close();
    const { client, res } = await connectClient(tp.url, ui, { origin: 'https://ui.example', headers });
    assertRejection(res, 'INVALID_REQUEST', 'AUTH_UNAUTHORIZED', 'unauthorized: trusted proxy request is missing the user header x-auth-user');
    assert.equal((await client.closed).code, 1008);
  } finally {
    await tp.close();
  }
});
