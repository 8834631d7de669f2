// The exact device-auth payloads a client signs and the server verifies, plus byte helpers.
// Pure and portable: used by the Node client, the server and the browser UI.

export interface DeviceAuthPayloadInput {
  deviceId: string;
  clientId: string;
  clientMode: string;
  role: string;
  /** The effective scopes in the order sent (not sorted). */
  scopes: readonly string[];
  signedAtMs: number;
  /** auth.token ?? auth.deviceToken ?? auth.bootstrapToken ?? '' */
  token: string;
  nonce: string;
  platform?: string;
  deviceFamily?: string;
}

/** trim, then lowercase ASCII A–Z only; missing → ''. */
export function normalizeDeviceMetadataForAuth(value: string | undefined): string {
  if (!value) return '';
  return value.trim().replace(/[A-Z]/g, (c) => c.toLowerCase());
}

export function buildDeviceAuthPayloadV3(p: DeviceAuthPayloadInput): string {
  return [
    'v3',
    p.deviceId,
    p.clientId,
    p.clientMode,
    p.role,
    p.scopes.join(','),
    String(p.signedAtMs),
    p.token,
    p.nonce,
    normalizeDeviceMetadataForAuth(p.platform),
    normalizeDeviceMetadataForAuth(p.deviceFamily),
  ].join('|');
}

export function buildDeviceAuthPayloadV2(p: DeviceAuthPayloadInput): string {
  return ['v2', p.deviceId, p.clientId, p.clientMode, p.role, p.scopes.join(','), String(p.signedAtMs), p.token, p.nonce].join('|');
}

/** The bearer that goes into the signed payload. */
export function signedBearer(auth: { token?: string; deviceToken?: string; bootstrapToken?: string } | undefined): string {
  return auth?.token ?? auth?.deviceToken ?? auth?.bootstrapToken ?? '';
}

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
export const ED25519_SPKI_PREFIX_HEX = '302a300506032b6570032100';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function base64UrlEncode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63];
  }
  return out.replace(/\+/g, '-').replace(/\//g, '_');
}

/** Decodes base64url or standard base64 (padding optional). Returns null on bad input. */
export function base64UrlDecode(text: string): Uint8Array | null {
  const s = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(s) || s.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const a = B64.indexOf(s[i]);
    const b = B64.indexOf(s[i + 1]);
    const c = i + 2 < s.length ? B64.indexOf(s[i + 2]) : 0;
    const d = i + 3 < s.length ? B64.indexOf(s[i + 3]) : 0;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = (n >> 16) & 255;
    if (i + 2 < s.length) out[o++] = (n >> 8) & 255;
    if (i + 3 < s.length) out[o++] = n & 255;
  }
  return out.subarray(0, o);
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
