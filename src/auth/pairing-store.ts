// Device pairing state: pending requests and paired devices with per-role device tokens, kept in
// <state>/devices/{pending,paired}.json (0600). Each file is a RecordJournal: a change appends one
// fsynced line to `<file>.journal`, so a write costs O(1) in the number of devices; the journal is
// folded into the plain JSON file (the layout upstream tools read) when it grows, when the gateway
// has been idle for a while, and on clean shutdown. Every write happens under a cross-process lock
// and starts from a fresh read, so the gateway and the CLI (gateway down) never clobber each other.
import crypto from 'node:crypto';
import path from 'node:path';
import { RecordJournal, type RecordChange } from '../infra/record-journal.js';
import { PENDING_PAIRING_TTL_MS } from '../protocol/constants.js';
import { missingScopes } from '../protocol/scopes.js';
import { withFileLockSync } from './file-lock.js';
import { generateToken, safeEqualSecret } from './secrets.js';

/** What a device says about itself when it connects; a pending request and a paired record both keep it. */
export interface DeviceIdentity {
  deviceId: string;
  /** base64url raw Ed25519 key. */
  publicKey: string;
  displayName?: string;
  platform?: string;
  deviceFamily?: string;
  clientId?: string;
  clientMode?: string;
}

export interface PendingRequest extends DeviceIdentity {
  requestId: string;
  role: string;
  scopes: string[];
  remoteIp?: string;
  /** Eligible for silent (local) approval. */
  silent?: boolean;
  /** The device is already paired and asks for more (role/scope/metadata upgrade). */
  isRepair?: boolean;
  /** Creation time; kept on refresh so `--latest` cannot be gamed by reconnecting. */
  ts: number;
  /** Last time the device asked again; the 5-minute TTL counts from here. */
  refreshedAtMs?: number;
}

export type PairingRequestInput = Omit<PendingRequest, 'requestId' | 'ts' | 'refreshedAtMs'>;

export interface DeviceTokenRecord {
  token: string;
  role: string;
  scopes: string[];
  createdAtMs: number;
  rotatedAtMs?: number;
  revokedAtMs?: number;
  lastUsedAtMs?: number;
}

export interface PairedDevice extends DeviceIdentity {
  roles: string[];
  scopes: string[];
  remoteIp?: string;
  tokens: Record<string, DeviceTokenRecord>;
  createdAtMs: number;
  approvedAtMs: number;
  approvedVia?: string;
  lastSeenAtMs?: number;
  lastSeenReason?: string;
}

/** A paired device as operators see it: token metadata, never the bearer itself. */
export type DeviceSummary = Omit<PairedDevice, 'tokens'> & { tokens: Array<Omit<DeviceTokenRecord, 'token'>> };

export function summarizeDevice(d: PairedDevice): DeviceSummary {
  const { tokens, ...rest } = d;
  return { ...rest, tokens: Object.values(tokens).map(({ token: _secret, ...meta }) => meta) };
}

export type TokenVerifyFailure = 'device-not-paired' | 'role-missing' | 'token-missing' | 'token-revoked' | 'token-mismatch' | 'scope-mismatch';

/** A state file that cannot be read as pairing state. The message names the file and the fix. */
export class PairingStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PairingStoreError';
  }
}

/** A unique id or prefix shorter than this is not accepted as a prefix. */
export const MIN_ID_PREFIX = 8;

/** lastSeen/lastUsed are kept to this precision, so reconnect storms do not rewrite the file each time. */
export const SEEN_RESOLUTION_MS = 60_000;

interface State {
  pending: Record<string, PendingRequest>;
  paired: Record<string, PairedDevice>;
}

/**
 * A copy-on-read view of one file's records for a mutation: a record is cloned when first read,
 * and only the keys read, set or deleted are compared afterwards, so a change costs O(1) in the
 * number of records instead of a clone and a stringify of all of them.
 */
