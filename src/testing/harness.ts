// Test helpers for real processes, sockets and state dirs. Used by tests only.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

/** Compiled CLI entry next to this file's build output (dist/ or .build/<name>/). */
export const CLI_MAIN = fileURLToPath(new URL('../cli/main.cjs', import.meta.url));

/** The gateway's ready line. A bare /listening on/ also matches "another gateway instance is already listening on…". */
export const READY_LINE = /\[gateway\] listening on ws:\/\/[^ ]+ \(pid \d+\)/;

export interface StateDir {
  dir: string;
  configPath: string;
  env: NodeJS.ProcessEnv;
  writeConfig(config: unknown): void;
  cleanup(): void;
}

/** A fresh state dir with HOME pointed inside it, so nothing touches the real ~/.openclaw. */
export function makeStateDir(config?: unknown): StateDir {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-test-'));
  const dir = path.join(root, 'state');
  fs.mkdirSync(dir, { mode: 0o700 });
  const configPath = path.join(dir, 'openclaw.json');
  const env: NodeJS.ProcessEnv = { ...cleanEnv(), HOME: root, OPENCLAW_STATE_DIR: dir };
  const writeConfig = (c: unknown) => fs.writeFileSync(configPath, typeof c === 'string' ? c : JSON.stringify(c, null, 2), { mode: 0o600 });
  if (config !== undefined) writeConfig(config);
  // Retries: a gateway SIGKILLed by another after() hook of the file may still be writing (ENOTEMPTY).
  return { dir, configPath, env, writeConfig, cleanup: () => fs.rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }) };
}

/** Variables of the developer's shell that would change what a test sees (model backends found, keys used). */
// FORCE_COLOR: `node --test` in a terminal sets it for test processes, which would colour every
// spawned CLI's output; tests that want colour (or NO_COLOR) set it themselves.
const SHELL_ONLY = new Set(['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OLLAMA_HOST', 'FORCE_COLOR', 'NO_COLOR']);

