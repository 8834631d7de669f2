// A cross-process lock file for short synchronous critical sections (read-modify-write of small
// state files). The holder's pid is written into the file; a lock whose pid is gone, or that is
// older than any real holder could be, is reclaimed.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

export interface FileLockOptions {
  /** Give up after this long (default 5 s). */
  timeoutMs?: number;
  /** A lock older than this is stale even if its pid is alive (pid reuse). Default 30 s. */
  staleMs?: number;
}

interface LockOwner {
  pid: number;
  token: string;
  createdAtMs: number;
}

export class FileLockTimeoutError extends Error {
  constructor(
    readonly lockPath: string,
    readonly ownerPid: number | undefined,
  ) {
    super(`${lockPath} is held by ${ownerPid ? `pid ${ownerPid}` : 'another process'}; retry, or remove the file if no openclaw process is running: rm ${lockPath}`);
    this.name = 'FileLockTimeoutError';
  }
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(lockPath: string): { owner: LockOwner | null; raw: string } | null {
  let raw: string;
  try {
    raw = fs.readFileSync(lockPath, 'utf8');
  } catch {
    return null; // released meanwhile
  }
  try {
    const v = JSON.parse(raw) as LockOwner;
    return { owner: typeof v.pid === 'number' ? v : null, raw };
  } catch {
    return { owner: null, raw };
  }
}

function isStale(lockPath: string, owner: LockOwner | null, staleMs: number, now: number): boolean {
  if (owner) return !pidAlive(owner.pid) || now - owner.createdAtMs > staleMs;
  // Unparseable (a holder died between create and write, or garbage): judge by age.
  try {
    return now - fs.statSync(lockPath).mtimeMs > 1000;
  } catch {
    return false;
  }
}

/** Runs `fn` while holding `lockPath`. Synchronous: the critical section must not await. */
export function withFileLockSync<T>(lockPath: string, fn: () => T, opts: FileLockOptions = {}): T {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const staleMs = opts.staleMs ?? 30_000;
  const token = crypto.randomBytes(8).toString('hex');
  const deadline = Date.now() + timeoutMs;
  fs.mkdirSync(path.dirname(lockPath), { recursive: true, mode: 0o700 });
  let delay = 1;
  let lastOwner: number | undefined;
  for (;;) {
    try {
      const fd = fs.openSync(lockPath, 'wx', 0o600);
      try {
        fs.writeSync(fd, JSON.stringify({ pid: process.pid, token, createdAtMs: Date.now() } satisfies LockOwner));
      } finally {
        fs.closeSync(fd);
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const seen = readOwner(lockPath);
    if (seen) {
      lastOwner = seen.owner?.pid;
      if (isStale(lockPath, seen.owner, staleMs, Date.now())) {
        // Re-read right before removing so a lock re-taken in between is left alone.
        const again = readOwner(lockPath);
        if (again && again.raw === seen.raw) fs.rmSync(lockPath, { force: true });
        continue;
      }
    }
    if (Date.now() > deadline) throw new FileLockTimeoutError(lockPath, lastOwner);
    sleepSync(delay);
    delay = Math.min(delay * 2, 25);
  }
  try {
    return fn();
  } finally {
    const mine = readOwner(lockPath);
    if (mine?.owner?.token === token) fs.rmSync(lockPath, { force: true });
  }
}
