// A keyed record file whose writes cost O(1) in the number of records: `<file>` stays the plain
// JSON snapshot (a map key → record, the layout other tools read), and each change is appended
// to `<file>.journal` as one fsynced line (`{"k":…,"v":…}` upsert or `{"k":…,"d":1}` delete).
// A read is snapshot + journal replay; a torn last line (crash mid-append) is ignored and cut off
// before the next append. When the journal outgrows the snapshot (and a floor), the merged state
// is written atomically as the new snapshot and the journal is emptied: amortized O(1) per change.
// Replay is idempotent (every line carries the whole record), so a crash between the snapshot
// rename and the journal truncation loses nothing.
//
// Writers must be serialized by the caller (one process-wide or cross-process lock around
// apply/compact); lock-free reads may see a state one write old, never a torn one.
import fs from 'node:fs';
import path from 'node:path';
import { fsyncDir, writeFileAtomicSync } from './atomic-file.js';

export interface RecordChange<T> {
  key: string;
  /** The whole new record; undefined deletes the key. */
  value?: T;
}

export interface RecordJournalOptions<T> {
  /** Parses the snapshot text into records; throws with a message that names the file and the fix. */
  parseSnapshot(file: string, text: string): Record<string, T>;
  /** Drops a replayed record that is not well-formed (default: keep everything). */
  acceptRecord?(value: unknown): value is T;
  /** File mode of both files (default 0o600) and of a created parent dir (default 0o700). */
  mode?: number;
  dirMode?: number;
  /** Compact once the journal is at least this big and at least as big as the snapshot (default 256 KiB). */
  compactMinBytes?: number;
  /** fsync every append (default true). */
  durable?: boolean;
}

interface Cache<T> {
  snapshotKey: string | null;
  snapshotBytes: number;
  journalIno: number | null;
  /** Bytes of the journal that hold complete lines, all applied to `data`. */
  journalOffset: number;
  data: Record<string, T>;
}

const UNREAD = 'unread';

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

const snapshotKeyOf = (st: fs.Stats | null) => (st ? `${st.ino}:${st.size}:${st.mtimeMs}` : null);

export class RecordJournal<T> {
  readonly file: string;
  readonly journalPath: string;
  /** Bytes this instance wrote to disk (journal appends + snapshots), for O(1) tests and benches. */
  bytesWritten = 0;
  private cache: Cache<T> = { snapshotKey: UNREAD, snapshotBytes: 0, journalIno: null, journalOffset: 0, data: {} };
  private readonly compactMinBytes: number;
  private readonly mode: number;

  constructor(
    file: string,
    private readonly opts: RecordJournalOptions<T>,
  ) {
    this.file = file;
    this.journalPath = `${file}.journal`;
    this.compactMinBytes = opts.compactMinBytes ?? 256 * 1024;
    this.mode = opts.mode ?? 0o600;
  }

  /** The current records. The object is shared with the cache: treat it as read-only. */
  read(): Record<string, T> {
    const snap = statOrNull(this.file);
    const key = snapshotKeyOf(snap);
    const journal = statOrNull(this.journalPath);
    const c = this.cache;
    if (key !== c.snapshotKey || !journal || journal.ino !== c.journalIno || journal.size < c.journalOffset) {
      return this.reload(snap, journal);
    }
    if (journal.size > c.journalOffset) this.replayFrom(c.journalOffset, journal.size);
    return c.data;
  }

