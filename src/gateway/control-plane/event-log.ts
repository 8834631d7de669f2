// The durable, bounded event log behind resume (/tmp/team/resume-protocol.md, docs/protocol.md):
// every resumable broadcast gets a global monotonic id and is appended with writeSync BEFORE it is
// sent, so a kill -9 loses nothing a client saw. The id counter survives restarts; the log keeps
// the last `maxEvents` events and is compacted by an atomic rewrite.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { writeAllSync, writeFileAtomicSync } from '../../infra/atomic-file.js';
import { isDiskFull } from '../../infra/disk-full.js';

export interface LoggedEvent {
  id: number;
  event: string;
  payload: unknown;
  ts: number;
}

export interface ReplayPlan {
  /** Ids the caller missed that are no longer kept (it should refetch state). */
  gap: { fromSeq: number; toSeq: number } | null;
  events: LoggedEvent[];
}

export const DEFAULT_EVENT_LOG_MAX = 10_000;
/** Also bounded by size: streamed chat snapshots can be large. */
export const DEFAULT_EVENT_LOG_MAX_BYTES = 64 * 1024 * 1024;

export class EventLog {
  /** Identifies this log; a client holding another id cannot compare its lastSeq with ours. */
  readonly logId: string;
  private readonly file: string;
  private readonly maxEvents: number;
  private readonly maxBytes: number;
  private events: LoggedEvent[] = [];
  /** Serialized size of each kept event (parallel to `events`) and their sum. */
  private sizes: number[] = [];
  private keptBytes = 0;
  private lastId = 0;
  private linesInFile = 0;
  private fileChars = 0;
  private fd: number | null = null;
  private readonly logIdFile: string;
  /** A log without events needs no saved id (no client can hold a seq in it): saved with the first event, off the startup path. */
  private logIdSaved: boolean;

