// Idempotency for side-effecting methods: the first call with a key runs; every retry within the
// TTL (after a reconnect, or a gateway restart) gets the first outcome, or waits for it while it is
// still running. Completed outcomes are appended to <state>/replay/idempotency.jsonl.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../../infra/atomic-file.js';
import { isDiskFull, noteDiskFull } from '../../infra/disk-full.js';
import { IDEMPOTENCY_MAX_ENTRIES, IDEMPOTENCY_TTL_MS } from '../../protocol/constants.js';
import type { ErrorShape } from '../../protocol/errors.js';
import { isSensitiveKey } from '../../config/redact.js';

export type Outcome = { ok: true; payload: unknown } | { ok: false; error: ErrorShape };

interface Stored {
  key: string;
  ts: number;
  outcome: Outcome;
}

export class IdempotencyStore {
  private readonly file: string;
  private readonly done = new Map<string, Stored>();
  private readonly running = new Map<string, Promise<Outcome>>();
  private linesInFile = 0;
  private fd: number | null = null;

  constructor(
    dir: string,
    private readonly opts: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
  ) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, 'idempotency.jsonl');
    // Rewriting (two fsyncs) only when the file holds lines to drop keeps it off the startup path.
    if (!this.load()) {
      try {
        this.compact();
      } catch (err) {
        if (!isDiskFull(err)) throw err; // a full disk must not stop the start: dedupe stays in memory
        noteDiskFull('idempotency records', err);
        this.fd = null;
        return;
      }
    }
    this.fd = fs.openSync(this.file, 'a', 0o600);
  }

  private get ttl(): number {
    return this.opts.ttlMs ?? IDEMPOTENCY_TTL_MS;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Runs `exec` once per key within the TTL; concurrent and later callers share its outcome. */
  async run(key: string, exec: () => Promise<Outcome>): Promise<Outcome & { cached: boolean }> {
    const hit = this.done.get(key);
    if (hit && this.now() - hit.ts < this.ttl) return { ...hit.outcome, cached: true };
    const inFlight = this.running.get(key);
    if (inFlight) return { ...(await inFlight), cached: true };
    const p = exec().then((outcome) => {
      this.record({ key, ts: this.now(), outcome });
      return outcome;
    });
    this.running.set(key, p);
    try {
      return { ...(await p), cached: false };
    } finally {
      this.running.delete(key);
    }
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  private record(s: Stored): void {
    this.done.delete(s.key);
    this.done.set(s.key, s);
    this.evict();
    // A rotated device token or a dashboard sign-in code must not sit in a plain-text replay file:
    // such outcomes dedupe in memory only (a retry after a restart runs again and gets a fresh one).
    if (this.fd !== null && !(s.outcome.ok && holdsSecret(s.outcome.payload))) {
      try {
        fs.writeSync(this.fd, JSON.stringify(s) + '\n');
        this.linesInFile++;
      } catch {
        // An unserializable or unwritable outcome only loses dedupe across restarts.
      }
    }
    if (this.linesInFile > 2 * (this.opts.maxEntries ?? IDEMPOTENCY_MAX_ENTRIES) + 100) {
      try {
        this.compact();
      } catch (err) {
        if (!isDiskFull(err)) throw err; // compaction waits for space; the outcome is recorded
      }
    }
  }

  private evict(): void {
    const t = this.now();
    const max = this.opts.maxEntries ?? IDEMPOTENCY_MAX_ENTRIES;
    for (const [k, v] of this.done) {
      if (this.done.size <= max && t - v.ts < this.ttl) break; // Map order is insertion (= age) order
      this.done.delete(k);
    }
  }

  /** Reads the stored outcomes; false when the file needs a rewrite (expired, superseded or torn lines). */
  private load(): boolean {
    let text = '';
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return true;
    }
    let lines = 0;
    for (const line of text.split('\n')) {
      if (!line) continue;
      lines++;
      try {
        const s = JSON.parse(line) as Stored;
        if (typeof s.key === 'string' && typeof s.ts === 'number' && s.outcome) {
          this.done.delete(s.key);
          this.done.set(s.key, s);
        }
      } catch {
        // torn last line after a crash
      }
    }
    this.evict();
    this.linesInFile = lines;
    // A torn last line must go before anything is appended after it.
    return lines === this.done.size && (text === '' || text.endsWith('\n'));
  }

  private compact(): void {
    const kept = [...this.done.values()].filter((s) => !(s.outcome.ok && holdsSecret(s.outcome.payload)));
    const text = kept.map((s) => JSON.stringify(s) + '\n').join('');
    writeFileAtomicSync(this.file, text, { mode: 0o600 });
    this.linesInFile = kept.length;
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = fs.openSync(this.file, 'a', 0o600);
    }
  }
}

/** Whether a result carries a credential (a token, password, key or single-use code) anywhere. */
export function holdsSecret(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object' || depth > 8) return false;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' && v !== '' && (isSensitiveKey(k) || k === 'code')) return true;
    if (holdsSecret(v, depth + 1)) return true;
  }
  return false;
}
