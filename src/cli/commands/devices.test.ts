// `openclaw devices …` as a user runs it (a real CLI process) with the gateway down: changes are
// direct edits of <state>/devices. The gateway-up path is in devices-rpc.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { freePort, localConfig, makeStateDir, runCli } from '../../testing/harness.js';
import { PairingStore, type PairingRequestInput } from '../../auth/pairing-store.js';

const TOKEN = 'test-token-0123456789abcdef0123456789';

function fakeRequest(n: number, over: Partial<PairingRequestInput> = {}): PairingRequestInput {
  const publicKey = crypto.createHash('sha256').update(`k${n}`).digest('base64url');
  const deviceId = crypto.createHash('sha256').update(publicKey).digest('hex');
  return { deviceId, publicKey, role: 'operator', scopes: ['operator.read'], displayName: `phone ${n}`, clientId: 'openclaw-ios', remoteIp: '192.168.1.20', ...over };
}

test('gateway down: list, bare approve, approve --latest, rename, rotate, revoke, remove, clear edit the store directly', async (t) => {
  const sd = makeStateDir(localConfig(TOKEN));
  t.after(sd.cleanup);
  const env = { ...sd.env, OPENCLAW_GATEWAY_PORT: String(await freePort()) }; // nothing listens there
  const store = new PairingStore(sd.dir);
  const older = store.requestPairing(fakeRequest(1)).request;
  await new Promise((r) => setTimeout(r, 5));
  const newer = store.requestPairing(fakeRequest(2)).request;

  const list = await runCli(['devices', 'list'], { env });
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /Pending \(2\):/);
  assert.match(list.stdout, new RegExp(newer.requestId));
  assert.match(list.stdout, /192\.168\.1\.20/);
  assert.match(list.stdout, /\(gateway not running: read .*devices directly\)/);

  const bare = await runCli(['devices', 'approve'], { env });
  assert.equal(bare.code, 1);
  assert.match(bare.stdout, new RegExp(older.requestId));
  assert.match(bare.stderr, new RegExp(`fix: openclaw devices approve ${newer.requestId}`));

  const latest = await runCli(['devices', 'approve', '--latest', '--json'], { env });
  assert.equal(latest.code, 0, latest.stderr);
  const approved = JSON.parse(latest.stdout);
  assert.equal(approved.via, 'direct');
  assert.equal(approved.requestId, newer.requestId);
  assert.equal(JSON.stringify(approved).includes(store.getPaired(newer.deviceId)!.tokens.operator.token), false, 'no token in output');

  const byDevice = await runCli(['devices', 'approve', older.deviceId.slice(0, 10)], { env });
  assert.equal(byDevice.code, 0, byDevice.stderr);
  assert.match(byDevice.stdout, /^Approved phone 1 /);
  assert.match(byDevice.stdout, /\(gateway not running: changed .*devices directly\)/);

  const listJson = JSON.parse((await runCli(['devices', 'list', '--json'], { env })).stdout);
  assert.equal(listJson.pending.length, 0);
  assert.equal(listJson.paired.length, 2);
  assert.equal(JSON.stringify(listJson).includes('"token"'), false, 'list never shows bearer tokens');

  assert.equal((await runCli(['devices', 'rename', '--device', older.deviceId, '--name', 'work phone'], { env })).code, 0);
  assert.equal(store.getPaired(older.deviceId)?.displayName, 'work phone');
  const before = store.getPaired(older.deviceId)!.tokens.operator.token;
  const rotate = await runCli(['devices', 'rotate', '--device', older.deviceId, '--role', 'operator', '--scope', 'operator.read', '--scope', 'operator.write', '--json'], { env });
  assert.equal(rotate.code, 0, rotate.stderr);
  assert.deepEqual(JSON.parse(rotate.stdout).scopes, ['operator.read', 'operator.write']);
  assert.notEqual(store.getPaired(older.deviceId)!.tokens.operator.token, before);
  assert.equal((await runCli(['devices', 'revoke', '--device', older.deviceId, '--role', 'operator'], { env })).code, 0);
  assert.ok(store.getPaired(older.deviceId)!.tokens.operator.revokedAtMs);

  const missing = await runCli(['devices', 'remove', 'ffffffffffff'], { env });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^unknown device: ffffffffffff\nfix: openclaw devices list/);
  assert.equal((await runCli(['devices', 'remove', older.deviceId], { env })).code, 0);
  assert.equal(store.getPaired(older.deviceId), undefined);

  const noYes = await runCli(['devices', 'clear'], { env });
  assert.equal(noYes.code, 2);
  const clear = await runCli(['devices', 'clear', '--yes', '--json'], { env });
  assert.deepEqual(JSON.parse(clear.stdout), { ok: true, version: 1, via: 'direct', removedPending: 0, removedPaired: 1 });
});
