// A cross-process lock around config edits: `<configPath>.lock` created with O_EXCL holding the
// owner's pid. A lock whose pid is dead is reclaimed; a live one is waited for (about 3 s).
import fs from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from '../infra/proc.js';

export class ConfigLockError extends Error {
  readonly fix: string;
  readonly lockPath: string;
  constructor(lockPath: string, pid: number | undefined) {
    super(`The config is locked by ${pid ? `process ${pid}` : 'another process'} (${lockPath}); another openclaw command is editing it.`);
    this.name = 'ConfigLockError';
    this.lockPath = lockPath;
    this.fix = pid ? `wait for process ${pid} to finish, then retry (if it is hung: kill ${pid})` : `retry; if no openclaw command is running: rm ${lockPath}`;
  }
}

const WAIT_MS = 3000;
const POLL_MS = 25;
/** An empty lock file older than this is a crash between create and write. */
const EMPTY_LOCK_STALE_MS = 2000;

/** Locks this process holds, for re-entrant use (set inside patch inside apply…). */
const held = new Map<string, number>();

export function configLockPath(configPath: string): string {
  return `${configPath}.lock`;
}

/** Runs `fn` (synchronous) while holding the config lock. */
export function withConfigLock<T>(configPath: string, fn: () => T): T {
  const lockPath = configLockPath(configPath);
  const depth = held.get(lockPath) ?? 0;
  if (depth === 0) acquire(lockPath);
  held.set(lockPath, depth + 1);
  try {
    return fn();
  } finally {
    held.set(lockPath, depth);
    if (depth === 0) {
      held.delete(lockPath);
      release(lockPath);
    }
  }
}

function acquire(lockPath: string): void {
  fs.mkdirSync(path.dirname(lockPath), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      const fd = fs.openSync(lockPath, 'wx', 0o600);
      try {
        fs.writeSync(fd, `${process.pid}\n`);
      } finally {
        fs.closeSync(fd);
      }
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readOwner(lockPath);
    if (owner && isStale(owner)) {
      // Re-check right before removing, so a lock re-taken meanwhile is left alone.
      const again = readOwner(lockPath);
      if (again && again.text === owner.text && isStale(again)) fs.rmSync(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new ConfigLockError(lockPath, owner?.pid);
    sleepSync(POLL_MS);
  }
}

function release(lockPath: string): void {
  const owner = readOwner(lockPath);
  if (owner?.pid === process.pid) fs.rmSync(lockPath, { force: true });
}

interface LockOwner {
  text: string;
  pid: number | undefined;
  ageMs: number;
}

function readOwner(lockPath: string): LockOwner | undefined {
  try {
    const text = fs.readFileSync(lockPath, 'utf8');
    const ageMs = Date.now() - fs.statSync(lockPath).mtimeMs;
    const pid = /^\d+$/.test(text.trim()) ? Number(text.trim()) : undefined;
    return { text, pid, ageMs };
  } catch {
    return undefined; // removed between the failed create and this read: just retry
  }
}

function isStale(owner: LockOwner): boolean {
  if (owner.pid === undefined) return owner.ageMs > EMPTY_LOCK_STALE_MS;
  if (owner.pid === process.pid) return false;
  return !isProcessAlive(owner.pid);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