/** process.env without any OPENCLAW_* variables (or model keys, or colour settings) of the developer's shell. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OPENCLAW_') && !SHELL_ONLY.has(k)) env[k] = v;
  return env;
}

/**
 * A port free to listen on, picked below the kernel's ephemeral range: a port the kernel hands out
 * (listen(0), or the source port of any outgoing connection, e.g. another test's client) can be
 * taken again by the time a spawned gateway binds it, and on a busy CI machine it was.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow() ?? 0;
  for (let i = 0; low > 11_000 && i < 50; i++) {
    const port = 10_000 + Math.floor(Math.random() * (low - 11_000));
    if (await canListen(port)) return port;
  }
  return listenOnce(0);
}

function ephemeralLow(): number | undefined {
  try {
    const low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) ? low : undefined;
  } catch {
    return undefined; // not Linux: the kernel's pick it is
  }
}

function canListen(port: number): Promise<boolean> {
  return listenOnce(port).then(
    () => true,
    () => false,
  );
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(port, '127.0.0.1', () => {
      const bound = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(bound));
    });
  });
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `openclaw <args>` to completion; `bin`: another launcher (an installed copy). */
export function runCli(args: string[], opts: { env: NodeJS.ProcessEnv; timeoutMs?: number; input?: string; cwd?: string; bin?: string }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [opts.bin ?? CLI_MAIN, ...args], { env: opts.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`openclaw ${args.join(' ')} timed out after ${opts.timeoutMs ?? 20_000}ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

export interface GatewayProcess {
  proc: ChildProcess;
  /** Everything written to stdout+stderr so far. */
  output(): string;
  /** Resolves with the first match of `re` in the output (waits for it). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Starts `openclaw <args>` (usually `gateway run --port N`) in the foreground; `bin`: another
 * launcher (an installed copy); `command`: a program to run instead of node (an entrypoint script).
 */
export function spawnCli(args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; bin?: string; command?: string }): GatewayProcess {
  const proc = spawn(opts.command ?? process.execPath, opts.command ? args : [opts.bin ?? CLI_MAIN, ...args], { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  let exitedFlag = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close' (not 'exit') so all output has been read before waiters give up on a dead process.
    proc.on('close', (code, signal) => {
      exitedFlag = true;
      resolve({ code, signal });
      for (const w of waiters) w();
    }),
  );
  return {
    proc,
    output: () => out,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (!exitedFlag) proc.kill(signal);
    },
    waitFor(re, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(re);
          if (m) {
            cleanup();
            resolve(m);
          } else if (exitedFlag) {
            cleanup();
            reject(new Error(`process exited before ${re} appeared; output:\n${out}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out after ${timeoutMs}ms waiting for ${re}; output:\n${out}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** A minimal valid config for a local gateway with a pinned token. */
export function localConfig(token = 'test-token-0123456789abcdef0123456789', extra: Record<string, unknown> = {}): Record<string, unknown> {
  const gateway = { mode: 'local', auth: { mode: 'token', token }, ...((extra.gateway as object) ?? {}) };
  return { ...extra, gateway };
}

/** Polls until fn() resolves truthy. */
export async function eventually<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs}ms${lastErr ? `: ${String(lastErr)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Starts `openclaw gateway run <args>` and waits for its ready line; returns the port and pid it
 * announced. `track` collects the process so the test file can kill leftovers in `after()`.
 */
/** For a test file that makes many state dirs: `makeStateDir` whose dirs are all removed after the file. */
export function stateDirsForFile(): (config?: unknown) => StateDir {
  const dirs: StateDir[] = [];
  after(() => dirs.forEach((d) => d.cleanup()));
  return (config) => {
    const s = makeStateDir(config);
    dirs.push(s);
    return s;
  };
}

/** Generous: on a loaded 2-core CI machine a gateway takes seconds to start or react. */
export const GATEWAY_WAIT_MS = 30_000;

/** For a test file that runs gateways: `start` tracks each one; all are SIGKILLed after the file. */
export function gatewayRuns(): { start(state: StateDir, args?: string[]): ReturnType<typeof startGatewayRun>; stop(gw: GatewayProcess): Promise<{ code: number | null }> } {
  const spawned: GatewayProcess[] = [];
  after(() => spawned.forEach((g) => g.kill('SIGKILL')));
  return {
    start: (state, args = ['--port', '0']) => startGatewayRun(state.env, args, { track: spawned, waitMs: GATEWAY_WAIT_MS }),
    stop(gw) {
      gw.kill('SIGTERM');
      return gw.exited;
    },
  };
}

export async function startGatewayRun(env: NodeJS.ProcessEnv, args: string[] = ['--port', '0'], opts: { track?: GatewayProcess[]; waitMs?: number } = {}): Promise<{ gw: GatewayProcess; port: number; pid: number }> {
  const gw = spawnCli(['gateway', 'run', ...args], { env });
  opts.track?.push(gw);
  const m = await gw.waitFor(/\[gateway\] listening on ws:\/\/[^ ]*:(\d+) \(pid (\d+)\)/, opts.waitMs ?? 30_000);
  return { gw, port: Number(m[1]), pid: Number(m[2]) };
}

/**
 * A small tmpfs (a full disk on demand) mounted on a fresh temp dir; undefined when this process
 * cannot mount (not root). `unmount()` unmounts and removes the dir; call it in a finally.
 */
export function mountSmallTmpfs(size: string): { dir: string; unmount(): void } | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-tmpfs-'));
  const mounted = process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'ignore', timeout: 10_000 }).status === 0;
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  if (!mounted) {
    remove();
    return undefined;
  }
  return {
    dir,
    unmount() {
      spawnSync('umount', ['-l', dir], { stdio: 'ignore', timeout: 10_000 });
      remove();
    },
  };
}
