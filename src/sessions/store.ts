// Sessions on disk: <state>/agents/<agentId>/sessions/<sessionKey>.jsonl plus a sessions.json
// index (for sessions.list without reading every transcript). The transcript is the source of
// truth; the index is rebuilt from the files when it is missing. Index updates go to an append-only
// journal folded into sessions.json now and then (index-journal.ts), so a turn costs the same with
// ten sessions or ten thousand.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { IndexJournal } from './index-journal.js';
import { orderByTurn, readTranscript, TranscriptWriter, type TranscriptEntry, type TranscriptMessage } from './transcript.js';

export interface SessionInfo {
  agentId: string;
  sessionKey: string;
  createdAt: number;
  updatedAt: number;
  messageCount: number;
  lastModel?: string;
  inputTokens: number;
  outputTokens: number;
  /** A name the user gave the session (sessions.patch). */
  label?: string;
  /** Channel sessions: where the last channel message came from (friendly names). */
  origin?: { channel?: string; senderLabel?: string; senderId?: string; chatType?: string };
}

type Index = Record<string, SessionInfo>;

/** A chat.send turn whose user message is on disk but whose reply never was (the gateway died). */
export interface InterruptedTurn {
  agentId: string;
  sessionKey: string;
  runId: string;
  message: TranscriptMessage['content'];
  model?: string;
  /** When the user message was accepted. */
  ts: number;
}

/** File-name-safe form of a session key (`agent:main:main` stays readable). */
export function sessionFileName(sessionKey: string): string {
  const safe = encodeURIComponent(sessionKey).replace(/%3A/g, ':').replace(/%40/g, '@');
  return `${safe.startsWith('.') ? `%2E${safe.slice(1)}` : safe}.jsonl`;
}

export interface SessionStoreOptions {
  /** Fold the index journal into sessions.json after this long without writes (ms; 0: only by size and on flush). */
  idleCompactMs?: number;
}

export class SessionStore {
  private readonly writer = new TranscriptWriter();
  private readonly indexes = new Map<string, IndexJournal<SessionInfo>>();

  constructor(
    readonly agentsDir: string,
    private readonly o: SessionStoreOptions = {},
  ) {}

  sessionsDir(agentId: string): string {
    return path.join(this.agentsDir, sessionFileName(agentId).replace(/\.jsonl$/, ''), 'sessions');
  }

  transcriptPath(agentId: string, sessionKey: string): string {
    return path.join(this.sessionsDir(agentId), sessionFileName(sessionKey));
  }

  /** Appends one message durably (fsync) and updates the index. */
  async append(agentId: string, sessionKey: string, message: TranscriptMessage, runId?: string, resumable?: TranscriptEntry['resumable'], origin?: TranscriptEntry['origin']): Promise<TranscriptEntry> {
    const entry: TranscriptEntry = { type: 'message', id: crypto.randomUUID(), ts: Date.now(), ...(runId ? { runId } : {}), message, ...(resumable ? { resumable } : {}), ...(origin ? { origin } : {}) };
    this.index(agentId).entries(); // loaded (a lost index rebuilt) before this message is on disk, so it counts once
    await this.writer.append(this.transcriptPath(agentId, sessionKey), entry);
    this.updateIndex(agentId, sessionKey, (info) => {
      info.updatedAt = entry.ts;
      info.messageCount += 1;
      if (message.model) info.lastModel = message.model;
      info.inputTokens += message.usage?.inputTokens ?? 0;
      info.outputTokens += message.usage?.outputTokens ?? 0;
      if (origin) info.origin = pickOrigin(origin);
    });
    return entry;
  }

  /** Sets (or with null clears) the session's label; creates the index entry of a new session. */
  patch(agentId: string, sessionKey: string, change: { label?: string | null }): SessionInfo {
    let out!: SessionInfo;
    this.updateIndex(agentId, sessionKey, (info) => {
      if (change.label === null) delete info.label;
      else if (change.label !== undefined) info.label = change.label;
      out = info;
    });
    return out;
  }

  /** The last `limit` entries in conversation order. */
  history(agentId: string, sessionKey: string, limit = 200): TranscriptEntry[] {
    const all = orderByTurn(readTranscript(this.transcriptPath(agentId, sessionKey)));
    return limit >= all.length ? all : all.slice(all.length - limit);
  }

  /**
   * Resumable turns accepted at or after `sinceTs` that have no assistant message yet, oldest first.
   * Only sessions the index shows as updated since then are read, so the scan stays small.
   */
  interruptedTurns(sinceTs: number): InterruptedTurn[] {
    const out: InterruptedTurn[] = [];
    for (const info of this.list()) {
      if (info.updatedAt < sinceTs) continue;
      out.push(...findInterrupted(readTranscript(this.transcriptPath(info.agentId, info.sessionKey)), sinceTs).map((e) => ({
        agentId: info.agentId,
        sessionKey: info.sessionKey,
        runId: e.runId!,
        message: e.message.content,
        ...(e.resumable?.model ? { model: e.resumable.model } : {}),
        ts: e.ts,
      })));
    }
    return out.sort((a, b) => a.ts - b.ts);
  }

  list(agentId?: string): SessionInfo[] {
    const agents = agentId ? [agentId] : this.agentIds();
    return agents.flatMap((a) => Object.values(this.index(a).entries())).sort((x, y) => y.updatedAt - x.updatedAt);
  }

