// Sessions on disk: <state>/agents/<agentId>/sessions/<sessionKey>.jsonl plus a sessions.json
// index (for sessions.list without reading every transcript). The transcript is the source of
// truth; the index is rebuilt from the files when it is missing.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readJsonFileSync, writeJsonAtomicSync } from '../infra/atomic-file.js';
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

export class SessionStore {
  private readonly writer = new TranscriptWriter();

  constructor(readonly agentsDir: string) {}

  sessionsDir(agentId: string): string {
    return path.join(this.agentsDir, sessionFileName(agentId).replace(/\.jsonl$/, ''), 'sessions');
  }

  transcriptPath(agentId: string, sessionKey: string): string {
    return path.join(this.sessionsDir(agentId), sessionFileName(sessionKey));
  }

  /** Appends one message durably (fsync) and updates the index. */
  async append(agentId: string, sessionKey: string, message: TranscriptMessage, runId?: string, resumable?: TranscriptEntry['resumable'], origin?: TranscriptEntry['origin']): Promise<TranscriptEntry> {
    const entry: TranscriptEntry = { type: 'message', id: crypto.randomUUID(), ts: Date.now(), ...(runId ? { runId } : {}), message, ...(resumable ? { resumable } : {}), ...(origin ? { origin } : {}) };
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
    return out ?? this.list(agentId).find((s) => s.sessionKey === sessionKey)!;
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
    return agents.flatMap((a) => Object.values(this.readIndex(a))).sort((x, y) => y.updatedAt - x.updatedAt);
  }

  /** Starts the session over; the old transcript is kept as `<file>.reset.<ts>`. */
  reset(agentId: string, sessionKey: string): boolean {
    const existed = this.archive(agentId, sessionKey, 'reset');
    this.updateIndex(agentId, sessionKey, (info) => {
      info.messageCount = 0;
      info.inputTokens = 0;
      info.outputTokens = 0;
      info.updatedAt = Date.now();
    });
    return existed;
  }

  /** Removes the session from the index; the transcript is kept as `<file>.deleted.<ts>`. */
  delete(agentId: string, sessionKey: string): boolean {
    const existed = this.archive(agentId, sessionKey, 'deleted');
    const index = this.readIndex(agentId);
    const had = sessionKey in index;
    delete index[sessionKey];
    writeJsonAtomicSync(this.indexPath(agentId), index);
    return existed || had;
  }

  flush(): Promise<void> {
    return this.writer.flush();
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

  private indexPath(agentId: string): string {
    return path.join(this.sessionsDir(agentId), 'sessions.json');
  }

  private readIndex(agentId: string): Index {
    return this.readIndexFile(agentId) ?? this.rebuildIndex(agentId);
  }

  /** undefined when missing or damaged (then it is rebuilt from the transcripts). */
  private readIndexFile(agentId: string): Index | undefined {
    try {
      return readJsonFileSync<Index | undefined>(this.indexPath(agentId), undefined);
    } catch {
      return undefined;
    }
  }

  private rebuildIndex(agentId: string): Index {
    const index: Index = {};
    let files: string[] = [];
    try {
      files = fs.readdirSync(this.sessionsDir(agentId)).filter((f) => f.endsWith('.jsonl'));
    } catch {
      return index;
    }
    for (const f of files) {
      const sessionKey = decodeURIComponent(f.slice(0, -'.jsonl'.length));
      index[sessionKey] = infoFromEntries(agentId, sessionKey, readTranscript(path.join(this.sessionsDir(agentId), f)));
    }
    return index;
  }

  /** Recomputes the index entries of `keys` from their transcripts (a key without one is dropped); labels are kept. */
  reindex(agentId: string, keys: string[]): void {
    const index = this.readIndex(agentId);
    const label = keys.map((k) => index[k]?.label).reverse().find(Boolean);
    for (const key of keys) {
      const entries = readTranscript(this.transcriptPath(agentId, key));
      if (entries.length === 0) delete index[key];
      else index[key] = { ...infoFromEntries(agentId, key, entries), ...(label ? { label } : {}) };
    }
    writeJsonAtomicSync(this.indexPath(agentId), index);
  }

  /** Applies `change` to the session's entry; a lost index is rebuilt (already counting the change). */
  private updateIndex(agentId: string, sessionKey: string, change: (info: SessionInfo) => void): void {
    let index = this.readIndexFile(agentId);
    if (index) {
      const info = index[sessionKey] ?? emptyInfo(agentId, sessionKey, Date.now());
      change(info);
      index[sessionKey] = info;
    } else {
      index = this.rebuildIndex(agentId);
      index[sessionKey] ??= emptyInfo(agentId, sessionKey, Date.now());
    }
    writeJsonAtomicSync(this.indexPath(agentId), index);
  }
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

function infoFromEntries(agentId: string, sessionKey: string, entries: TranscriptEntry[]): SessionInfo {
  const info = emptyInfo(agentId, sessionKey, entries[0]?.ts ?? Date.now());
  for (const e of entries) {
    info.updatedAt = e.ts;
    info.messageCount += 1;
    if (e.message.model) info.lastModel = e.message.model;
    info.inputTokens += e.message.usage?.inputTokens ?? 0;
    info.outputTokens += e.message.usage?.outputTokens ?? 0;
    if (e.origin) info.origin = pickOrigin(e.origin);
  }
  return info;
}

function emptyInfo(agentId: string, sessionKey: string, createdAt: number): SessionInfo {
  return { agentId, sessionKey, createdAt, updatedAt: createdAt, messageCount: 0, inputTokens: 0, outputTokens: 0 };
}
