// Small helpers shared by bench modules: medians, spawning until /ready, idle RSS, tailing a
// stand-in's JSON-lines file.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { readRssBytes } from '../infra/proc.js';

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export interface Spawned {
  child: ChildProcess;
  /** Milliseconds from spawn() to the first 200 from `readyUrl`. */
  readyMs: number;
}

/** Spawns a server and polls `readyUrl` until it answers 200 (fails after `timeoutMs`). */
export async function spawnUntilReady(cmd: string, args: string[], env: NodeJS.ProcessEnv, readyUrl: string, timeoutMs = 15_000): Promise<Spawned> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { env, stdio: ['ignore', process.env.BENCH_DEBUG ? 'inherit' : 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error(`${args.join(' ')} exited before it was ready: ${stderr.trim()}`);
    if (performance.now() - t0 > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`${args.join(' ')} not ready within ${timeoutMs} ms`);
    }
    try {
      const res = await fetch(readyUrl);
      await res.body?.cancel();
      if (res.status === 200) return { child, readyMs: performance.now() - t0 };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 2));
  }
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

export function rssMb(pid: number): number {
  return (readRssBytes(pid) ?? NaN) / (1024 * 1024);
}

/** The records of a JSON-lines file another process appends to, read incrementally (cheap to poll). */
export class JsonlTail<T> {
  private readonly records: T[] = [];
  private offset = 0;
  private partial = '';

  constructor(private readonly file: string) {}

  /** Every complete record so far. */
  read(): T[] {
    let size = 0;
    try {
      size = fs.statSync(this.file).size;
    } catch {
      return this.records; // not written yet
    }
    if (size <= this.offset) return this.records;
    const buf = Buffer.alloc(size - this.offset);
    const fd = fs.openSync(this.file, 'r');
    try {
      this.offset += fs.readSync(fd, buf, 0, buf.length, this.offset);
    } finally {
      fs.closeSync(fd);
    }
    const lines = (this.partial + buf.toString('utf8')).split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) this.records.push(JSON.parse(l) as T);
    return this.records;
  }
}
