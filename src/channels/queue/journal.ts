// A durable keyed record set on one append-only JSONL file: every put/remove is one whole-line
// write followed by fsync, so a record is on disk before the caller is told it is. On open the
// file is replayed (a torn last line is skipped) and compacted: live records plus recent
// tombstones, which let the inbound queue recognise a redelivered message it already handled.
import fs from 'node:fs';
import path from 'node:path';
import { fileHasMode, writeFileAtomicSync } from '../../infra/atomic-file.js';

type Line<T> = { op: 'put'; rec: T } | { op: 'del'; id: string; ts: number };

export interface JournalOptions {
  /** How long a removed id is remembered (dedupe window). Default 24 h. */
  tombstoneTtlMs?: number;
  /** Compact once the file has this many more lines than live records. Default 2000. */
  compactAfter?: number;
}

export class Journal<T extends { id: string }> {
  private readonly live = new Map<string, T>();
  private readonly tombstones = new Map<string, number>();
  private tail: Promise<void> = Promise.resolve();
  private fd: number | undefined;
  private lines = 0;
  private readonly ttl: number;
  private readonly compactAfter: number;

  constructor(
    readonly file: string,
    opts: JournalOptions = {},
  ) {
    this.ttl = opts.tombstoneTtlMs ?? 24 * 3600_000;
    this.compactAfter = opts.compactAfter ?? 2000;
  }

  /** Replays and compacts the file, then opens it for appending. Throws when the disk refuses. */
  open(): this {
    let text = '';
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const raw of text.split('\n')) {
      if (!raw) continue;
      let line: Line<T>;
      try {
        line = JSON.parse(raw) as Line<T>;
      } catch {
        continue; // torn write at the end of a crash: the caller was never told it was durable
      }
      if (line.op === 'put' && line.rec?.id) {
        this.live.set(line.rec.id, line.rec);
        this.tombstones.delete(line.rec.id);
      } else if (line.op === 'del') {
        this.live.delete(line.id);
        this.tombstones.set(line.id, line.ts);
      }
    }
    this.rewrite(text);
    return this;
  }

  has(id: string): boolean {
    return this.live.has(id);
  }

  /** Removed within the tombstone window (already handled). */
  wasRemoved(id: string): boolean {
    const ts = this.tombstones.get(id);
    return ts !== undefined && Date.now() - ts < this.ttl;
  }

  get(id: string): T | undefined {
    return this.live.get(id);
  }

  values(): T[] {
    return [...this.live.values()];
  }

  get size(): number {
    return this.live.size;
  }

  /** Inserts or replaces a record; resolves once it is on disk. */
  put(rec: T): Promise<void> {
    this.live.set(rec.id, rec);
    this.tombstones.delete(rec.id);
    return this.append({ op: 'put', rec });
  }

  /** Removes a record (remembering its id); resolves once that is on disk. */
  remove(id: string): Promise<void> {
    this.live.delete(id);
    const ts = Date.now();
    this.tombstones.set(id, ts);
    return this.append({ op: 'del', id, ts });
  }

  /** Waits for every pending write, then closes the file. */
  async close(): Promise<void> {
    await this.tail.catch(() => {});
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private append(line: Line<T>): Promise<void> {
    const data = JSON.stringify(line) + '\n';
    const next = this.tail.then(() => {
      if (this.fd === undefined) throw new Error(`${this.file} is closed`);
      fs.writeSync(this.fd, data);
      fs.fsyncSync(this.fd);
      this.lines += 1;
      if (this.lines > this.live.size + this.tombstones.size + this.compactAfter) this.rewrite();
    });
    this.tail = next.catch(() => {});
    return next;
  }

  /**
   * Writes live records and unexpired tombstones to a fresh file (atomic rename), reopens it. At
   * open, a file that already reads exactly so (and is 0600) is only reopened: a restart with
   * nothing to compact writes nothing.
   */
  private rewrite(current?: string): void {
    const now = Date.now();
    for (const [id, ts] of this.tombstones) if (now - ts >= this.ttl) this.tombstones.delete(id);
    const out: string[] = [];
    for (const rec of this.live.values()) out.push(JSON.stringify({ op: 'put', rec }));
    for (const [id, ts] of this.tombstones) out.push(JSON.stringify({ op: 'del', id, ts }));
    const text = out.length ? out.join('\n') + '\n' : '';
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    if (current !== text || !fileHasMode(this.file, 0o600)) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      writeFileAtomicSync(this.file, text, { mode: 0o600 });
    }
    this.fd = fs.openSync(this.file, 'a', 0o600);
    this.lines = out.length;
  }
}
