// The sessions.json index of one agent, kept in memory and made durable as an append-only journal
// (`sessions.json.journal`, one upsert/delete record a line) beside it. A turn appends one small
// line instead of rewriting the whole index, so its cost does not grow with the number of sessions.
// The journal is folded into sessions.json (same layout as before, atomic write) when it has grown
// past the index's size, when the store has been idle for a moment, and on shutdown; official tools
// that read sessions.json see it current then.
//
// The transcripts stay the source of truth. A kill -9 between a transcript append and its journal
// line (or a lost journal tail) is repaired on load: every transcript written since the journal's
// last write is re-read and its entry re-derived. Replaying records is idempotent (each carries the
// entry's whole state), so a crash between writing sessions.json and removing the journal is harmless.
import fs from 'node:fs';
import path from 'node:path';
import { readJsonFileSync, writeJsonAtomicSync } from '../infra/atomic-file.js';

export interface IndexInfo {
  sessionKey: string;
  updatedAt: number;
}

type Record_<T> = { op: 'put'; info: T } | { op: 'del'; key: string };

export interface IndexJournalOptions<T> {
  /** The sessions.json path; the journal lives beside it. */
  indexPath: string;
  /** Transcript files (`*.jsonl`) beside the index, as [sessionKey, file]. */
  transcripts(): Array<[string, string]>;
  /** Derives an entry from its transcript (`previous` keeps what the transcript does not hold). */
  derive(sessionKey: string, file: string, previous: T | undefined): T | undefined;
  /** Fold the journal into sessions.json after this long without writes (0: only by size and on close). */
  idleCompactMs?: number;
}

/** Transcripts written this close to the journal's last write are re-derived on load too (coarse mtimes). */
const MTIME_SLACK_MS = 2000;
const MIN_RECORDS_BEFORE_COMPACT = 256;

export class IndexJournal<T extends IndexInfo> {
  private index: Record<string, T> = {};
  private loaded = false;
  private records = 0;
  /** Records after which the journal is folded: the index's size at the last fold, so the fold's cost per record stays O(1). */
  private foldAfter = MIN_RECORDS_BEFORE_COMPACT;
  private journalSize = 0;
  private indexStamp = '';
  private idleTimer: NodeJS.Timeout | undefined;
  readonly journalPath: string;

  constructor(private readonly o: IndexJournalOptions<T>) {
    // not *.jsonl: that is a transcript (a session named `sessions.journal` would collide), for us and for official tools
    this.journalPath = `${o.indexPath}.journal`;
  }

  /** The current index (do not mutate; use put/del). */
  entries(): Readonly<Record<string, T>> {
    this.refresh();
    return this.index;
  }

  get(sessionKey: string): T | undefined {
    return this.entries()[sessionKey];
  }

  put(info: T): void {
    this.refresh();
    this.index[info.sessionKey] = info;
    this.write({ op: 'put', info }, false);
  }

  /** Deletes are fsynced at once: unlike an append, a transcript read at load cannot restore them. */
  del(sessionKey: string): boolean {
    this.refresh();
    const had = sessionKey in this.index;
    delete this.index[sessionKey];
    this.write({ op: 'del', key: sessionKey }, true);
    return had;
  }

  /** A put that must survive power loss too (a reset: its transcript is gone, nothing to re-derive). */
  putDurably(info: T): void {
    this.refresh();
    this.index[info.sessionKey] = info;
    this.write({ op: 'put', info }, true);
  }

  /** Writes sessions.json from memory and drops the journal. */
  compact(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (!this.loaded || (this.records === 0 && this.indexStamp)) return;
    writeJsonAtomicSync(this.o.indexPath, this.index);
    fs.rmSync(this.journalPath, { force: true });
    this.records = 0;
    this.journalSize = 0;
    this.indexStamp = stamp(this.o.indexPath);
    this.foldAfter = Math.max(MIN_RECORDS_BEFORE_COMPACT, Object.keys(this.index).length);
  }

