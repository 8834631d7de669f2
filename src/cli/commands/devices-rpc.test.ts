// `openclaw devices …` against a running gateway: changes go over RPC, so connected operators
// receive device.pair.* events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { eventually, freePort, localConfig, makeStateDir, runCli } from '../../testing/harness.js';
import { silentLogger } from '../../logging/types.js';
import { startGateway } from '../../gateway/server.js';
import { PairingStore, type PairingRequestInput } from '../../auth/pairing-store.js';
import { GatewayClient } from '../../client/gateway-client.js';

const TOKEN = 'test-token-0123456789abcdef0123456789';

function fakeRequest(n: number): PairingRequestInput {
  const publicKey = crypto.createHash('sha256').update(`k${n}`).digest('base64url');
  const deviceId = crypto.createHash('sha256').update(publicKey).digest('hex');
  return { deviceId, publicKey, role: 'operator', scopes: ['operator.read'], displayName: `phone ${n}`, clientId: 'openclaw-ios', remoteIp: '192.168.1.20' };
}

test('gateway up: approve goes over RPC and connected operators see device.pair.resolved', async (t) => {
  const sd = makeStateDir(localConfig(TOKEN));
  const gw = await startGateway({ env: sd.env, flags: { port: await freePort() }, log: silentLogger });
  const watcher = new GatewayClient({ url: gw.url, token: TOKEN, stateDir: sd.dir });
  t.after(async () => {
    await watcher.close();
    await gw.close();
    sd.cleanup();
  });
  const events: Array<{ name: string; payload: any }> = [];
  watcher.on('event', (name, payload) => events.push({ name, payload }));
  await watcher.connect();
  const env = { ...sd.env, OPENCLAW_GATEWAY_URL: gw.url };
  const pending = new PairingStore(sd.dir).requestPairing(fakeRequest(7)).request;

  const list = await runCli(['devices', 'list', '--json'], { env });
  assert.equal(list.code, 0, list.stderr);
  const listed = JSON.parse(list.stdout);
  assert.equal(listed.via, 'gateway');
  assert.deepEqual(listed.pending.map((p: { requestId: string }) => p.requestId), [pending.requestId]);

  const approve = await runCli(['devices', 'approve', pending.requestId], { env });
  assert.equal(approve.code, 0, approve.stderr);
  assert.doesNotMatch(approve.stdout, /gateway not running/);
  const resolved = await eventually(() => events.find((e) => e.name === 'device.pair.resolved' && e.payload.requestId === pending.requestId));
  assert.equal(resolved.payload.decision, 'approved');
  assert.ok(new PairingStore(sd.dir).getPaired(pending.deviceId));

  const unknown = await runCli(['devices', 'reject', 'no-such-request', '--json'], { env });
  assert.equal(unknown.code, 1);
  assert.equal(JSON.parse(unknown.stdout).code, 'PAIRING_REQUEST_NOT_FOUND');
});
