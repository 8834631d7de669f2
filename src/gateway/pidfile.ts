// <state>/gateway.pid: which process owns this state dir's gateway. Holds the pid and its start
// time (so a recycled pid is not mistaken for a live gateway), plus where it listens.
import fs from 'node:fs';
import { writeJsonAtomicSync } from '../infra/atomic-file.js';
import { isProcessAlive, readProcStartTime } from '../infra/proc.js';

export interface PidRecord {
  pid: number;
  /** /proc/<pid>/stat field 22; null where /proc is unavailable. */
  startTime: number | null;
  host: string;
  port: number;
  configPath: string;
  version: string;
  startedAt: number;
}

export type PidFileState =
  | { state: 'absent' }
  | { state: 'running'; record: PidRecord }
  /** pid dead, pid reused by another process, or unreadable file. */
  | { state: 'stale'; pid: number | undefined; record?: PidRecord };

export function readPidFile(file: string): PidRecord | undefined | 'corrupt' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return 'corrupt';
  }
  try {
    const v = JSON.parse(text) as PidRecord;
    return Number.isInteger(v?.pid) && v.pid > 0 ? v : 'corrupt';
  } catch {
    return 'corrupt';
  }
}

/** Whether the process a record names is still that same process. */
export function isRecordAlive(record: PidRecord): boolean {
  if (!isProcessAlive(record.pid)) return false;
  if (record.startTime === null || record.startTime === undefined) return true;
  return readProcStartTime(record.pid) === record.startTime;
}

export function inspectPidFile(file: string): PidFileState {
  const record = readPidFile(file);
  if (record === undefined) return { state: 'absent' };
  if (record === 'corrupt') return { state: 'stale', pid: undefined };
  return isRecordAlive(record) ? { state: 'running', record } : { state: 'stale', pid: record.pid, record };
}

export function pidRecordFor(init: Omit<PidRecord, 'pid' | 'startTime'>, pid = process.pid): PidRecord {
  return { pid, startTime: readProcStartTime(pid) ?? null, ...init };
}

export function writePidFile(file: string, record: PidRecord): void {
  // Not fsynced: it is on the way to ready, and after a machine crash it is stale anyway (and reclaimed).
  writeJsonAtomicSync(file, record, { mode: 0o600, durable: false });
}

/** Removes the pid file only if it still names `pid` (a newer gateway may have replaced it). */
export function removePidFile(file: string, pid = process.pid): void {
  const record = readPidFile(file);
  if (record === undefined) return;
  if (record === 'corrupt' || record.pid === pid) fs.rmSync(file, { force: true });
}