  private write(rec: Record_<T>, durable: boolean): void {
    if (!this.indexStamp) {
      // No sessions.json yet (a new agent): write it now, so readers of the file find every session.
      this.records = Math.max(this.records, 1);
      return this.compact();
    }
    const line = Buffer.from(JSON.stringify(rec) + '\n', 'utf8');
    const fd = openForAppend(this.journalPath);
    try {
      fs.writeSync(fd, line);
      if (durable) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.journalSize += line.length;
    this.records += 1;
    if (this.records > this.foldAfter) this.compactQuietly();
    else this.scheduleIdleCompact();
  }

  /** A fold that fails (disk full) leaves the journal, which already holds the change; the next one retries. */
  private compactQuietly(): void {
    try {
      this.compact();
    } catch {
      // kept in the journal
    }
  }

  private scheduleIdleCompact(): void {
    const ms = this.o.idleCompactMs ?? 1000;
    if (!ms) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      this.compactQuietly();
    }, ms);
    this.idleTimer.unref();
  }

  /** Loads on first use; afterwards picks up what another process appended or compacted. */
  private refresh(): void {
    if (!this.loaded) return this.load();
    const now = stamp(this.o.indexPath);
    const size = fileSize(this.journalPath);
    if (now !== this.indexStamp || size < this.journalSize) return this.load();
    if (size > this.journalSize) {
      const fd = fs.openSync(this.journalPath, 'r');
      try {
        const buf = Buffer.alloc(size - this.journalSize);
        fs.readSync(fd, buf, 0, buf.length, this.journalSize);
        this.apply(buf.toString('utf8'));
      } finally {
        fs.closeSync(fd);
      }
      this.journalSize = size;
    }
  }

  private load(): void {
    let base: Record<string, T> | undefined;
    try {
      base = readJsonFileSync<Record<string, T> | undefined>(this.o.indexPath, undefined);
      if (!base || typeof base !== 'object' || Array.isArray(base)) base = undefined;
    } catch {
      base = undefined; // damaged: rebuilt from the transcripts below
    }
    this.loaded = true;
    this.index = {};
    this.records = 0;
    let journal = '';
    try {
      journal = fs.readFileSync(this.journalPath, 'utf8');
    } catch {
      journal = '';
    }
    this.journalSize = Buffer.byteLength(journal);
    // Without a readable sessions.json every transcript is re-read, whatever the journal says.
    const since = base ? Math.max(mtime(this.o.indexPath), mtime(this.journalPath)) - MTIME_SLACK_MS : -Infinity;
    if (base) {
      this.index = base;
      this.apply(journal);
    }
    this.indexStamp = base ? stamp(this.o.indexPath) : '';
    this.foldAfter = Math.max(MIN_RECORDS_BEFORE_COMPACT, Object.keys(this.index).length);
    const transcripts = this.o.transcripts();
    // A missing index is written out at once, unless there is nothing at all (no directory is created on a read).
    // A torn last line (power loss) is folded away now, or the next record would be appended to it.
    let repaired = (!base && (transcripts.length > 0 || this.journalSize > 0)) || (journal.length > 0 && !journal.endsWith('\n'));
    for (const [key, file] of transcripts) {
      const prev = this.index[key];
      if (prev && mtime(file) < since) continue;
      const next = this.o.derive(key, file, prev);
      if (!next || JSON.stringify(next) === JSON.stringify(prev)) continue;
      this.index[key] = next;
      repaired = true;
    }
    if (repaired) {
      this.records = Math.max(this.records, 1);
      // On a full disk the repaired index stays in memory; the next fold writes it.
      this.compactQuietly();
    }
  }

  private apply(text: string): void {
    for (const line of text.split('\n')) {
      if (!line) continue;
      let rec: Record_<T>;
      try {
        rec = JSON.parse(line) as Record_<T>;
      } catch {
        continue; // a torn last line
      }
      if (rec.op === 'put' && rec.info?.sessionKey !== undefined) this.index[rec.info.sessionKey] = rec.info;
      else if (rec.op === 'del') delete this.index[rec.key];
      this.records += 1;
    }
  }
}

function openForAppend(file: string): number {
  try {
    return fs.openSync(file, 'a', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    return fs.openSync(file, 'a', 0o600);
  }
}

function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

function stamp(file: string): string {
  const st = statOf(file);
  return st ? `${st.ino}:${st.mtimeMs}:${st.size}` : '';
}

function mtime(file: string): number {
  return statOf(file)?.mtimeMs ?? 0;
}

function fileSize(file: string): number {
  return statOf(file)?.size ?? 0;
}