  /** Appends the changes as one fsynced write; compacts when the journal has grown enough. */
  apply(changes: ReadonlyArray<RecordChange<T>>): void {
    if (changes.length === 0) return;
    this.read(); // brings the cache (and the valid journal length) up to date
    const text = changes.map((ch) => JSON.stringify(ch.value === undefined ? { k: ch.key, d: 1 } : { k: ch.key, v: ch.value }) + '\n').join('');
    const bytes = Buffer.from(text, 'utf8');
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: this.opts.dirMode ?? 0o700 });
    const creating = statOrNull(this.journalPath) === null;
    const durable = this.opts.durable ?? true;
    const fd = fs.openSync(this.journalPath, fs.constants.O_WRONLY | fs.constants.O_CREAT, this.mode);
    try {
      const st = fs.fstatSync(fd);
      // A torn tail (or anything past what was replayed) is cut off so the new line starts clean.
      if (st.size !== this.cache.journalOffset) fs.ftruncateSync(fd, this.cache.journalOffset);
      fs.writeSync(fd, bytes, 0, bytes.length, this.cache.journalOffset);
      if (durable) fs.fsyncSync(fd);
      this.cache.journalIno = st.ino;
    } finally {
      fs.closeSync(fd);
    }
    if (creating && durable) fsyncDir(path.dirname(this.journalPath)); // the new file's name is durable too
    this.bytesWritten += bytes.length;
    this.cache.journalOffset += bytes.length;
    for (const ch of changes) applyChange(this.cache.data, ch.key, ch.value);
    if (this.cache.journalOffset >= Math.max(this.compactMinBytes, this.cache.snapshotBytes)) this.compact();
  }

  /** Changes whenever either file changes on disk (cheap: two stats), for caches built on top. */
  version(): string {
    const journal = statOrNull(this.journalPath);
    return `${snapshotKeyOf(statOrNull(this.file)) ?? 'none'}|${journal ? `${journal.ino}:${journal.size}` : 'none'}`;
  }

  /** Journal bytes not yet folded into the snapshot. */
  pendingJournalBytes(): number {
    this.read();
    return this.cache.journalOffset;
  }

  /** Writes snapshot + journal as the new snapshot (atomic) and empties the journal. No-op when the journal is empty. */
  compact(): void {
    const data = this.read();
    const journal = statOrNull(this.journalPath);
    if (!journal || journal.size === 0) return;
    const text = JSON.stringify(data, null, 2) + '\n';
    writeFileAtomicSync(this.file, text, { mode: this.mode, dirMode: this.opts.dirMode ?? 0o700 });
    this.bytesWritten += Buffer.byteLength(text);
    // Truncating (not unlinking) keeps one inode; the snapshot's new inode tells readers to reload.
    fs.truncateSync(this.journalPath, 0);
    const snap = statOrNull(this.file);
    this.cache = { snapshotKey: snapshotKeyOf(snap), snapshotBytes: snap?.size ?? 0, journalIno: journal.ino, journalOffset: 0, data };
  }

  /** Replaces every record (a full rewrite: for clear-all style operations). */
  replaceAll(data: Record<string, T>): void {
    const text = JSON.stringify(data, null, 2) + '\n';
    writeFileAtomicSync(this.file, text, { mode: this.mode, dirMode: this.opts.dirMode ?? 0o700 });
    this.bytesWritten += Buffer.byteLength(text);
    if (statOrNull(this.journalPath)) fs.truncateSync(this.journalPath, 0);
    const snap = statOrNull(this.file);
    this.cache = { snapshotKey: snapshotKeyOf(snap), snapshotBytes: snap?.size ?? 0, journalIno: statOrNull(this.journalPath)?.ino ?? null, journalOffset: 0, data };
  }

  private reload(snap: fs.Stats | null, journal: fs.Stats | null): Record<string, T> {
    let data: Record<string, T> = {};
    if (snap) data = this.opts.parseSnapshot(this.file, fs.readFileSync(this.file, 'utf8'));
    this.cache = { snapshotKey: snapshotKeyOf(snap), snapshotBytes: snap?.size ?? 0, journalIno: journal?.ino ?? null, journalOffset: 0, data };
    if (journal && journal.size > 0) this.replayFrom(0, journal.size);
    return this.cache.data;
  }

  /** Applies the complete lines in [from, to); a last line without its newline is left for later (or cut off by the next append). */
  private replayFrom(from: number, to: number): void {
    const buf = Buffer.alloc(to - from);
    const fd = fs.openSync(this.journalPath, 'r');
    try {
      fs.readSync(fd, buf, 0, buf.length, from);
    } finally {
      fs.closeSync(fd);
    }
    const end = buf.lastIndexOf(0x0a) + 1; // bytes up to and including the last newline
    if (end === 0) return;
    for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
      if (!line) continue;
      let entry: { k?: unknown; v?: unknown; d?: unknown };
      try {
        entry = JSON.parse(line);
      } catch {
        continue; // a damaged line: the others still count
      }
      if (typeof entry?.k !== 'string') continue;
      if (entry.d) applyChange(this.cache.data, entry.k, undefined);
      else if (entry.v !== undefined && (this.opts.acceptRecord?.(entry.v) ?? true)) applyChange(this.cache.data, entry.k, entry.v as T);
    }
    this.cache.journalOffset = from + end;
  }
}

function applyChange<T>(data: Record<string, T>, key: string, value: T | undefined): void {
  if (value === undefined) delete data[key];
  else data[key] = value;
}
