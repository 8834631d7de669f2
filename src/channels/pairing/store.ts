// The DM pairing store: pending pairing requests and the senders approved through pairing, for
// every channel account, in one file <state>/channels/pairing.json (0600, dir 0700). The CLI (in
// another process, gateway up or down) and the gateway share it, so every change is a fresh
// read-modify-write under <state>/channels/pairing.lock, written atomically; nothing is cached
// across calls except the stat-keyed parse cache behind allowEntries(), which runs for every
// inbound message. Expired requests are never returned, and are dropped from the file by the next
// write. A file that cannot be parsed is never overwritten: it is kept as pairing.json.corrupt-<ts>.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { withFileLockSync, FileLockTimeoutError } from '../../auth/file-lock.js';
import { writeJsonAtomicSync } from '../../infra/atomic-file.js';
import { CHANNEL_IDS, DEFAULT_ACCOUNT_ID, type ChannelId } from '../types.js';
import { CHANNEL_PAIRING_PENDING_MAX, generateUniquePairingCode, isPairingExpired, normalizePairingCode } from './codes.js';

export { FileLockTimeoutError };

/** One pending request, as stored (upstream's legacy file row plus channel and account). */
export interface PairingRequest {
  channel: ChannelId;
  accountId: string;
  /** The sender id (upstream calls it the request id). */
  id: string;
  code: string;
  /** ISO 8601. The 1 h TTL counts from here. */
  createdAt: string;
  /** ISO 8601; bumped each time the sender writes again. */
  lastSeenAt: string;
  /** `accountId` plus channel extras (Telegram username/firstName/lastName, WhatsApp name, Discord tag/name). */
  meta: Record<string, string>;
}

export interface PairingFileV1 {
  version: 1;
  requests: PairingRequest[];
  /** `<channel>:<accountId>` → approved sender ids, in approval order. */
  allow: Record<string, string[]>;
}

export interface UpsertInput {
  channel: ChannelId;
  accountId?: string;
  senderId: string;
  meta?: Record<string, string | number | boolean | undefined | null>;
}

export interface UpsertResult {
  /** '' when no request exists for the sender (cap reached, or already approved). */
  code: string;
  /** True only when a new request was made: the one time the bot replies with the code. */
  created: boolean;
  request?: PairingRequest;
}

export interface ApproveResult {
  senderId: string;
  accountId: string;
  request: PairingRequest;
}

export interface ImportInput {
  requests: PairingRequest[];
  allow: Array<{ channel: ChannelId; accountId: string; entries: string[] }>;
}

export type PairingStoreErrorKind = 'corrupt' | 'unsupported' | 'unreadable' | 'unwritable';

/** A pairing file that cannot be read or written. `problem` names the file and the cause; `fix` says what to run. */
export class ChannelPairingStoreError extends Error {
  constructor(
    readonly kind: PairingStoreErrorKind,
    readonly file: string,
    readonly problem: string,
    readonly fix: string,
    /** Where a corrupt file was kept. */
    readonly backupPath?: string,
  ) {
    super(`${problem}; fix: ${fix}`);
    this.name = 'ChannelPairingStoreError';
  }
}

export interface ChannelPairingStoreOptions {
  now?: () => number;
  /**
   * Called (instead of throwing) after a corrupt pairing.json was kept as pairing.json.corrupt-<ts>
   * and an empty store started, with a message naming both files and the fix. Without it that
   * call throws a ChannelPairingStoreError (kind `corrupt`) saying the same; the next call starts fresh.
   */
  onRecovered?: (message: string) => void;
  /** Lock wait (default 5 s). */
  lockTimeoutMs?: number;
}

export const allowKey = (channel: ChannelId, accountId: string): string => `${channel}:${accountId}`;

/** Opaque, stable id of a request for RPC: the code can never be derived from it. */
export function requestIdOf(r: Pick<PairingRequest, 'channel' | 'accountId' | 'id' | 'createdAt'>): string {
  return crypto.createHash('sha256').update(`${r.channel}\0${r.accountId}\0${r.id}\0${r.createdAt}`).digest('base64url').slice(0, 32);
}

export const requestCreatedAtMs = (r: Pick<PairingRequest, 'createdAt'>): number => Date.parse(r.createdAt);

const isChannel = (v: unknown): v is ChannelId => typeof v === 'string' && (CHANNEL_IDS as readonly string[]).includes(v);
const emptyState = (): PairingFileV1 => ({ version: 1, requests: [], allow: {} });

type StatKey = string | null;

