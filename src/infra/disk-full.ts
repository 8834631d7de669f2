// A full disk under the state dir: every durable write that fails for lack of space fails its own
// operation with one catalogued error (STATE_DISK_FULL), the gateway keeps serving, and /ready
// names the subsystems that could not write until a probe write succeeds again.
import fs from 'node:fs';
import path from 'node:path';

/** ENOSPC (no space) or EDQUOT (quota): the cases freeing space fixes. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

export interface DegradedSubsystem {
  /** `replay log`, `transcripts`, `pid file` … */
  subsystem: string;
  since: number;
  error: string;
}

/** Which subsystems of this process failed a durable write for lack of space (one state dir per process). */
const degraded = new Map<string, DegradedSubsystem>();

/** Records that `subsystem` could not write; returns true the first time (log it once, not per event). */
export function noteDiskFull(subsystem: string, err: unknown): boolean {
  if (degraded.has(subsystem)) return false;
  degraded.set(subsystem, { subsystem, since: Date.now(), error: (err as Error)?.message ?? String(err) });
  return true;
}

/**
 * The subsystems still degraded. While there are any, each call first tries a small durable write
 * in `stateDir`: when it succeeds, space is back and every subsystem is cleared (the next write of
 * each would succeed too).
 */
export function degradedSubsystems(stateDir: string): DegradedSubsystem[] {
  if (degraded.size === 0) return [];
  const probe = path.join(stateDir, `.space-probe.${process.pid}`);
  try {
    const fd = fs.openSync(probe, 'w', 0o600);
    try {
      fs.writeSync(fd, Buffer.alloc(4096));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    degraded.clear();
  } catch {
    // still full
  } finally {
    fs.rmSync(probe, { force: true });
  }
  return [...degraded.values()];
}
