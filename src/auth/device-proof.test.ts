import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fc from 'fast-check';
import { base64UrlDecode, base64UrlEncode, buildDeviceAuthPayloadV2, buildDeviceAuthPayloadV3 } from '../protocol/device-auth.js';
import { deviceIdFromPublicKey, normalizePublicKey, verifyDeviceProof, type DeviceProofInput } from './device-proof.js';

function keypair() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  const raw = der.subarray(12);
  const pub = base64UrlEncode(raw);
  const id = crypto.createHash('sha256').update(raw).digest('hex');
  const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const sign = (payload: string) => base64UrlEncode(crypto.sign(null, Buffer.from(payload, 'utf8'), privateKey));
  return { pub, id, pem, sign };
}

const NOW = 1_760_000_000_000;

function proof(over: Partial<DeviceProofInput> = {}, version: 'v3' | 'v2' = 'v3') {
  const k = keypair();
  const base = {
    challengeNonce: 'nonce-1',
    now: NOW,
    clientId: 'cli',
    clientMode: 'cli',
    role: 'operator',
    scopes: ['operator.read', 'operator.admin'],
    signedToken: 'tok',
    platform: ' Linux ',
    deviceFamily: 'Desktop',
  };
  const payloadInput = { deviceId: k.id, clientId: base.clientId, clientMode: base.clientMode, role: base.role, scopes: base.scopes, signedAtMs: NOW - 1000, token: base.signedToken, nonce: 'nonce-1', platform: base.platform, deviceFamily: base.deviceFamily };
  const payload = version === 'v3' ? buildDeviceAuthPayloadV3(payloadInput) : buildDeviceAuthPayloadV2(payloadInput);
  const input: DeviceProofInput = { ...base, device: { id: k.id, publicKey: k.pub, signature: k.sign(payload), signedAt: NOW - 1000, nonce: 'nonce-1' }, ...over };
  return { k, input };
}

test('deviceIdFromPublicKey: sha256 of the raw key, from base64url raw or PEM', () => {
  const k = keypair();
  assert.equal(deviceIdFromPublicKey(k.pub), k.id);
  assert.equal(deviceIdFromPublicKey(k.pem), k.id);
  assert.equal(normalizePublicKey(k.pem), k.pub);
  assert.equal(deviceIdFromPublicKey('too-short'), null);
  assert.equal(deviceIdFromPublicKey('-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----'), null);
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
  assert.equal(deviceIdFromPublicKey(rsa), null);
});

test('verifyDeviceProof accepts v3 and legacy v2 signatures', () => {
  const v3 = proof();
  assert.deepEqual(verifyDeviceProof(v3.input), { ok: true, deviceId: v3.k.id, publicKey: v3.k.pub });
  const v2 = proof({}, 'v2');
  assert.deepEqual(verifyDeviceProof(v2.input), { ok: true, deviceId: v2.k.id, publicKey: v2.k.pub });
  // PEM public key on the wire is normalized
  const pem = proof();
  assert.deepEqual(verifyDeviceProof({ ...pem.input, device: { ...pem.input.device, publicKey: pem.k.pem } }), { ok: true, deviceId: pem.k.id, publicKey: pem.k.pub });
});

test('verifyDeviceProof rejects in the reference order', () => {
  const { k, input } = proof();
  const other = keypair();
  const reject = (o: Partial<DeviceProofInput>, dev: Partial<DeviceProofInput['device']> = {}) => verifyDeviceProof({ ...input, ...o, device: { ...input.device, ...dev } });
  assert.deepEqual(reject({}, { publicKey: 'AAAA' }), { ok: false, rejection: 'DEVICE_AUTH_PUBLIC_KEY_INVALID' });
  assert.deepEqual(reject({}, { id: other.id }), { ok: false, rejection: 'DEVICE_AUTH_DEVICE_ID_MISMATCH' });
  // signedAt = NOW - 1000: exactly 120 s of skew passes, one ms more does not
  assert.deepEqual(reject({ now: NOW + 119_000 }), { ok: true, deviceId: k.id, publicKey: k.pub });
  assert.deepEqual(reject({ now: NOW + 119_001 }), { ok: false, rejection: 'DEVICE_AUTH_SIGNATURE_EXPIRED' });
  assert.deepEqual(reject({ now: NOW - 121_001 }), { ok: false, rejection: 'DEVICE_AUTH_SIGNATURE_EXPIRED' });
  assert.deepEqual(reject({}, { nonce: undefined }), { ok: false, rejection: 'DEVICE_AUTH_NONCE_REQUIRED' });
  assert.deepEqual(reject({}, { nonce: 'nonce-2' }), { ok: false, rejection: 'DEVICE_AUTH_NONCE_MISMATCH' });
  // expired wins over a bad nonce; a mismatched id wins over expiry
  assert.deepEqual(reject({ now: NOW + 500_000 }, { nonce: 'x' }), { ok: false, rejection: 'DEVICE_AUTH_SIGNATURE_EXPIRED' });
  assert.deepEqual(reject({ now: NOW + 500_000 }, { id: other.id }), { ok: false, rejection: 'DEVICE_AUTH_DEVICE_ID_MISMATCH' });
});

test('verifyDeviceProof: any change to a signed field invalidates the signature', () => {
  const { input } = proof();
  const bad = (o: Partial<DeviceProofInput>) => assert.deepEqual(verifyDeviceProof({ ...input, ...o }), { ok: false, rejection: 'DEVICE_AUTH_SIGNATURE_INVALID' }, JSON.stringify(o));
  bad({ role: 'node' });
  bad({ scopes: ['operator.admin', 'operator.read'] }); // order matters
  bad({ signedToken: 'other' });
  bad({ clientId: 'openclaw-tui' });
  bad({ clientMode: 'ui' });
  bad({ platform: 'darwin' });
  bad({ deviceFamily: 'phone' });
  // metadata is normalized (trim + lowercase) before verification
  assert.equal(verifyDeviceProof({ ...input, platform: 'linux', deviceFamily: 'desktop' }).ok, true);
  const sig = input.device.signature;
  const flipped = sig.slice(0, 5) + (sig[5] === 'A' ? 'B' : 'A') + sig.slice(6);
  assert.deepEqual(verifyDeviceProof({ ...input, device: { ...input.device, signature: flipped } }), { ok: false, rejection: 'DEVICE_AUTH_SIGNATURE_INVALID' });
  assert.deepEqual(verifyDeviceProof({ ...input, device: { ...input.device, signature: '!!' } }), { ok: false, rejection: 'DEVICE_AUTH_SIGNATURE_INVALID' });
});

test('verifyDeviceProof accepts a standard-base64 signature', () => {
  const { input } = proof();
  const std = Buffer.from(base64UrlDecode(input.device.signature)!).toString('base64');
  assert.equal(verifyDeviceProof({ ...input, device: { ...input.device, signature: std } }).ok, true);
});

test('property: base64url encode/decode round-trips and matches Node', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 96 }), (bytes) => {
      const text = base64UrlEncode(bytes);
      assert.equal(text, Buffer.from(bytes).toString('base64url'));
      assert.deepEqual(base64UrlDecode(text), bytes);
      assert.deepEqual(base64UrlDecode(Buffer.from(bytes).toString('base64')), bytes);
    }),
  );
});
