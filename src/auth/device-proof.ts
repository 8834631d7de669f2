// Ed25519 device identity on the server side: normalize a public key (base64url raw or PEM),
// derive its device id, and verify a connect proof in the reference order (§3.3, §3.4 step 7).
import crypto from 'node:crypto';
import {
  base64UrlDecode,
  base64UrlEncode,
  buildDeviceAuthPayloadV2,
  buildDeviceAuthPayloadV3,
  ED25519_SPKI_PREFIX_HEX,
  hexToBytes,
  type DeviceAuthPayloadInput,
} from '../protocol/device-auth.js';
import { DEVICE_SIGNATURE_SKEW_MS } from '../protocol/constants.js';
import type { RejectionId } from '../protocol/errors.js';

const SPKI_PREFIX = hexToBytes(ED25519_SPKI_PREFIX_HEX);

/** The raw 32-byte Ed25519 key from base64url/base64 raw or an SPKI PEM, or null. */
export function rawPublicKey(publicKey: string): Uint8Array | null {
  if (publicKey.includes('BEGIN')) {
    try {
      const key = crypto.createPublicKey(publicKey);
      if (key.asymmetricKeyType !== 'ed25519') return null;
      const der = key.export({ format: 'der', type: 'spki' });
      return new Uint8Array(der.subarray(SPKI_PREFIX.length));
    } catch {
      return null;
    }
  }
  const raw = base64UrlDecode(publicKey.trim());
  return raw && raw.length === 32 ? raw : null;
}

/** Lowercase hex SHA-256 of the raw key bytes. */
export function deviceIdFromRawKey(raw: Uint8Array): string {
  return crypto.createHash('sha256').update(raw).digest('hex');
}

export function deviceIdFromPublicKey(publicKey: string): string | null {
  const raw = rawPublicKey(publicKey);
  return raw ? deviceIdFromRawKey(raw) : null;
}

/** The public key in its wire form (base64url raw), or null when invalid. */
export function normalizePublicKey(publicKey: string): string | null {
  const raw = rawPublicKey(publicKey);
  return raw ? base64UrlEncode(raw) : null;
}

export function publicKeyObjectFromRaw(raw: Uint8Array): crypto.KeyObject {
  const der = new Uint8Array(SPKI_PREFIX.length + raw.length);
  der.set(SPKI_PREFIX, 0);
  der.set(raw, SPKI_PREFIX.length);
  return crypto.createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
}

/** Verifies a base64url (or base64) Ed25519 signature over the UTF-8 payload. Never throws. */
export function verifySignature(key: crypto.KeyObject, payload: string, signature: string): boolean {
  const sig = base64UrlDecode(signature.trim());
  if (!sig || sig.length !== 64) return false;
  try {
    return crypto.verify(null, Buffer.from(payload, 'utf8'), key, sig);
  } catch {
    return false;
  }
}

export interface DeviceProofInput {
  device: { id: string; publicKey: string; signature: string; signedAt: number; nonce?: string };
  challengeNonce: string;
  now: number;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: readonly string[];
  /** auth.token ?? auth.deviceToken ?? auth.bootstrapToken ?? '' (see signedBearer()). */
  signedToken: string;
  platform?: string;
  deviceFamily?: string;
}

export type DeviceProofResult =
  | { ok: true; deviceId: string; publicKey: string }
  | { ok: false; rejection: RejectionId };

export function verifyDeviceProof(o: DeviceProofInput): DeviceProofResult {
  const raw = rawPublicKey(o.device.publicKey);
  if (!raw) return { ok: false, rejection: 'DEVICE_AUTH_PUBLIC_KEY_INVALID' };
  const deviceId = deviceIdFromRawKey(raw);
  if (o.device.id.trim().toLowerCase() !== deviceId) return { ok: false, rejection: 'DEVICE_AUTH_DEVICE_ID_MISMATCH' };
  if (!Number.isFinite(o.device.signedAt) || Math.abs(o.now - o.device.signedAt) > DEVICE_SIGNATURE_SKEW_MS) {
    return { ok: false, rejection: 'DEVICE_AUTH_SIGNATURE_EXPIRED' };
  }
  if (!o.device.nonce) return { ok: false, rejection: 'DEVICE_AUTH_NONCE_REQUIRED' };
  if (o.device.nonce !== o.challengeNonce) return { ok: false, rejection: 'DEVICE_AUTH_NONCE_MISMATCH' };
  let key: crypto.KeyObject;
  try {
    key = publicKeyObjectFromRaw(raw);
  } catch {
    return { ok: false, rejection: 'DEVICE_AUTH_PUBLIC_KEY_INVALID' };
  }
  const input: DeviceAuthPayloadInput = {
    deviceId: o.device.id,
    clientId: o.clientId,
    clientMode: o.clientMode,
    role: o.role,
    scopes: o.scopes,
    signedAtMs: o.device.signedAt,
    token: o.signedToken,
    nonce: o.device.nonce,
    platform: o.platform,
    deviceFamily: o.deviceFamily,
  };
  const valid = verifySignature(key, buildDeviceAuthPayloadV3(input), o.device.signature) || verifySignature(key, buildDeviceAuthPayloadV2(input), o.device.signature);
  if (!valid) return { ok: false, rejection: 'DEVICE_AUTH_SIGNATURE_INVALID' };
  return { ok: true, deviceId, publicKey: base64UrlEncode(raw) };
}
