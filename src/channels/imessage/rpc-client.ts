// One `imsg rpc` child: line-delimited JSON-RPC 2.0 over stdio (imsg docs/rpc.md). Requests carry
// an id and a timeout; lines without an id are notifications, handed to `onNotification`; stderr
// keeps its last lines for error texts. When the child exits (or cannot be spawned at all) every
// pending call is rejected with `imsg rpc exited (code N)` (or the spawn error) and `exited`
// resolves: nothing in here throws out of an event handler, so a missing `imsg` never crashes the
// gateway.
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';

export interface RpcExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The child never ran (ENOENT, EACCES…). */
  spawnError?: Error;
  /** `imsg rpc exited (code 1)`, `imsg rpc exited (signal SIGKILL)`, or the spawn failure. */
  message: string;
}

export interface RpcClientOptions {
  cliPath: string;
  dbPath?: string;
  onNotification?: (method: string, params: unknown) => void;
  /** Extra environment for the child (tests). */
  env?: NodeJS.ProcessEnv;
  stderrLines?: number;
}

/** A JSON-RPC error answer (`{ error: { code, message } }`): the child works, the call did not. */
export class RpcCallError extends Error {
  constructor(
    readonly method: string,
    message: string,
    readonly code?: number,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RpcCallError';
  }
}

/** The child is gone or never answered: the call may work after a restart. */
export class RpcTransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RpcTransportError';
  }
}

interface Pending {
  method: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export const DEFAULT_READY_TIMEOUT_MS = 30_000;

export function rpcArgs(dbPath?: string): string[] {
  return ['rpc', '--json', ...(dbPath ? ['--db', dbPath] : [])];
}

export function spawnErrorText(cliPath: string, err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOENT') return `imsg not found: cannot run "${cliPath}" (spawn ${cliPath} ENOENT)`;
  if (err.code === 'EACCES') return `imsg is not executable: "${cliPath}" (spawn ${cliPath} EACCES)`;
  return `cannot start imsg "${cliPath}": ${err.message}`;
}

export class ImsgRpcClient {
  private readonly child: ChildProcess;
  private readonly pending = new Map<string, Pending>();
  private readonly stderr: string[] = [];
  private nextId = 1;
  private exitInfo?: RpcExit;
  private resolveExit!: (e: RpcExit) => void;
  /** Resolves once the child is gone (or failed to spawn). Never rejects. */
  readonly exited: Promise<RpcExit>;

  constructor(private readonly opts: RpcClientOptions) {
    this.exited = new Promise((r) => (this.resolveExit = r));
    this.child = spawn(opts.cliPath, rpcArgs(opts.dbPath), { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    this.child.on('error', (err: NodeJS.ErrnoException) => {
      // Emitted for spawn failures (then no 'exit' follows) and for kill() failures (ignored).
      if (this.child.pid === undefined) this.finish({ code: null, signal: null, spawnError: err, message: spawnErrorText(opts.cliPath, err) });
    });
    this.child.on('close', (code, signal) => {
      // 'close', not 'exit': stdout is drained by then, so no answer written before the exit is lost.
      this.finish({ code, signal, message: code !== null ? `imsg rpc exited (code ${code})` : `imsg rpc exited (signal ${signal})` });
    });
    // EPIPE after the child died: the exit handler reports it.
    this.child.stdin?.on('error', () => {});
    this.child.stdout?.setEncoding('utf8');
    this.child.stderr?.setEncoding('utf8');
    readline.createInterface({ input: this.child.stdout! }).on('line', (line) => this.onLine(line));
    readline.createInterface({ input: this.child.stderr! }).on('line', (line) => {
      const t = line.trim();
      if (!t) return;
      this.stderr.push(t);
      if (this.stderr.length > (opts.stderrLines ?? 20)) this.stderr.shift();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exitInfo;
  }

  /** The last lines the child wrote to stderr (permission errors end up here). */
  stderrTail(n = 3): string[] {
    return this.stderr.slice(-n);
  }

  request<T = unknown>(method: string, params: Record<string, unknown> | undefined, timeoutMs: number): Promise<T> {
    if (this.exitInfo) return Promise.reject(new RpcTransportError(this.exitInfo.message));
    const id = String(this.nextId++);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RpcTransportError(`${method} timed out after ${timeoutMs}ms`));
      }, timeoutMs);
      timer.unref();
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, timer });
      const line = JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });
      this.child.stdin?.write(`${line}\n`);
    });
  }

  /**
   * Ready = the first call that answers: `chats.list` with `limit: 1` within `timeoutMs`.
   * Rejects with `imsg rpc not ready after <ms>ms (<cause>)`.
   */
  async waitReady(timeoutMs: number = DEFAULT_READY_TIMEOUT_MS): Promise<void> {
    try {
      await Promise.race([
        this.request('chats.list', { limit: 1 }, timeoutMs),
        this.exited.then((e) => Promise.reject(e.spawnError ? new RpcTransportError(e.message) : new RpcTransportError(e.message))),
      ]);
    } catch (err) {
      const cause = err instanceof RpcTransportError && /timed out after/.test(err.message) ? new Error('no answer to chats.list') : err;
      const text = cause instanceof Error ? `Error: ${cause.message}` : String(cause);
      throw new RpcTransportError(`imsg rpc not ready after ${timeoutMs}ms (${text})`);
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the child is gone. */
  async stop(graceMs = 1500): Promise<RpcExit> {
    if (this.exitInfo) return this.exitInfo;
    this.child.stdin?.end();
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    timer.unref();
    const e = await this.exited;
    clearTimeout(timer);
    return e;
  }

  private onLine(line: string): void {
    const t = line.trim();
    if (!t) return;
    let msg: { id?: string | number | null; method?: string; params?: unknown; result?: unknown; error?: { code?: number; message?: string; data?: unknown } };
    try {
      msg = JSON.parse(t);
    } catch {
      return; // not JSON-RPC (a banner, a warning on stdout): ignored
    }
    if (!msg || typeof msg !== 'object') return;
    if (msg.id !== undefined && msg.id !== null && (msg.result !== undefined || msg.error !== undefined)) {
      const p = this.pending.get(String(msg.id));
      if (!p) return;
      this.pending.delete(String(msg.id));
      clearTimeout(p.timer);
      if (msg.error) p.reject(new RpcCallError(p.method, msg.error.message ?? `${p.method} failed`, msg.error.code, msg.error.data));
      else p.resolve(msg.result);
      return;
    }
    if (typeof msg.method === 'string') {
      try {
        this.opts.onNotification?.(msg.method, msg.params);
      } catch {
        // a handler bug must not take the reader down
      }
    }
  }

  private finish(e: RpcExit): void {
    if (this.exitInfo) return;
    this.exitInfo = e;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new RpcTransportError(e.message));
    }
    this.resolveExit(e);
  }
}