function statKey(file: string): StatKey {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file, { throwIfNoEntry: false });
  } catch (err) {
    throw diskError('unreadable', file, err);
  }
  return st ? `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` : null;
}

export class ChannelPairingStore {
  readonly dir: string;
  readonly file: string;
  readonly lockPath: string;
  private readonly now: () => number;
  private cache: { key: StatKey; allow: Map<string, readonly string[]> } | undefined;

  constructor(
    readonly stateDir: string,
    private readonly opts: ChannelPairingStoreOptions = {},
  ) {
    this.dir = path.join(stateDir, 'channels');
    this.file = path.join(this.dir, 'pairing.json');
    this.lockPath = path.join(this.dir, 'pairing.lock');
    this.now = opts.now ?? Date.now;
  }

  // ---- reads ------------------------------------------------------------------------------

  /** Senders approved through pairing for one channel account. Cheap: re-parses only when the file changed. */
  allowEntries(channel: ChannelId, accountId: string = DEFAULT_ACCOUNT_ID): string[] {
    const key = statKey(this.file);
    if (!this.cache || this.cache.key !== key) {
      const { state, key: readKey } = this.readFile(false);
      this.remember(readKey, state);
    }
    return [...(this.cache!.allow.get(allowKey(channel, accountId)) ?? [])];
  }

  /** Live (unexpired) requests, oldest first. */
  listRequests(filter: { channel?: ChannelId; accountId?: string } = {}, now = this.now()): PairingRequest[] {
    const { state } = this.readFile(false);
    return live(state, now)
      .filter((r) => (!filter.channel || r.channel === filter.channel) && (!filter.accountId || r.accountId === filter.accountId))
      .sort((a, b) => requestCreatedAtMs(a) - requestCreatedAtMs(b))
      .map((r) => structuredClone(r));
  }

  /** The live request with this code (case-insensitive) on `channel` (and `accountId`, when given). */
  findByCode(channel: ChannelId, code: string, accountId?: string, now = this.now()): PairingRequest | undefined {
    const { state } = this.readFile(false);
    const r = matchCode(live(state, now), channel, code, accountId);
    return r ? structuredClone(r) : undefined;
  }

  findByRequestId(channel: ChannelId, requestId: string, accountId?: string, now = this.now()): PairingRequest | undefined {
    return this.listRequests({ channel, accountId }, now).find((r) => requestIdOf(r) === requestId);
  }

  /** Every channel with at least one live request. */
  channelsWithRequests(now = this.now()): ChannelId[] {
    return CHANNEL_IDS.filter((c) => this.listRequests({ channel: c }, now).length > 0);
  }

  // ---- changes ------------------------------------------------------------------------------

  /**
   * Records that an unknown sender asked for access. The same sender again keeps its code (and
   * `lastSeenAt` is bumped); a new sender past the cap, or one already approved, gets no code.
   */
  upsertRequest(input: UpsertInput, now = this.now()): UpsertResult {
    const accountId = input.accountId || DEFAULT_ACCOUNT_ID;
    const senderId = String(input.senderId).trim();
    if (!senderId) throw new Error('upsertRequest: senderId is empty');
    const meta = cleanMeta(input.meta);
    return this.mutate(now, (s) => {
      if (s.allow[allowKey(input.channel, accountId)]?.includes(senderId)) return { code: '', created: false };
      const existing = s.requests.find((r) => r.channel === input.channel && r.accountId === accountId && r.id === senderId);
      const iso = new Date(now).toISOString();
      if (existing) {
        existing.lastSeenAt = iso;
        existing.meta = { ...existing.meta, ...meta, accountId };
        return { code: existing.code, created: false, request: structuredClone(existing) };
      }
      const pending = s.requests.filter((r) => r.channel === input.channel && r.accountId === accountId).length;
      if (pending >= CHANNEL_PAIRING_PENDING_MAX) return { code: '', created: false };
      const code = generateUniquePairingCode(s.requests.filter((r) => r.channel === input.channel).map((r) => r.code));
      const request: PairingRequest = { channel: input.channel, accountId, id: senderId, code, createdAt: iso, lastSeenAt: iso, meta: { ...meta, accountId } };
      s.requests.push(request);
      return { code, created: true, request: structuredClone(request) };
    });
  }

  /** Approves by code (case-insensitive): the request goes, the sender joins the account's approvals. */
  approve(channel: ChannelId, code: string, accountId?: string, now = this.now()): ApproveResult | null {
    return this.mutate(now, (s) => {
      const r = matchCode(s.requests, channel, code, accountId);
      return r ? grant(s, r) : null;
    });
  }

