// The browser's device identity: an Ed25519 key kept in IndexedDB, id = sha256(raw public key).
// WebCrypto when the browser offers Ed25519 (secure contexts), else @noble/ed25519 with our
// @noble/hashes' SHA-2 (same author), so pairing also works from plain-HTTP origins.
import * as ed from '@noble/ed25519';
import { base64UrlEncode, bytesToHex } from '../../../src/protocol/device-auth.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';

export interface DeviceIdentity {
  deviceId: string;
  /** Raw 32-byte public key, base64url without padding (the wire form). */
  publicKey: string;
  kind: 'webcrypto' | 'noble';
  /** Persisted in IndexedDB (false: a new identity on every page load). */
  persistent: boolean;
  sign(payload: string): Promise<string>;
}

type StoredKey =
  | { kind: 'webcrypto'; privateKey: CryptoKey; publicKeyRaw: Uint8Array }
  | { kind: 'noble'; secretKey: Uint8Array; publicKeyRaw: Uint8Array };

const DB_NAME = 'openclaw-control-ui';
const STORE = 'identity';
const KEY = 'device';

ed.hashes.sha512 = sha512;
ed.hashes.sha512Async = async (m: Uint8Array) => sha512(m);

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function idb<T>(db: IDBDatabase, mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = op(db.transaction(STORE, mode).objectStore(STORE));
    req.onsuccess = () => resolve(req.result as T);
    req.onerror = () => reject(req.error);
  });
}

async function createWebCryptoKey(): Promise<StoredKey | null> {
  if (!globalThis.isSecureContext || !crypto.subtle) return null;
  try {
    // Not extractable: the private key never leaves the browser's key store.
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const publicKeyRaw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    return { kind: 'webcrypto', privateKey: pair.privateKey, publicKeyRaw };
  } catch {
    return null; // browser without WebCrypto Ed25519
  }
}

async function createNobleKey(): Promise<StoredKey> {
  const secretKey = ed.utils.randomSecretKey();
  const publicKeyRaw = await ed.getPublicKeyAsync(secretKey);
  return { kind: 'noble', secretKey, publicKeyRaw };
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  if (globalThis.isSecureContext && crypto.subtle) return bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource)));
  return bytesToHex(sha256(bytes));
}

async function toIdentity(key: StoredKey, persistent: boolean): Promise<DeviceIdentity> {
  const enc = new TextEncoder();
  const sign =
    key.kind === 'webcrypto'
      ? async (payload: string) => base64UrlEncode(new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, key.privateKey, enc.encode(payload))))
      : async (payload: string) => base64UrlEncode(await ed.signAsync(enc.encode(payload), key.secretKey));
  return { deviceId: await sha256Hex(key.publicKeyRaw), publicKey: base64UrlEncode(key.publicKeyRaw), kind: key.kind, persistent, sign };
}

let cached: Promise<DeviceIdentity> | undefined;

/** Loads the stored identity, creating and storing one on first use. */
export function loadDeviceIdentity(): Promise<DeviceIdentity> {
  cached ??= (async () => {
    let db: IDBDatabase | undefined;
    try {
      db = await openDb();
      const stored = await idb<StoredKey | undefined>(db, 'readonly', (s) => s.get(KEY));
      if (stored) return await toIdentity(stored, true);
    } catch {
      db = undefined; // IndexedDB unavailable (some private modes): identity lives for this page only
    }
    const key = (await createWebCryptoKey()) ?? (await createNobleKey());
    if (db) {
      try {
        await idb(db, 'readwrite', (s) => s.put(key, KEY));
      } catch {
        return toIdentity(key, false);
      }
    }
    return toIdentity(key, db !== undefined);
  })();
  return cached;
}