  constructor(dir: string, opts: { maxEvents?: number; maxBytes?: number } = {}) {
    this.maxEvents = opts.maxEvents ?? DEFAULT_EVENT_LOG_MAX;
    this.maxBytes = opts.maxBytes ?? DEFAULT_EVENT_LOG_MAX_BYTES;
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, 'events.jsonl');
    const { events, clean } = readLog(this.file);
    for (const e of events) this.keep(e, JSON.stringify(e).length + 1);
    this.lastId = events.length ? events[events.length - 1].id : 0;
    this.logIdFile = path.join(dir, 'log-id');
    const existing = events.length > 0 ? readLogId(this.logIdFile) : undefined;
    this.logId = existing ?? crypto.randomUUID();
    this.logIdSaved = existing !== undefined;
    if (events.length > 0 && !this.logIdSaved) this.saveLogId(); // history without an id: name it now
    this.linesInFile = events.length;
    this.fileChars = this.keptBytes;
    if (!clean || this.events.length < events.length) {
      try {
        this.compact();
      } catch (err) {
        // A full disk must not stop the gateway from starting: keep the file, minus a torn tail.
        if (!isDiskFull(err)) throw err;
        const fd = fs.openSync(this.file, 'r+');
        try {
          cutAfterLastNewline(fd, fs.fstatSync(fd).size);
        } finally {
          fs.closeSync(fd);
        }
      }
    }
    // a+: appends, and reads back the tail to cut a line a full disk cut short (writeLine).
    this.fd = fs.openSync(this.file, 'a+', 0o600);
  }

  get lastSeq(): number {
    return this.lastId;
  }

  /**
   * Appends and flushes to the OS before returning (survives kill -9). A failed write (full disk)
   * throws and leaves the log as it was: no id taken, no torn line left behind.
   */
  append(event: string, payload: unknown, ts = Date.now()): LoggedEvent {
    const entry: LoggedEvent = { id: this.lastId + 1, event, payload, ts };
    const line = JSON.stringify(entry) + '\n';
    if (!this.logIdSaved) this.saveLogId();
    if (this.fd !== null) this.writeLine(this.fd, line);
    this.lastId = entry.id;
    this.keep(entry, line.length);
    this.linesInFile++;
    this.fileChars += line.length;
    const slack = Math.max(100, this.maxEvents >> 2);
    if (this.linesInFile > this.events.length + slack || this.fileChars > 2 * this.maxBytes) {
      try {
        this.compact();
      } catch (err) {
        if (!isDiskFull(err)) throw err; // the event is logged; compaction waits for space
      }
    }
    return entry;
  }

  private writeLine(fd: number, line: string): void {
    const bytes = Buffer.from(line, 'utf8');
    try {
      writeAllSync(fd, bytes);
    } catch (err) {
      // Part of the line may be on disk: cut it off, or the next line would be glued to it.
      try {
        cutAfterLastNewline(fd, bytes.length);
      } catch {
        // the torn tail is dropped at the next start (readLog)
      }
      throw err;
    }
  }

  /** What a client that processed everything up to `lastSeq` still needs. */
  since(lastSeq: number): ReplayPlan {
    const oldest = this.events.length ? this.events[0].id : this.lastId + 1;
    const gap = lastSeq + 1 < oldest && lastSeq < this.lastId ? { fromSeq: lastSeq + 1, toSeq: oldest - 1 } : null;
    const start = firstIndexAfter(this.events, lastSeq);
    return { gap, events: this.events.slice(start) };
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  /** Adds to the kept window, dropping the oldest beyond maxEvents / maxBytes (never the newest). */
  private keep(entry: LoggedEvent, bytes: number): void {
    this.events.push(entry);
    this.sizes.push(bytes);
    this.keptBytes += bytes;
    let drop = 0;
    while (this.events.length - drop > 1 && (this.events.length - drop > this.maxEvents || this.keptBytes > this.maxBytes)) {
      this.keptBytes -= this.sizes[drop];
      drop++;
    }
    if (drop > 0) {
      this.events.splice(0, drop);
      this.sizes.splice(0, drop);
    }
  }

  private saveLogId(): void {
    writeFileAtomicSync(this.logIdFile, this.logId + '\n', { mode: 0o600 });
    this.logIdSaved = true;
  }

  private compact(): void {
    const text = this.events.map((e) => JSON.stringify(e) + '\n').join('');
    writeFileAtomicSync(this.file, text, { mode: 0o600 });
    this.linesInFile = this.events.length;
    this.fileChars = this.keptBytes;
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = fs.openSync(this.file, 'a+', 0o600);
    }
  }
}

/** Truncates a JSONL file after its last newline, looking back at most `scan` bytes (a torn last line). */
function cutAfterLastNewline(fd: number, scan: number): void {
  const size = fs.fstatSync(fd).size;
  const len = Math.min(size, scan);
  const tail = Buffer.alloc(len);
  fs.readSync(fd, tail, 0, len, size - len);
  const nl = tail.lastIndexOf(0x0a);
  const keep = nl >= 0 ? size - len + nl + 1 : size - len;
  if (keep < size) fs.ftruncateSync(fd, keep);
}

function firstIndexAfter(events: LoggedEvent[], id: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid].id <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Parses the log; a torn or corrupt line (crash mid-write) is dropped and marks it unclean. */
function readLog(file: string): { events: LoggedEvent[]; clean: boolean } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { events: [], clean: true };
  }
  const events: LoggedEvent[] = [];
  let clean = text === '' || text.endsWith('\n');
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const e = JSON.parse(line) as LoggedEvent;
      if (Number.isInteger(e.id) && typeof e.event === 'string' && (events.length === 0 || e.id > events[events.length - 1].id)) events.push(e);
      else clean = false;
    } catch {
      clean = false;
    }
  }
  return { events, clean };
}

/** Reuses the stored id while the log has history; a fresh (or lost) log gets a new id. */
function readLogId(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined; // a log without an id is treated as new
  }
}