function trackedRecords<T>(base: Record<string, T>): { view: Record<string, T>; changes(): RecordChange<T>[] } {
  const work = new Map<string, T | undefined>();
  const get = (key: string): T | undefined => {
    if (work.has(key)) return work.get(key);
    if (!Object.hasOwn(base, key)) return undefined;
    const copy = structuredClone(base[key]);
    work.set(key, copy);
    return copy;
  };
  const view = new Proxy({} as Record<string, T>, {
    get: (_t, key) => (typeof key === 'string' ? get(key) : undefined),
    set: (_t, key, value) => (typeof key === 'string' ? (work.set(key, value as T), true) : false),
    deleteProperty: (_t, key) => (typeof key === 'string' ? (work.set(key, undefined), true) : false),
    has: (_t, key) => typeof key === 'string' && get(key) !== undefined,
    ownKeys: () => {
      const keys = new Set(Object.keys(base));
      for (const [k, v] of work) v === undefined ? keys.delete(k) : keys.add(k);
      return [...keys];
    },
    getOwnPropertyDescriptor: (_t, key) => {
      const value = typeof key === 'string' ? get(key) : undefined;
      return value === undefined ? undefined : { value, writable: true, enumerable: true, configurable: true };
    },
  });
  const changes = () => {
    const out: RecordChange<T>[] = [];
    for (const [key, value] of work) {
      if (value === undefined) {
        if (Object.hasOwn(base, key)) out.push({ key });
      } else if (!Object.hasOwn(base, key) || JSON.stringify(value) !== JSON.stringify(base[key])) out.push({ key, value });
    }
    return out;
  };
  return { view, changes };
}

const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === new Set(b).size && union(a, b).length === a.length;

/** Drops keys whose value is undefined so the JSON files stay tidy. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const isRecord = (v: unknown): boolean => typeof v === 'object' && v !== null && typeof (v as { deviceId?: unknown }).deviceId === 'string';

/** Fold the journals into the JSON files after this long without a pairing write (gateway only). */
export const IDLE_COMPACT_MS = 10_000;

