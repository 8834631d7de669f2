// This machine's device identity (Ed25519, <state>/identity/device.json, 0600) and the device
// tokens gateways issued to it (<state>/identity/device-auth.json, keyed by gateway URL and role).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeJsonAtomicSync } from '../infra/atomic-file.js';
import { withFileLockSync } from '../auth/file-lock.js';
import { deviceIdFromRawKey } from '../auth/device-proof.js';
import { base64UrlEncode } from '../protocol/device-auth.js';

export interface DeviceIdentity {
  deviceId: string;
  /** base64url raw 32-byte Ed25519 key (the wire form). */
  publicKey: string;
  /** Ed25519 signature of the UTF-8 payload, base64url. */
  sign(payload: string): string;
}

interface DeviceFile {
  version: 1;
  deviceId: string;
  publicKeyPem: string;
  privateKeyPem: string;
  createdAtMs: number;
}

export class IdentityFileError extends Error {
  constructor(readonly file: string) {
    super(`${file} is not a valid device identity; move it aside to create a new one (the device must then be paired again): mv ${file} ${file}.bad`);
    this.name = 'IdentityFileError';
  }
}

export function identityPaths(stateDir: string): { dir: string; device: string; deviceAuth: string } {
  const dir = path.join(stateDir, 'identity');
  return { dir, device: path.join(dir, 'device.json'), deviceAuth: path.join(dir, 'device-auth.json') };
}

function fromFile(file: string, data: DeviceFile): DeviceIdentity {
  let privateKey: crypto.KeyObject;
  let raw: Uint8Array;
  try {
    privateKey = crypto.createPrivateKey(data.privateKeyPem);
    const spki = crypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('not ed25519');
    raw = new Uint8Array(spki.subarray(spki.length - 32));
  } catch {
    throw new IdentityFileError(file);
  }
  return {
    // Derived from the key, never trusted from the file.
    deviceId: deviceIdFromRawKey(raw),
    publicKey: base64UrlEncode(raw),
    sign: (payload) => base64UrlEncode(crypto.sign(null, Buffer.from(payload, 'utf8'), privateKey)),
  };
}

function readDeviceFile(file: string): DeviceFile | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const v = JSON.parse(text) as DeviceFile;
    if (typeof v?.privateKeyPem !== 'string') throw new Error('no key');
    return v;
  } catch {
    throw new IdentityFileError(file);
  }
}

/** Loads the identity, creating it on first use. Concurrent first runs agree on one key. */
export function loadOrCreateDeviceIdentity(stateDir: string): DeviceIdentity {
  const paths = identityPaths(stateDir);
  const existing = readDeviceFile(paths.device);
  if (existing) return fromFile(paths.device, existing);
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
  const data: DeviceFile = {
    version: 1,
    deviceId: deviceIdFromRawKey(raw),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    createdAtMs: Date.now(),
  };
  fs.mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  // Write a temp file, then hard-link it into place: link() fails if another process won the race.
  const tmp = `${paths.device}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  writeJsonAtomicSync(tmp, data, { mode: 0o600 });
  try {
    fs.linkSync(tmp, paths.device);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return fromFile(paths.device, readDeviceFile(paths.device)!);
}

export interface StoredDeviceToken {
  token: string;
  role: string;
  scopes: string[];
  updatedAtMs: number;
}

interface DeviceAuthFile {
  version: 1;
  deviceId: string;
  tokens: Record<string, StoredDeviceToken>;
}

/** `ws://host:port` without a trailing slash, lowercase scheme and host: the key tokens are stored under. */
export function normalizeGatewayUrl(url: string): string {
  try {
    const u = new URL(url);
    const pathPart = u.pathname === '/' ? '' : u.pathname.replace(/\/+$/, '');
    return `${u.protocol}//${u.host}${pathPart}`;
  } catch {
    return url.trim();
  }
}

/** Device tokens per (gateway URL, role) for one device id. Tokens of another identity are ignored. */
export class DeviceTokenStore {
  readonly file: string;
  private readonly lockPath: string;

  constructor(
    stateDir: string,
    private readonly deviceId: string,
  ) {
    const paths = identityPaths(stateDir);
    this.file = paths.deviceAuth;
    this.lockPath = path.join(paths.dir, '.device-auth.lock');
  }

  get(gatewayUrl: string, role: string): StoredDeviceToken | undefined {
    const t = this.read().tokens[`${normalizeGatewayUrl(gatewayUrl)}|${role}`];
    return t ? { ...t, scopes: [...t.scopes] } : undefined;
  }

  set(gatewayUrl: string, role: string, token: string, scopes: readonly string[]): void {
    this.update((f) => {
      f.tokens[`${normalizeGatewayUrl(gatewayUrl)}|${role}`] = { token, role, scopes: [...scopes], updatedAtMs: Date.now() };
    });
  }

  clear(gatewayUrl: string, role: string): void {
    this.update((f) => {
      delete f.tokens[`${normalizeGatewayUrl(gatewayUrl)}|${role}`];
    });
  }

  private read(): DeviceAuthFile {
    const empty: DeviceAuthFile = { version: 1, deviceId: this.deviceId, tokens: {} };
    try {
      const v = JSON.parse(fs.readFileSync(this.file, 'utf8')) as DeviceAuthFile;
      if (v?.deviceId !== this.deviceId || typeof v.tokens !== 'object' || v.tokens === null) return empty;
      return v;
    } catch {
      // Missing or unreadable: the worst case is one pairing-free reconnect with the shared token.
      return empty;
    }
  }

  private update(fn: (f: DeviceAuthFile) => void): void {
    withFileLockSync(this.lockPath, () => {
      const f = this.read();
      fn(f);
      writeJsonAtomicSync(this.file, f, { mode: 0o600, dirMode: 0o700 });
    });
  }
}
