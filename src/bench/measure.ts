// Small helpers shared by bench modules: medians, spawning until /ready (without busy polling), idle RSS, tailing a
// stand-in's JSON-lines file.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '../infra/port-owner.js';
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

/** What servers print once they listen (`[gateway] listening on ws://…`; the bare baselines print `listening`). */
export const LISTENING_LINE = /listening/;

/**
 * Spawns a server and waits until `readyUrl` answers 200 (fails after `timeoutMs`). It does not
 * poll in a tight loop, which on a 2-core box steals CPU from the very startup it measures: it
 * waits for the server's `listening` line on stdout and then asks `readyUrl`, retrying with
 * exponential backoff (5 ms doubling to 250 ms) only while the answer is not yet 200 or when no
 * such line comes.
 */
const QUIET_SERVER_MS = 3000;

export async function spawnUntilReady(cmd: string, args: string[], env: NodeJS.ProcessEnv, readyUrl: string, timeoutMs = 15_000): Promise<Spawned> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  let exited = false;
  let wake: () => void = () => {};
  child.once('exit', () => {
    exited = true;
    wake();
  });
  let seen = '';
  let listening = false;
  child.stdout!.on('data', (d: Buffer) => {
    if (process.env.BENCH_DEBUG) process.stderr.write(d);
    if (listening) return; // keep draining, so a chatty server never blocks on a full pipe
    seen = (seen + d.toString('utf8')).slice(-4096);
    if (LISTENING_LINE.test(seen)) {
      listening = true;
      wake();
    }
  });
  let backoffMs = 5;
  for (;;) {
    if (listening) {
      try {
        const res = await fetch(readyUrl);
        await res.body?.cancel();
        if (res.status === 200) return { child, readyMs: performance.now() - t0 };
      } catch {
        // not accepting yet
      }
    }
    if (exited) throw new Error(`${args.join(' ')} exited before it was ready: ${stderr.trim()}`);
    if (performance.now() - t0 > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`${args.join(' ')} not ready within ${timeoutMs} ms`);
    }
    // Without the line yet, sleep until it arrives (or the backoff runs out: a server that never prints one).
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, backoffMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wake = () => {};
    // No line after 3 s: a server that never prints one; ask anyway. (Not sooner: on a loaded machine
    // a slow start would otherwise be polled before it could say it listens.)
    if (!listening && performance.now() - t0 >= QUIET_SERVER_MS) listening = true;
    backoffMs = Math.min(250, backoffMs * 2);
  }
}

const CLI_MAIN = fileURLToPath(new URL('../cli/main.cjs', import.meta.url));
export const BENCH_TOKEN = 'bench-token-0123456789abcdef0123456789';

export interface BenchGateway extends Spawned {
  port: number;
  stateDir: string;
}

/**
 * `openclaw gateway run` as users start it, on a free port, with its own state dir `<root>/<name>`
 * holding `config` (default: local mode, token auth with BENCH_TOKEN; files already in that dir are kept);
 * ready once /ready answers 200.
 */
export async function spawnGateway(root: string, name: string, config: Record<string, unknown> = { gateway: { mode: 'local', auth: { mode: 'token', token: BENCH_TOKEN } } }, timeoutMs?: number): Promise<BenchGateway> {
  const stateDir = path.join(root, name);
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(stateDir, 'openclaw.json'), JSON.stringify(config), { mode: 0o600 });
  const port = await findFreePort();
  const spawned = await spawnUntilReady(process.execPath, [CLI_MAIN, 'gateway', 'run', '--port', String(port)], { PATH: process.env.PATH, HOME: root, OPENCLAW_STATE_DIR: stateDir }, `http://127.0.0.1:${port}/ready`, timeoutMs);
  return { ...spawned, port, stateDir };
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
