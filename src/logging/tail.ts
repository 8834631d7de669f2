// Reading the end of the JSONL log by byte cursor, for `openclaw logs` and the `logs.tail` method.
import fs from 'node:fs';

export interface LogTailOptions {
  /** Byte offset returned by the previous call; omitted = start from the end. */
  cursor?: number;
  /** Most lines to return (default 200). */
  limit?: number;
  /** Most bytes to read (default 250 000). */
  maxBytes?: number;
}

export interface LogTail {
  file: string;
  /** Pass back as `cursor` to get only newer lines. */
  cursor: number;
  size: number;
  lines: string[];
  /** Older lines were skipped (limit or maxBytes). */
  truncated: boolean;
  /** The file shrank below the cursor (rotated or truncated); reading restarted. */
  reset: boolean;
}

export function readLogTail(file: string, opts: LogTailOptions = {}): LogTail {
  const limit = Math.max(1, opts.limit ?? 200);
  const maxBytes = Math.max(1, opts.maxBytes ?? 250_000);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file, cursor: 0, size: 0, lines: [], truncated: false, reset: opts.cursor !== undefined && opts.cursor > 0 };
    throw err;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const reset = opts.cursor !== undefined && opts.cursor > size;
    const from = opts.cursor !== undefined && !reset ? opts.cursor : 0;
    const start = Math.max(from, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    if (buf.length > 0) fs.readSync(fd, buf, 0, buf.length, start);
    let text = buf.toString('utf8');
    let consumed = buf.length;
    // Only hand out whole lines: drop a partial line at the end (keep the cursor before it) …
    const lastNl = text.lastIndexOf('\n');
    consumed = lastNl + 1;
    text = text.slice(0, consumed);
    let truncated = start > from;
    // … and a partial first line when we started in the middle of the file.
    if (start > 0 && start !== from) {
      const firstNl = text.indexOf('\n');
      text = text.slice(firstNl + 1);
      truncated = true;
    }
    let lines = text.split('\n').filter((l) => l.length > 0);
    if (lines.length > limit) {
      lines = lines.slice(-limit);
      truncated = true;
    }
    return { file, cursor: start + consumed, size, lines, truncated, reset };
  } finally {
    fs.closeSync(fd);
  }
}
