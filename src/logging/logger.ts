// The gateway logger: JSON Lines to <state>/logs/gateway.log (size-rotated) and `[subsystem] msg`
// on the console, with every line redacted. Writes are synchronous so nothing is lost on exit and
// lines from one process never interleave.
import fs from 'node:fs';
import path from 'node:path';
import { Redactor } from './redact.js';
import type { LogLevel, Logger } from './types.js';

export const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  /** JSONL file; omitted = console only. */
  file?: string;
  level: LogLevel;
  console: boolean;
  /** Rotate when the file would grow past this many bytes (default 10 MiB). */
  maxFileBytes?: number;
  /** How many rotated files to keep: gateway.log.1 … gateway.log.<maxFiles> (default 5). */
  maxFiles?: number;
  /** Subsystem of the root logger (default "gateway"). */
  subsystem?: string;
}

export interface GatewayLogger extends Logger {
  readonly file: string | undefined;
  /** Hides this exact value in every later line. */
  addSecret(value: string | undefined): void;
  /** Applies new level / rotation sizes (hot reload). */
  configure(opts: Partial<Pick<LoggerOptions, 'level' | 'maxFileBytes' | 'maxFiles'>>): void;
  close(): void;
}

interface Sink {
  opts: Required<Omit<LoggerOptions, 'file' | 'subsystem'>> & { file?: string };
  redactor: Redactor;
  fd: number | undefined;
  size: number;
}

export function createLogger(options: LoggerOptions): GatewayLogger {
  const sink: Sink = {
    opts: { maxFileBytes: 10 * 1024 * 1024, maxFiles: 5, ...options },
    redactor: new Redactor(),
    fd: undefined,
    size: 0,
  };
  return makeLogger(sink, options.subsystem ?? 'gateway');
}

function makeLogger(sink: Sink, subsystem: string): GatewayLogger {
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVEL_RANK[level] < LEVEL_RANK[sink.opts.level]) return;
    const safeMsg = sink.redactor.text(msg);
    const safeFields = fields ? (sink.redactor.value(fields) as Record<string, unknown>) : undefined;
    if (sink.opts.file) writeFileLine(sink, JSON.stringify({ ts: new Date().toISOString(), level, subsystem, msg: safeMsg, ...safeFields }) + '\n');
    if (sink.opts.console) {
      const line = `[${subsystem}] ${safeMsg}${formatFields(safeFields)}\n`;
      (level === 'warn' || level === 'error' ? process.stderr : process.stdout).write(line);
    }
  };
  return {
    file: sink.opts.file,
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (sub) => makeLogger(sink, sub),
    addSecret: (v) => sink.redactor.addSecret(v),
    configure: (o) => {
      for (const [k, v] of Object.entries(o)) if (v !== undefined) (sink.opts as Record<string, unknown>)[k] = v;
    },
    close: () => {
      if (sink.fd !== undefined) fs.closeSync(sink.fd);
      sink.fd = undefined;
    },
  };
}

/** ` key=value …` for the console; the file keeps the structured fields. */
function formatFields(fields: Record<string, unknown> | undefined): string {
  if (!fields) return '';
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`);
  return parts.length ? ' ' + parts.join(' ') : '';
}

function writeFileLine(sink: Sink, line: string): void {
  const file = sink.opts.file!;
  const bytes = Buffer.byteLength(line);
  try {
    if (sink.fd === undefined) openLogFile(sink, file);
    if (sink.size > 0 && sink.size + bytes > sink.opts.maxFileBytes) {
      fs.closeSync(sink.fd!);
      rotateFiles(file, sink.opts.maxFiles);
      openLogFile(sink, file);
    }
    fs.writeSync(sink.fd!, line);
    sink.size += bytes;
  } catch {
    // A full disk or a removed log dir must never take the gateway down; the console still works.
    sink.fd = undefined;
  }
}

function openLogFile(sink: Sink, file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  sink.fd = fs.openSync(file, 'a', 0o600);
  sink.size = fs.fstatSync(sink.fd).size;
}

/** gateway.log → .1, .1 → .2, …; the oldest beyond maxFiles is dropped. */
export function rotateFiles(file: string, maxFiles: number): void {
  fs.rmSync(`${file}.${maxFiles}`, { force: true });
  for (let i = maxFiles - 1; i >= 1; i--) {
    try {
      fs.renameSync(`${file}.${i}`, `${file}.${i + 1}`);
    } catch {
      // gaps are fine
    }
  }
  if (maxFiles >= 1) fs.renameSync(file, `${file}.1`);
  else fs.rmSync(file, { force: true });
}