  /** Approves the request of one sender; with `requestId`, only if it is still that very request. */
  approveRequest(channel: ChannelId, accountId: string, senderId: string, requestId?: string, now = this.now()): ApproveResult | null {
    return this.mutate(now, (s) => {
      const r = s.requests.find((q) => q.channel === channel && q.accountId === accountId && q.id === senderId);
      return r && (requestId === undefined || requestIdOf(r) === requestId) ? grant(s, r) : null;
    });
  }

  /** Drops a request without approving. Not a block: the sender can ask again. */
  dismiss(channel: ChannelId, accountId: string, senderId: string, requestId?: string, now = this.now()): boolean {
    return this.mutate(now, (s) => {
      const i = s.requests.findIndex((q) => q.channel === channel && q.accountId === accountId && q.id === senderId && (requestId === undefined || requestIdOf(q) === requestId));
      if (i < 0) return false;
      s.requests.splice(i, 1);
      return true;
    });
  }

  /** Approves a sender directly (no request needed); any pending request of theirs is dropped. */
  addAllowEntry(channel: ChannelId, accountId: string, senderId: string, now = this.now()): boolean {
    const id = String(senderId).trim();
    if (!id) return false;
    return this.mutate(now, (s) => {
      s.requests = s.requests.filter((r) => !(r.channel === channel && r.accountId === accountId && r.id === id));
      return addAllowed(s, channel, accountId, id);
    });
  }

  removeAllowEntry(channel: ChannelId, accountId: string, senderId: string, now = this.now()): boolean {
    return this.mutate(now, (s) => {
      const key = allowKey(channel, accountId);
      const list = s.allow[key];
      if (!list?.includes(senderId)) return false;
      const rest = list.filter((e) => e !== senderId);
      if (rest.length) s.allow[key] = rest;
      else delete s.allow[key];
      return true;
    });
  }

  /**
   * Merges rows from elsewhere (the legacy credentials files) without duplicates: approvals first,
   * then requests that are still live, whose sender has no request and no approval yet. A code
   * already taken on the channel is redrawn. Returns what was added (after the per-account cap).
   */
  importEntries(input: ImportInput, now = this.now()): { requests: number; allowEntries: number } {
    return this.mutate(now, (s) => {
      let allowEntries = 0;
      for (const a of input.allow) for (const e of a.entries) if (addAllowed(s, a.channel, a.accountId, e)) allowEntries++;
      const added: PairingRequest[] = [];
      for (const r of input.requests) {
        if (isPairingExpired(requestCreatedAtMs(r), now)) continue;
        if (s.allow[allowKey(r.channel, r.accountId)]?.includes(r.id)) continue;
        if (s.requests.some((q) => q.channel === r.channel && q.accountId === r.accountId && q.id === r.id)) continue;
        const taken = s.requests.filter((q) => q.channel === r.channel).map((q) => normalizePairingCode(q.code));
        const code = taken.includes(normalizePairingCode(r.code)) || !r.code ? generateUniquePairingCode(taken) : normalizePairingCode(r.code);
        const row = { ...structuredClone(r), code };
        s.requests.push(row);
        added.push(row);
      }
      prune(s, now);
      return { requests: added.filter((r) => s.requests.includes(r)).length, allowEntries };
    });
  }

  // ---- file ---------------------------------------------------------------------------------

  /** Read-modify-write from fresh file contents under the lock; writes only when something changed. */
  private mutate<T>(now: number, fn: (s: PairingFileV1) => T): T {
    return this.locked(() => {
      const { state: before } = this.readFile(true);
      const state = structuredClone(before);
      prune(state, now);
      const result = fn(state);
      prune(state, now);
      if (JSON.stringify(state) !== JSON.stringify(before)) {
        try {
          writeJsonAtomicSync(this.file, state, { mode: 0o600, dirMode: 0o700 });
        } catch (err) {
          throw diskError('unwritable', this.file, err);
        }
        this.remember(statKey(this.file), state);
      }
      return result;
    });
  }

  private locked<T>(fn: () => T): T {
    try {
      return withFileLockSync(this.lockPath, fn, { timeoutMs: this.opts.lockTimeoutMs });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Only failures to take the lock itself; errors from fn are already ours.
      if (code && (err as NodeJS.ErrnoException).path && !(err instanceof ChannelPairingStoreError)) throw diskError('unwritable', this.lockPath, err);
      throw err;
    }
  }