export class PairingStore {
  readonly devicesDir: string;
  readonly pendingPath: string;
  readonly pairedPath: string;
  readonly lockPath: string;
  private readonly pendingFile: RecordJournal<PendingRequest>;
  private readonly pairedFile: RecordJournal<PairedDevice>;
  private idleCompactMs = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    stateDir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.devicesDir = path.join(stateDir, 'devices');
    this.pendingPath = path.join(this.devicesDir, 'pending.json');
    this.pairedPath = path.join(this.devicesDir, 'paired.json');
    this.lockPath = path.join(this.devicesDir, '.lock');
    const opts = { parseSnapshot: parseStateFile, acceptRecord: isRecord, mode: 0o600, dirMode: 0o700 };
    this.pendingFile = new RecordJournal<PendingRequest>(this.pendingPath, opts as never);
    this.pairedFile = new RecordJournal<PairedDevice>(this.pairedPath, opts as never);
  }

  /** Bytes written to disk by this store (journal lines and compactions), for the O(1) test and bench. */
  bytesWritten(): number {
    return this.pendingFile.bytesWritten + this.pairedFile.bytesWritten;
  }

  /** Changes whenever the paired devices change on disk (two stats), for caches built on them. */
  pairedVersion(): string {
    return this.pairedFile.version();
  }

  /** Folds both journals into pending.json / paired.json, so tools that read them directly see everything. */
  compact(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.pendingFile.pendingJournalBytes() === 0 && this.pairedFile.pendingJournalBytes() === 0) return;
    withFileLockSync(this.lockPath, () => {
      this.pendingFile.compact();
      this.pairedFile.compact();
    });
  }

  /** The gateway turns this on: compact after `ms` without a write. stop() compacts once more. */
  compactWhenIdle(ms = IDLE_COMPACT_MS): void {
    this.idleCompactMs = ms;
  }

  /** Clean shutdown: cancels the idle timer and compacts. */
  stop(): void {
    this.idleCompactMs = 0;
    this.compact();
  }

  // ---- reads ------------------------------------------------------------------------------

  listPending(): PendingRequest[] {
    const live = this.livePending(this.pendingFile.read());
    return Object.values(live)
      .sort((a, b) => a.ts - b.ts)
      .map((r) => structuredClone(r));
  }

  listPaired(): PairedDevice[] {
    return Object.values(this.pairedFile.read())
      .sort((a, b) => a.approvedAtMs - b.approvedAtMs)
      .map((d) => structuredClone(d));
  }

  getPaired(deviceId: string): PairedDevice | undefined {
    const d = this.pairedFile.read()[deviceId];
    return d ? structuredClone(d) : undefined;
  }

  /** A paired device id from an exact id or a unique prefix of at least 8 characters. */
  resolveDeviceId(idOrPrefix: string): string | undefined {
    const paired = this.pairedFile.read();
    const wanted = idOrPrefix.trim().toLowerCase();
    if (paired[wanted]) return wanted;
    if (wanted.length < MIN_ID_PREFIX) return undefined;
    const hits = Object.keys(paired).filter((id) => id.startsWith(wanted));
    return hits.length === 1 ? hits[0] : undefined;
  }

  // ---- pairing lifecycle ----------------------------------------------------------------------

  /**
   * One pending request per device: the same key, role and scopes refresh the existing request
   * (same requestId and ts); anything else supersedes it with a new requestId.
   */
  requestPairing(r: PairingRequestInput): { request: PendingRequest; created: boolean } {
    return this.mutate((s) => {
      const now = this.now();
      const existing = Object.values(s.pending).find((p) => p.deviceId === r.deviceId);
      if (existing && existing.publicKey === r.publicKey && existing.role === r.role && sameSet(existing.scopes, r.scopes)) {
        const refreshed = compact({ ...existing, ...r, scopes: [...r.scopes], requestId: existing.requestId, ts: existing.ts, refreshedAtMs: now });
        s.pending[existing.requestId] = refreshed;
        return { request: structuredClone(refreshed), created: false };
      }
      if (existing) delete s.pending[existing.requestId];
      const request = compact<PendingRequest>({
        ...r,
        scopes: [...r.scopes],
        isRepair: r.isRepair ?? (s.paired[r.deviceId] ? true : undefined),
        requestId: crypto.randomUUID(),
        ts: now,
      });
      s.pending[request.requestId] = request;
      return { request: structuredClone(request), created: true };
    });
  }

  /** Approves a pending request (by requestId, deviceId, or a unique ≥8-char prefix of either). */
  approve(requestIdOrDeviceId: string, via?: string): { device: PairedDevice; request: PendingRequest } | null {
    return this.mutate((s) => {
      const request = findPending(s.pending, requestIdOrDeviceId);
      if (!request) return null;
      delete s.pending[request.requestId];
      const now = this.now();
      const prev = s.paired[request.deviceId];
      const tokens = { ...(prev?.tokens ?? {}) };
      const current = tokens[request.role];
      tokens[request.role] =
        current && current.revokedAtMs === undefined
          ? { ...current, scopes: union(current.scopes, request.scopes) }
          : { token: generateToken(), role: request.role, scopes: [...request.scopes], createdAtMs: now };
      const device = compact<PairedDevice>({
        deviceId: request.deviceId,
        publicKey: request.publicKey,
        // An operator's rename wins over the name the client reports.
        displayName: prev?.displayName ?? request.displayName,
        platform: request.platform ?? prev?.platform,
        deviceFamily: request.deviceFamily ?? prev?.deviceFamily,
        clientId: request.clientId ?? prev?.clientId,
        clientMode: request.clientMode ?? prev?.clientMode,
        roles: union(prev?.roles ?? [], [request.role]),
        scopes: union(prev?.scopes ?? [], request.scopes),
        remoteIp: request.remoteIp ?? prev?.remoteIp,
        tokens,
        createdAtMs: prev?.createdAtMs ?? now,
        approvedAtMs: now,
        approvedVia: via ?? prev?.approvedVia,
        lastSeenAtMs: prev?.lastSeenAtMs,
        lastSeenReason: prev?.lastSeenReason,
      });
      s.paired[device.deviceId] = device;
      return { device: structuredClone(device), request: structuredClone(request) };
    });
  }

  reject(requestIdOrDeviceId: string): PendingRequest | null {
    return this.mutate((s) => {
      const request = findPending(s.pending, requestIdOrDeviceId);
      if (!request) return null;
      delete s.pending[request.requestId];
      return structuredClone(request);
    });
  }

  /** Forgets a paired device (and any pending request it has). */
  remove(deviceId: string): boolean {
    return this.mutate((s) => {
      let removed = false;
      if (s.paired[deviceId]) {
        delete s.paired[deviceId];
        removed = true;
      }
      for (const p of Object.values(s.pending)) {
        if (p.deviceId === deviceId) {
          delete s.pending[p.requestId];
          removed = true;
        }
      }
      return removed;
    });
  }

  rename(deviceId: string, name: string): boolean {
    return this.mutate((s) => {
      const d = s.paired[deviceId];
      if (!d) return false;
      d.displayName = name;
      return true;
    });
  }

  /** Removes every paired device, and every pending request too when `pending` is set. */
  clear(opts: { pending?: boolean }): { removedPending: number; removedPaired: number } {
    return this.mutate((s) => {
      const removedPaired = Object.keys(s.paired).length;
      for (const id of Object.keys(s.paired)) delete s.paired[id];
      let removedPending = 0;
      if (opts.pending) {
        removedPending = Object.keys(s.pending).length;
        for (const id of Object.keys(s.pending)) delete s.pending[id];
      }
      return { removedPending, removedPaired };
    });
  }

  // ---- device tokens ------------------------------------------------------------------------

  /** The device's token for `role`: reused unless revoked or too narrow, else a new one. Throws if not paired. */
  ensureDeviceToken(deviceId: string, role: string, scopes: readonly string[]): DeviceTokenRecord {
    // Fast path without the lock: the usual reconnect reuses a covering token.
    const cached = this.pairedFile.read()[deviceId]?.tokens[role];
    if (cached && cached.revokedAtMs === undefined && missingScopes(cached.scopes, scopes).length === 0) return structuredClone(cached);
    return this.mutate((s) => {
      const d = s.paired[deviceId];
      if (!d) throw new PairingStoreError(`device ${deviceId} is not paired; approve it first: openclaw devices approve ${deviceId}`);
      const current = d.tokens[role];
      const active = current && current.revokedAtMs === undefined ? current : undefined;
      if (active && missingScopes(active.scopes, scopes).length === 0) return structuredClone(active);
      const record: DeviceTokenRecord = { token: generateToken(), role, scopes: union(active?.scopes ?? [], scopes), createdAtMs: this.now() };
      d.tokens[role] = record;
      d.roles = union(d.roles, [role]);
      return structuredClone(record);
    });
  }

  verifyDeviceToken(deviceId: string, role: string, token: string, scopes: readonly string[]): { ok: true; record: DeviceTokenRecord } | { ok: false; reason: TokenVerifyFailure } {
    const d = this.pairedFile.read()[deviceId];
    const failure = verifyAgainst(d, role, token, scopes);
    if (failure) return { ok: false, reason: failure };
    const current = d!.tokens[role];
    if (current.lastUsedAtMs !== undefined && this.now() - current.lastUsedAtMs < SEEN_RESOLUTION_MS) return { ok: true, record: structuredClone(current) };
    const record = this.mutate((s) => {
      // Re-check under the lock: the token may have been rotated or revoked meanwhile.
      const fresh = s.paired[deviceId];
      if (verifyAgainst(fresh, role, token, scopes)) return null;
      fresh.tokens[role].lastUsedAtMs = this.now();
      return structuredClone(fresh.tokens[role]);
    });
    return record ? { ok: true, record } : { ok: false, reason: verifyAgainst(this.pairedFile.read()[deviceId], role, token, scopes) ?? 'token-mismatch' };
  }

  /** A fresh bearer for (device, role); `scopes` replaces the token's scopes and is granted to the device. */
  rotateToken(deviceId: string, role: string, scopes?: readonly string[]): DeviceTokenRecord | null {
    return this.mutate((s) => {
      const d = s.paired[deviceId];
      if (!d || (!d.roles.includes(role) && !d.tokens[role])) return null;
      const now = this.now();
      const nextScopes = scopes ? [...new Set(scopes)] : [...(d.tokens[role]?.scopes ?? d.scopes)];
      const record: DeviceTokenRecord = { token: generateToken(), role, scopes: nextScopes, createdAtMs: now, rotatedAtMs: now };
      d.tokens[role] = record;
      d.roles = union(d.roles, [role]);
      d.scopes = union(d.scopes, nextScopes);
      return structuredClone(record);
    });
  }

  revokeToken(deviceId: string, role: string): boolean {
    return this.mutate((s) => {
      const record = s.paired[deviceId]?.tokens[role];
      if (!record) return false;
      record.revokedAtMs ??= this.now();
      return true;
    });
  }

  touch(deviceId: string, reason: string): void {
    const seen = this.pairedFile.read()[deviceId];
    if (!seen || (seen.lastSeenReason === reason && seen.lastSeenAtMs !== undefined && this.now() - seen.lastSeenAtMs < SEEN_RESOLUTION_MS)) return;
    this.mutate((s) => {
      const d = s.paired[deviceId];
      if (!d) return;
      d.lastSeenAtMs = this.now();
      d.lastSeenReason = reason;
    });
  }

  // ---- files --------------------------------------------------------------------------------

  private livePending(all: Record<string, PendingRequest>): Record<string, PendingRequest> {
    const now = this.now();
    return Object.fromEntries(Object.entries(all).filter(([, p]) => now - (p.refreshedAtMs ?? p.ts) < PENDING_PAIRING_TTL_MS));
  }

  /** Read-modify-write under the lock, from fresh file contents; appends only the records that changed. */
  private mutate<T>(fn: (s: State) => T): T {
    const result = withFileLockSync(this.lockPath, () => {
      const pendingAll = this.pendingFile.read();
      const live = this.livePending(pendingAll);
      const pending = trackedRecords(live);
      const paired = trackedRecords(this.pairedFile.read());
      const result = fn({ pending: pending.view, paired: paired.view });
      const expired: RecordChange<PendingRequest>[] = Object.keys(pendingAll)
        .filter((k) => !Object.hasOwn(live, k))
        .map((key) => ({ key }));
      this.pendingFile.apply([...expired, ...pending.changes()]);
      this.pairedFile.apply(paired.changes());
      return result;
    });
    this.scheduleIdleCompact();
    return result;
  }

  private scheduleIdleCompact(): void {
    if (!this.idleCompactMs) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      try {
        this.compact();
      } catch {
        // a busy lock or a full disk: the journal stays valid, the next write schedules another try
      }
    }, this.idleCompactMs);
    this.idleTimer.unref?.();
  }
}

