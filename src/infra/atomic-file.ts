// Durable file writes: temp file in the same dir, fsync, rename, fsync the dir.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

export interface AtomicWriteOptions {
  /** File mode, e.g. 0o600 for secrets. Default 0o600: state files hold tokens more often than not. */
  mode?: number;
  /** Create missing parent directories with this mode (default 0o700). */
  dirMode?: number;
  /**
   * false: atomic but not flushed to disk (no fsyncs), for runtime state that a crash makes stale
   * anyway (the pid file), like files under /run. Default true.
   */
  durable?: boolean;
}

export function writeFileAtomicSync(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  const mode = opts.mode ?? 0o600;
  const durable = opts.durable ?? true;
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: opts.dirMode ?? 0o700 });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    writeAllSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    if (durable) fs.fsyncSync(fd);
  } catch (err) {
    // A full disk: never rename a short file into place, and leave no temp file behind.
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  try {
    fs.chmodSync(tmp, mode); // umask may have narrowed or widened the mode given to open()
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  if (durable) fsyncDir(dir);
}

/**
 * Writes every byte or throws: a write that stops short (a full disk answers with fewer bytes
 * before it answers ENOSPC) is retried until the disk says why it cannot go on.
 */
export function writeAllSync(fd: number, data: Uint8Array): void {
  for (let off = 0; off < data.length; ) {
    const n = fs.writeSync(fd, data, off, data.length - off);
    if (n <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    off += n;
  }
}

/** Whether `file` exists with exactly these permission bits (a rewrite that can be skipped must also not leave a loose mode). */
export function fileHasMode(file: string, mode: number): boolean {
  try {
    return (fs.statSync(file).mode & 0o777) === mode;
  } catch {
    return false;
  }
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  // The sync version is fast for our small state files and keeps ordering simple.
  writeFileAtomicSync(file, data, opts);
}

export function writeJsonAtomicSync(file: string, value: unknown, opts: AtomicWriteOptions = {}): void {
  writeFileAtomicSync(file, JSON.stringify(value, null, 2) + '\n', opts);
}

/** Reads a JSON file; returns `fallback` when it does not exist. Throws on invalid JSON. */
export function readJsonFileSync<T>(file: string, fallback: T): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw err;
  }
  return JSON.parse(text) as T;
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems do not allow fsync on directories; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