  private remember(key: StatKey, state: PairingFileV1): void {
    this.cache = { key, allow: new Map(Object.entries(state.allow).map(([k, v]) => [k, Object.freeze([...v])])) };
  }

  /** Parses the file as it is now. A corrupt file is set aside (see onRecovered). */
  private readFile(holdingLock: boolean): { state: PairingFileV1; key: StatKey } {
    for (let attempt = 0; ; attempt++) {
      const key = statKey(this.file);
      if (key === null) return { state: emptyState(), key };
      let text: string;
      try {
        text = fs.readFileSync(this.file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // replaced or set aside meanwhile
        throw diskError('unreadable', this.file, err);
      }
      const parsed = parseState(text);
      // Rewritten between stat and read: a key no stat matches, so the next call reads again.
      if (parsed.ok) return { state: parsed.state, key: statKey(this.file) === key ? key : 'unstable' };
      if (parsed.unsupported) {
        throw new ChannelPairingStoreError('unsupported', this.file, `${this.file} was written by a newer openclaw (${parsed.detail})`, `upgrade openclaw (npm install -g openclaw@latest), or move the file aside to start empty: mv ${this.file} ${this.file}.bak`);
      }
      const set = holdingLock ? this.setAside(key, parsed.detail) : this.locked(() => this.setAside(key, parsed.detail));
      if (set === 'changed' && attempt < 3) continue; // someone rewrote it meanwhile: read that
      return { state: emptyState(), key: null };
    }
  }

  /** Renames a corrupt file (if it is still the one we read) to pairing.json.corrupt-<ts>, then says so. */
  private setAside(key: StatKey, detail: string): 'changed' | 'done' {
    if (statKey(this.file) !== key) return 'changed';
    const stamp = new Date(this.now()).toISOString().replace(/[:.]/g, '-');
    let backup = `${this.file}.corrupt-${stamp}`;
    for (let n = 1; fs.existsSync(backup); n++) backup = `${this.file}.corrupt-${stamp}-${n}`;
    try {
      fs.renameSync(this.file, backup);
    } catch (err) {
      throw diskError('unwritable', this.file, err);
    }
    const problem = `${this.file} is not valid pairing state (${detail}); kept it as ${backup} and started an empty pairing store, so its pending codes and pairing approvals no longer apply`;
    const fix = `re-approve senders (openclaw pairing list, then openclaw pairing approve <channel> <code>), or copy their ids from ${backup} into channels.<channel>.allowFrom`;
    if (this.opts.onRecovered) {
      this.opts.onRecovered(`${problem}; fix: ${fix}`);
      return 'done';
    }
    throw new ChannelPairingStoreError('corrupt', this.file, problem, fix, backup);
  }
}

// ---- state helpers ----------------------------------------------------------------------------

function live(s: PairingFileV1, now: number): PairingRequest[] {
  const copy = structuredClone(s);
  prune(copy, now);
  return copy.requests;
}

/** Drops expired requests, requests of approved senders, and over-cap rows (oldest lastSeenAt first). */
function prune(s: PairingFileV1, now: number): void {
  s.requests = s.requests.filter((r) => !isPairingExpired(requestCreatedAtMs(r), now) && !s.allow[allowKey(r.channel, r.accountId)]?.includes(r.id));
  const groups = new Map<string, PairingRequest[]>();
  for (const r of s.requests) {
    const k = allowKey(r.channel, r.accountId);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const drop = new Set<PairingRequest>();
  for (const rows of groups.values()) {
    if (rows.length <= CHANNEL_PAIRING_PENDING_MAX) continue;
    const newestFirst = [...rows].sort((a, b) => Date.parse(b.lastSeenAt) - Date.parse(a.lastSeenAt));
    for (const r of newestFirst.slice(CHANNEL_PAIRING_PENDING_MAX)) drop.add(r);
  }
  if (drop.size) s.requests = s.requests.filter((r) => !drop.has(r));
}

function matchCode(rows: PairingRequest[], channel: ChannelId, code: string, accountId?: string): PairingRequest | undefined {
  const wanted = normalizePairingCode(code);
  if (!wanted) return undefined;
  return rows.find((r) => r.channel === channel && (!accountId || r.accountId === accountId) && normalizePairingCode(r.code) === wanted);
}

function grant(s: PairingFileV1, r: PairingRequest): ApproveResult {
  s.requests = s.requests.filter((q) => q !== r);
  addAllowed(s, r.channel, r.accountId, r.id);
  return { senderId: r.id, accountId: r.accountId, request: structuredClone(r) };
}

function addAllowed(s: PairingFileV1, channel: ChannelId, accountId: string, entry: string): boolean {
  const key = allowKey(channel, accountId);
  const list = (s.allow[key] ??= []);
  if (list.includes(entry)) return false;
  list.push(entry);
  return true;
}

function cleanMeta(meta: UpsertInput['meta']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta ?? {})) if (v !== undefined && v !== null && String(v) !== '') out[k] = String(v);
  return out;
}

