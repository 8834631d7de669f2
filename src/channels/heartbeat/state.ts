// <state>/heartbeat.json: the last heartbeat run and when the next is due, written by the gateway
// after every run (atomic, 0600) and read by `openclaw system heartbeat status` when the gateway is
// down, which is exactly when it matters: a next run in the past means nobody is sending them.
import fs from 'node:fs';
import path from 'node:path';
import { writeJsonAtomicSync } from '../../infra/atomic-file.js';
import type { ChannelId } from '../types.js';

export const HEARTBEAT_STATE_FILE = 'heartbeat.json';

export type HeartbeatRunStatus = 'sent' | 'ok-silent' | 'skipped' | 'failed';
export type HeartbeatDelivery = 'sent' | 'failed' | 'queued' | 'skipped';

/** One heartbeat run. */
export interface HeartbeatRecord {
  /** When the run ended (ms). */
  ts: number;
  startedAt: number;
  durationMs: number;
  status: HeartbeatRunStatus;
  /**
   * Why it ended that way: `no-reply` / `heartbeat-ok` / `empty` (ok-silent), `busy` / `no-route` /
   * `target-none` / `invalid-target` / `disabled` (skipped), `turn-failed` / `timeout` /
   * `delivery-failed` / `channels-unavailable` (failed).
   */
  reason?: string;
  /** What started it: `interval`, `manual`, or the reason given to runNow(). */
  trigger?: string;
  target?: { channel: ChannelId; to: string; accountId?: string; threadId?: string };
  delivery?: HeartbeatDelivery;
  error?: string;
  /** One command or config line that fixes `error`. */
  fix?: string;
  /** The start of what the model said (delivered or not). */
  preview?: string;
  model?: string;
  messageIds?: string[];
}

export interface HeartbeatStateFile {
  version: 1;
  last: HeartbeatRecord | null;
  /** When the gateway that wrote this planned the next run; null when heartbeats were off. */
  nextRunAt: number | null;
  /** The cadence it ran with (`30m`), null when off. */
  every: string | null;
  enabled: boolean;
  pid: number;
  updatedAt: number;
}

export function heartbeatStatePath(stateDir: string): string {
  return path.join(stateDir, HEARTBEAT_STATE_FILE);
}

/** The file, or null when it does not exist. A corrupt file reads as null with `corrupt: true`. */
export function readHeartbeatState(stateDir: string): { state: HeartbeatStateFile | null; corrupt?: boolean; path: string } {
  const file = heartbeatStatePath(stateDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: null, path: file };
    return { state: null, corrupt: true, path: file };
  }
  try {
    const v = JSON.parse(text) as Partial<HeartbeatStateFile>;
    if (!v || typeof v !== 'object' || v.version !== 1) return { state: null, corrupt: true, path: file };
    return {
      state: {
        version: 1,
        last: v.last && typeof v.last === 'object' && typeof v.last.startedAt === 'number' ? v.last : null,
        nextRunAt: typeof v.nextRunAt === 'number' ? v.nextRunAt : null,
        every: typeof v.every === 'string' ? v.every : null,
        enabled: v.enabled === true,
        pid: typeof v.pid === 'number' ? v.pid : 0,
        updatedAt: typeof v.updatedAt === 'number' ? v.updatedAt : 0,
      },
      path: file,
    };
  } catch {
    return { state: null, corrupt: true, path: file };
  }
}

export function writeHeartbeatState(stateDir: string, state: HeartbeatStateFile): void {
  writeJsonAtomicSync(heartbeatStatePath(stateDir), state, { mode: 0o600 });
}
