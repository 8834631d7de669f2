// The happy path of the handshake and the first methods, over real sockets.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { connectClient, connectParams, makeDevice, startTestGateway, TestClient, TEST_TOKEN, type TestGateway } from './test-support.js';

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.close();
});

test('challenge → signed connect with the gateway token → hello-ok per reference §3.5', async () => {
  const client = await TestClient.open(gw.url);
  const nonce = await client.challenge();
  assert.match(nonce, /^[0-9a-f-]{36}$/);
  const challenge = client.events('connect.challenge')[0];
  assert.equal(typeof challenge.payload.ts, 'number');
  client.close();

  const device = makeDevice();
  const { client: c2, res } = await connectClient(gw.url, { token: TEST_TOKEN, device });
  assert.equal(res.ok, true, JSON.stringify(res.error));
  const hello = res.payload;
  assert.equal(hello.type, 'hello-ok');
  assert.equal(hello.protocol, 4);
  assert.equal(hello.server.version, '0.0.0-test');
  assert.match(hello.server.connId, /^[0-9a-f-]{36}$/);
  assert.ok(hello.features.methods.includes('health'));
  assert.ok(hello.features.events.includes('tick'));
  assert.deepEqual(hello.policy, { maxPayload: 26214400, maxBufferedBytes: 52428800, tickIntervalMs: 30000, attachments: { maxBytes: 20971520, maxImageBytes: 6291456 } });
  assert.equal(hello.auth.role, 'operator');
  assert.deepEqual(hello.auth.scopes, ['operator.admin', 'operator.read', 'operator.write', 'operator.approvals', 'operator.pairing']);
  assert.equal(typeof hello.auth.deviceToken, 'string');
  assert.equal(hello.snapshot.authMode, 'token');
  assert.equal(hello.snapshot.stateDir, gw.state.dir);
  assert.equal(hello.snapshot.configPath, gw.state.configPath);
  assert.deepEqual(hello.snapshot.sessionDefaults, { defaultAgentId: 'main', mainKey: 'main', mainSessionKey: 'agent:main:main', scope: 'per-sender' });
  assert.equal(typeof hello.snapshot.uptimeMs, 'number');
  assert.ok(Array.isArray(hello.snapshot.presence));
  assert.equal(hello.resume, undefined, 'only resume clients see the resume field');

  const health = await c2.request('health');
  assert.equal(health.ok, true);
  assert.equal(health.payload.ok, true);
  assert.equal(health.payload.connections.authenticated >= 1, true);
  c2.close();
});

test('a paired device reconnects with only its device token, and gets the same token back', async () => {
  const device = makeDevice();
  const first = await connectClient(gw.url, { token: TEST_TOKEN, device });
  const deviceToken = first.res.payload.auth.deviceToken as string;
  first.client.close();
  const again = await connectClient(gw.url, { deviceToken, device });
  assert.equal(again.res.ok, true, JSON.stringify(again.res.error));
  assert.equal(again.res.payload.auth.deviceToken, deviceToken);
  assert.equal(again.res.payload.auth.method, 'device-token');
  const narrow = await connectClient(gw.url, { deviceToken, device, scopes: ['operator.read'] });
  assert.equal(narrow.res.ok, true, JSON.stringify(narrow.res.error));
  assert.deepEqual(narrow.res.payload.auth.scopes, ['operator.read'], "the session's granted scopes, not the token's");
  narrow.client.close();
  const status = await again.client.request('status');
  assert.equal(status.ok, true);
  assert.equal(status.payload.caller.deviceId, device.deviceId);
  again.client.close();
});

test("device-less cli/cli on loopback with the token keeps its scopes (the official CLI's --url/--token path), and hello-ok says how it authenticated", async () => {
  const { client, res } = await connectClient(gw.url, { token: TEST_TOKEN, scopes: ['operator.read'] });
  assert.equal(res.ok, true, JSON.stringify(res.error));
  assert.deepEqual(res.payload.auth.scopes, ['operator.read']);
  assert.equal(res.payload.auth.method, 'token');
  assert.equal((await client.request('health')).ok, true);
  client.close();
});

test('device-less token connect of any other client is allowed but gets no scopes (default deny)', async () => {
  const { client, res } = await connectClient(gw.url, { token: TEST_TOKEN, clientId: 'openclaw-tui', mode: 'ui' });
  assert.equal(res.ok, true, JSON.stringify(res.error));
  assert.deepEqual(res.payload.auth.scopes, []);
  assert.equal(res.payload.auth.deviceToken, undefined);
  // host paths are for operator.admin only
  assert.equal(res.payload.snapshot.configPath, undefined);
  assert.equal(res.payload.snapshot.stateDir, undefined);
  const health = await client.request('health');
  assert.equal(health.ok, false);
  assert.equal(health.error!.code, 'FORBIDDEN');
  assert.equal(health.error!.message, 'missing scope: operator.read');
  assert.equal(health.error!.details.code, 'MISSING_SCOPE');
  assert.equal(health.error!.details.missingScope, 'operator.read');
  assert.deepEqual(health.error!.details.requiredScopes, ['operator.read']);
  client.close();
});

test('the local backend self-connect keeps its scopes without a device', async () => {
  const { client, res } = await connectClient(gw.url, { token: TEST_TOKEN, clientId: 'gateway-client', mode: 'backend', scopes: ['operator.read'] });
  assert.equal(res.ok, true, JSON.stringify(res.error));
  assert.deepEqual(res.payload.auth.scopes, ['operator.read']);
  const health = await client.request('health');
  assert.equal(health.ok, true);
  client.close();
  // ids match case-insensitively; a browser (any Origin) never gets the exemption
  const upper = await connectClient(gw.url, { token: TEST_TOKEN, clientId: 'Gateway-Client', mode: 'BACKEND', scopes: ['operator.read'] });
  assert.deepEqual(upper.res.payload.auth.scopes, ['operator.read'], JSON.stringify(upper.res.error));
  upper.client.close();
  const browser = await connectClient(gw.url, { token: TEST_TOKEN, clientId: 'gateway-client', mode: 'backend', scopes: ['operator.read'] }, { origin: `http://127.0.0.1:${gw.port}` });
  assert.equal(browser.res.ok, true, JSON.stringify(browser.res.error));
  assert.deepEqual(browser.res.payload.auth.scopes, []);
  browser.client.close();
});

test('requests pipelined behind connect are answered after hello-ok, in order', async () => {
  const client = await TestClient.open(gw.url);
  const nonce = await client.challenge();
  client.send({ type: 'req', id: 'c', method: 'connect', params: connectParams(nonce, { token: TEST_TOKEN, device: makeDevice() }) });
  client.send({ type: 'req', id: 'h', method: 'health' });
  client.send({ type: 'req', id: 's', method: 'status' });
  await client.next((f) => f.id === 's');
  assert.deepEqual(client.frames.filter((f) => f.type === 'res').map((f) => [f.id, f.ok]), [['c', true], ['h', true], ['s', true]]);
  client.close();
});