type Parsed = { ok: true; state: PairingFileV1 } | { ok: false; unsupported?: boolean; detail: string };

/** Validates the file; rows that are not requests are dropped, a wrong top-level shape is corrupt. */
export function parseState(text: string): Parsed {
  if (text.trim() === '') return { ok: true, state: emptyState() };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { ok: false, detail: `invalid JSON: ${(err as Error).message}` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, detail: 'the top level is not an object' };
  const o = v as { version?: unknown; requests?: unknown; allow?: unknown };
  if (typeof o.version === 'number' && o.version > 1) return { ok: false, unsupported: true, detail: `version ${o.version}, this openclaw reads version 1` };
  if (o.version !== undefined && o.version !== 1) return { ok: false, detail: `unknown version ${JSON.stringify(o.version)}` };
  if (o.requests !== undefined && !Array.isArray(o.requests)) return { ok: false, detail: '"requests" is not an array' };
  if (o.allow !== undefined && (typeof o.allow !== 'object' || o.allow === null || Array.isArray(o.allow))) return { ok: false, detail: '"allow" is not an object' };
  const state = emptyState();
  for (const row of (o.requests as unknown[] | undefined) ?? []) {
    const r = row as Partial<Record<keyof PairingRequest, unknown>> | null;
    if (!r || typeof r !== 'object' || !isChannel(r.channel) || typeof r.accountId !== 'string' || !r.accountId) continue;
    if (typeof r.id !== 'string' || !r.id || typeof r.code !== 'string' || typeof r.createdAt !== 'string' || !Number.isFinite(Date.parse(r.createdAt))) continue;
    const lastSeenAt = typeof r.lastSeenAt === 'string' && Number.isFinite(Date.parse(r.lastSeenAt)) ? r.lastSeenAt : r.createdAt;
    const meta = r.meta && typeof r.meta === 'object' && !Array.isArray(r.meta) ? cleanMeta(r.meta as Record<string, string>) : {};
    state.requests.push({ channel: r.channel, accountId: r.accountId, id: r.id, code: r.code, createdAt: r.createdAt, lastSeenAt, meta });
  }
  for (const [k, list] of Object.entries((o.allow as Record<string, unknown> | undefined) ?? {})) {
    if (!Array.isArray(list)) return { ok: false, detail: `"allow.${k}" is not an array` };
    const entries = [...new Set(list.filter((e) => typeof e === 'string' || typeof e === 'number').map((e) => String(e).trim()).filter(Boolean))];
    if (entries.length) state.allow[k] = entries;
  }
  return { ok: true, state };
}

const ERRNO_TEXT: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  EMFILE: 'too many open files',
};

/** A disk error as one sentence naming the file and the cause, with the fix for that cause. */
export function diskError(kind: 'unreadable' | 'unwritable', file: string, err: unknown): ChannelPairingStoreError {
  if (err instanceof ChannelPairingStoreError) return err;
  const code = (err as NodeJS.ErrnoException)?.code ?? 'error';
  const dir = path.dirname(file);
  const cause = ERRNO_TEXT[code] ? `${code}: ${ERRNO_TEXT[code]}` : code === 'error' ? (err as Error)?.message ?? String(err) : code;
  let fix: string;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      fix = `the gateway and the openclaw CLI must run as the same user that owns ${dir}: ls -ld ${dir} ${file}, then chown -R "$(id -un)" ${dir} && chmod 700 ${dir}`;
      break;
    case 'ENOSPC':
    case 'EDQUOT':
      fix = `free disk space on the volume holding ${dir} (df -h ${dir}), then retry`;
      break;
    case 'EROFS':
      fix = `the state directory is on a read-only file system; point OPENCLAW_STATE_DIR at a writable directory`;
      break;
    case 'EISDIR':
    case 'ENOTDIR':
      fix = `move the thing in the way aside: mv ${file} ${file}.bak`;
      break;
    default:
      fix = `check ${dir} (ls -ld ${dir}) and retry`;
  }
  return new ChannelPairingStoreError(kind, file, `Cannot ${kind === 'unreadable' ? 'read' : 'write'} ${file} (${cause})`, fix);
}