  /** One session's entry (no sort over all of them). */
  info(agentId: string, sessionKey: string): SessionInfo | undefined {
    return this.index(agentId).get(sessionKey);
  }

  /** Starts the session over; the old transcript is kept as `<file>.reset.<ts>`. */
  reset(agentId: string, sessionKey: string): boolean {
    const existed = this.archive(agentId, sessionKey, 'reset');
    this.updateIndex(
      agentId,
      sessionKey,
      (info) => {
        info.messageCount = 0;
        info.inputTokens = 0;
        info.outputTokens = 0;
        info.updatedAt = Date.now();
      },
      true,
    );
    return existed;
  }

  /** Removes the session from the index; the transcript is kept as `<file>.deleted.<ts>`. */
  delete(agentId: string, sessionKey: string): boolean {
    const existed = this.archive(agentId, sessionKey, 'deleted');
    const had = this.index(agentId).del(sessionKey);
    return existed || had;
  }

  /** Waits for pending transcript appends, then folds every index journal into its sessions.json. */
  async flush(): Promise<void> {
    await this.writer.flush();
    for (const index of this.indexes.values()) index.compact();
  }

  private archive(agentId: string, sessionKey: string, label: string): boolean {
    const file = this.transcriptPath(agentId, sessionKey);
    try {
      fs.renameSync(file, `${file}.${label}.${Date.now()}`);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** Agents with a sessions folder on disk. */
  agentIds(): string[] {
    try {
      return fs.readdirSync(this.agentsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => decodeURIComponent(d.name));
    } catch {
      return [];
    }
  }

  private index(agentId: string): IndexJournal<SessionInfo> {
    let index = this.indexes.get(agentId);
    if (!index) {
      const dir = this.sessionsDir(agentId);
      index = new IndexJournal<SessionInfo>({
        indexPath: path.join(dir, 'sessions.json'),
        idleCompactMs: this.o.idleCompactMs,
        transcripts: () => {
          try {
            return fs
              .readdirSync(dir)
              .filter((f) => f.endsWith('.jsonl'))
              .map((f): [string, string] => [decodeURIComponent(f.slice(0, -'.jsonl'.length)), path.join(dir, f)]);
          } catch {
            return [];
          }
        },
        derive: (sessionKey, file, previous) => deriveInfo(agentId, sessionKey, readTranscript(file), previous),
      });
      this.indexes.set(agentId, index);
    }
    return index;
  }

  /** Recomputes the index entries of `keys` from their transcripts (a key without one is dropped); labels are kept. */
  reindex(agentId: string, keys: string[]): void {
    const index = this.index(agentId);
    const label = keys.map((k) => index.get(k)?.label).reverse().find(Boolean);
    for (const key of keys) {
      const entries = readTranscript(this.transcriptPath(agentId, key));
      if (entries.length === 0) index.del(key);
      else index.putDurably({ ...deriveInfo(agentId, key, entries, undefined), ...(label ? { label } : {}) });
    }
  }

  /** Applies `change` to the session's entry (one journal line, not a rewrite of the index). */
  private updateIndex(agentId: string, sessionKey: string, change: (info: SessionInfo) => void, durable = false): void {
    const index = this.index(agentId);
    const info = { ...(index.get(sessionKey) ?? emptyInfo(agentId, sessionKey, Date.now())) };
    change(info);
    if (durable) index.putDurably(info);
    else index.put(info);
  }
}

/** An index entry computed from the transcript; `previous` keeps the creation time and a later reset time. */
function deriveInfo(agentId: string, sessionKey: string, entries: TranscriptEntry[], previous: SessionInfo | undefined): SessionInfo {
  // an empty file (killed between creating it and writing its first line) is a session with no messages, as before
  const info = emptyInfo(agentId, sessionKey, previous?.createdAt ?? entries[0]?.ts ?? Date.now());
  info.updatedAt = previous?.updatedAt ?? info.createdAt;
  if (previous?.lastModel) info.lastModel = previous.lastModel;
  if (previous?.label) info.label = previous.label;
  if (previous?.origin) info.origin = previous.origin;
  for (const e of entries) {
    info.updatedAt = Math.max(info.updatedAt, e.ts);
    info.messageCount += 1;
    if (e.message.model) info.lastModel = e.message.model;
    info.inputTokens += e.message.usage?.inputTokens ?? 0;
    info.outputTokens += e.message.usage?.outputTokens ?? 0;
    if (e.origin) info.origin = pickOrigin(e.origin);
  }
  return info;
}

/** Resumable user entries (at or after `sinceTs`) with no assistant entry of the same run. */
export function findInterrupted(entries: TranscriptEntry[], sinceTs: number): TranscriptEntry[] {
  const answered = new Set(entries.filter((e) => e.message.role === 'assistant' && e.runId).map((e) => e.runId));
  return entries.filter((e) => e.resumable && e.runId && e.message.role === 'user' && e.ts >= sinceTs && !answered.has(e.runId));
}

function pickOrigin(o: Record<string, unknown>): NonNullable<SessionInfo['origin']> {
  const out: Record<string, string> = {};
  for (const k of ['channel', 'senderLabel', 'senderId', 'chatType']) if (typeof o[k] === 'string' && o[k]) out[k] = o[k] as string;
  return out;
}


function emptyInfo(agentId: string, sessionKey: string, createdAt: number): SessionInfo {
  return { agentId, sessionKey, createdAt, updatedAt: createdAt, messageCount: 0, inputTokens: 0, outputTokens: 0 };
}
