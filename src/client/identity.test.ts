import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { makeStateDir } from '../testing/harness.js';
import { buildDeviceAuthPayloadV3 } from '../protocol/device-auth.js';
import { verifyDeviceProof } from '../auth/device-proof.js';
import { DeviceTokenStore, identityPaths, IdentityFileError, loadOrCreateDeviceIdentity, normalizeGatewayUrl } from './identity.js';

test('identity is created once (0600 file in a 0700 dir) and reloaded unchanged', (t) => {
  const sd = makeStateDir();
  t.after(sd.cleanup);
  const a = loadOrCreateDeviceIdentity(sd.dir);
  const paths = identityPaths(sd.dir);
  assert.equal(fs.statSync(paths.device).mode & 0o777, 0o600);
  assert.equal(fs.statSync(paths.dir).mode & 0o777, 0o700);
  const file = JSON.parse(fs.readFileSync(paths.device, 'utf8'));
  assert.equal(file.version, 1);
  assert.equal(file.deviceId, a.deviceId);
  assert.match(file.privateKeyPem, /BEGIN PRIVATE KEY/);
  assert.match(file.publicKeyPem, /BEGIN PUBLIC KEY/);
  assert.equal(typeof file.createdAtMs, 'number');
  const b = loadOrCreateDeviceIdentity(sd.dir);
  assert.equal(b.deviceId, a.deviceId);
  assert.equal(b.publicKey, a.publicKey);
  assert.match(a.deviceId, /^[0-9a-f]{64}$/);
  assert.match(a.publicKey, /^[A-Za-z0-9_-]{43}$/);
});

test('signatures over the v3 payload verify with the server-side verifier', (t) => {
  const sd = makeStateDir();
  t.after(sd.cleanup);
  const id = loadOrCreateDeviceIdentity(sd.dir);
  const now = Date.now();
  const common = { clientId: 'cli', clientMode: 'cli', role: 'operator', scopes: ['operator.admin'], platform: 'linux', deviceFamily: undefined };
  const signature = id.sign(buildDeviceAuthPayloadV3({ ...common, deviceId: id.deviceId, signedAtMs: now, token: 'tok', nonce: 'n-1' }));
  const ok = verifyDeviceProof({ ...common, device: { id: id.deviceId, publicKey: id.publicKey, signature, signedAt: now, nonce: 'n-1' }, challengeNonce: 'n-1', now, signedToken: 'tok' });
  assert.deepEqual(ok, { ok: true, deviceId: id.deviceId, publicKey: id.publicKey });
  const wrongToken = verifyDeviceProof({ ...common, device: { id: id.deviceId, publicKey: id.publicKey, signature, signedAt: now, nonce: 'n-1' }, challengeNonce: 'n-1', now, signedToken: 'other' });
  assert.deepEqual(wrongToken, { ok: false, rejection: 'DEVICE_AUTH_SIGNATURE_INVALID' });
});

test('concurrent first runs in separate processes agree on one identity', async (t) => {
  const sd = makeStateDir();
  t.after(sd.cleanup);
  const moduleUrl = new URL('./identity.js', import.meta.url).href;
  const script = `const { loadOrCreateDeviceIdentity } = await import(${JSON.stringify(moduleUrl)}); process.stdout.write(loadOrCreateDeviceIdentity(${JSON.stringify(sd.dir)}).deviceId);`;
  const run = () =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
    });
  const ids = await Promise.all([run(), run(), run(), run()]);
  assert.equal(new Set(ids).size, 1, ids.join('\n'));
  assert.equal(loadOrCreateDeviceIdentity(sd.dir).deviceId, ids[0]);
  assert.deepEqual(fs.readdirSync(identityPaths(sd.dir).dir), ['device.json'], 'no temp files left');
});

test('a corrupt identity file is an error with the fix, not a silent new identity', (t) => {
  const sd = makeStateDir();
  t.after(sd.cleanup);
  const paths = identityPaths(sd.dir);
  fs.mkdirSync(paths.dir, { recursive: true });
  fs.writeFileSync(paths.device, '{"version":1,"privateKeyPem":"garbage"}');
  assert.throws(() => loadOrCreateDeviceIdentity(sd.dir), (err: Error) => err instanceof IdentityFileError && err.message.includes(`mv ${paths.device} ${paths.device}.bad`));
});

test('DeviceTokenStore keeps tokens per gateway URL and role, 0600, for one device only', (t) => {
  const sd = makeStateDir();
  t.after(sd.cleanup);
  const store = new DeviceTokenStore(sd.dir, 'dev-a');
  assert.equal(store.get('ws://127.0.0.1:18789', 'operator'), undefined);
  store.set('ws://127.0.0.1:18789/', 'operator', 'tok-1', ['operator.read']);
  store.set('ws://127.0.0.1:18789', 'node', 'tok-2', []);
  store.set('wss://gw.example.com', 'operator', 'tok-3', ['operator.admin']);
  assert.equal(store.get('WS://127.0.0.1:18789', 'operator')?.token, 'tok-1');
  assert.deepEqual(store.get('ws://127.0.0.1:18789', 'operator')?.scopes, ['operator.read']);
  assert.equal(store.get('ws://127.0.0.1:18789', 'node')?.token, 'tok-2');
  assert.equal(store.get('wss://gw.example.com/', 'operator')?.token, 'tok-3');
  assert.equal(fs.statSync(store.file).mode & 0o777, 0o600);
  const file = JSON.parse(fs.readFileSync(store.file, 'utf8'));
  assert.equal(file.version, 1);
  assert.equal(file.deviceId, 'dev-a');
  assert.ok(file.tokens['ws://127.0.0.1:18789|operator']);
  store.clear('ws://127.0.0.1:18789', 'operator');
  assert.equal(store.get('ws://127.0.0.1:18789', 'operator'), undefined);
  assert.equal(store.get('ws://127.0.0.1:18789', 'node')?.token, 'tok-2');
  // a new identity does not inherit the old one's tokens
  assert.equal(new DeviceTokenStore(sd.dir, 'dev-b').get('ws://127.0.0.1:18789', 'node'), undefined);
  assert.equal(normalizeGatewayUrl('ws://LOCALHOST:1/a/'), 'ws://localhost:1/a');
});
