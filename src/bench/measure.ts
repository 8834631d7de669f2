// Small helpers shared by bench modules: medians, spawning until /ready, idle RSS.
import { spawn, type ChildProcess } from 'node:child_process';
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
