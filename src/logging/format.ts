// Turning JSONL log records back into human lines (`openclaw logs`).
import { LEVEL_RANK } from './logger.js';
import type { LogLevel } from './types.js';

export interface LogRecord {
  ts: string;
  level: LogLevel;
  subsystem: string;
  msg: string;
  [field: string]: unknown;
}

/** Parses one JSONL line; non-JSON lines (e.g. from an older writer) become an info record. */
export function parseLogLine(line: string): LogRecord {
  try {
    const v = JSON.parse(line) as Partial<LogRecord>;
    if (v && typeof v === 'object' && typeof v.msg === 'string') {
      return { ...v, ts: String(v.ts ?? ''), level: isLevel(v.level) ? v.level : 'info', subsystem: String(v.subsystem ?? 'gateway'), msg: v.msg };
    }
  } catch {
    // fall through
  }
  return { ts: '', level: 'info', subsystem: 'raw', msg: line };
}

export function isLevel(v: unknown): v is LogLevel {
  return typeof v === 'string' && v in LEVEL_RANK;
}

export function atLeast(record: LogRecord, min: LogLevel): boolean {
  return LEVEL_RANK[record.level] >= LEVEL_RANK[min];
}

const RESERVED = new Set(['ts', 'level', 'subsystem', 'msg']);

/** `<time> <level> [subsystem] msg key=value …` */
export function formatLogRecord(r: LogRecord): string {
  const extra = Object.entries(r)
    .filter(([k, v]) => !RESERVED.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`);
  return `${r.ts} ${r.level.padEnd(5)} [${r.subsystem}] ${r.msg}${extra.length ? ' ' + extra.join(' ') : ''}`;
}