function parseStateFile<T>(file: string, text: string): Record<string, T> {
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new PairingStoreError(`${file} is not valid JSON; move it aside to start with no devices: mv ${file} ${file}.bad`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PairingStoreError(`${file} does not hold a JSON object of devices; move it aside to start with no devices: mv ${file} ${file}.bad`);
  }
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (isRecord(v)) out[k] = v as T;
  }
  return out;
}

/** Exact requestId, exact deviceId, or a unique prefix (≥ 8 chars) of either. */
function findPending(pending: Record<string, PendingRequest>, idOrPrefix: string): PendingRequest | undefined {
  const wanted = idOrPrefix.trim();
  if (!wanted) return undefined;
  if (pending[wanted]) return pending[wanted];
  const all = Object.values(pending);
  const byDevice = all.find((p) => p.deviceId === wanted.toLowerCase());
  if (byDevice) return byDevice;
  if (wanted.length < MIN_ID_PREFIX) return undefined;
  const w = wanted.toLowerCase();
  const hits = all.filter((p) => p.requestId.toLowerCase().startsWith(w) || p.deviceId.startsWith(w));
  return hits.length === 1 ? hits[0] : undefined;
}

function verifyAgainst(d: PairedDevice | undefined, role: string, token: string, scopes: readonly string[]): TokenVerifyFailure | null {
  if (!d) return 'device-not-paired';
  const record = d.tokens?.[role];
  if (!record || !d.roles.includes(role)) return 'role-missing';
  if (!token) return 'token-missing';
  if (record.revokedAtMs !== undefined) return 'token-revoked';
  if (!safeEqualSecret(token, record.token)) return 'token-mismatch';
  if (missingScopes(record.scopes, scopes).length > 0) return 'scope-mismatch';
  return null;
}
