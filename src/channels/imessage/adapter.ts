// The iMessage ChannelAdapter: one supervised `imsg rpc` child (rpc-client.ts). Start = spawn,
// wait until it answers (`chats.list`), `watch.subscribe`; every `message` notification goes
// through facts.ts and is handed to the sink one at a time. The watch cursor (`since_rowid`) only
// moves once the sink resolved, and a restarted child resubscribes from it, so a crash of `imsg`
// loses or repeats nothing. A dead child is restarted with backoff (1 s doubling to 30 s);
// trouble never throws out of here: it becomes runtime() state, one log line and a fix.
import type { ResolvedAccount } from '../config.js';
import { ChannelSendError, type AdapterRuntime, type ChannelAdapter, type InboundSink, type OutboundText, type ProbeResult, type SendResult } from '../types.js';
import type { Logger } from '../../logging/types.js';
import { backoffDelay, envMs, sleep } from '../backoff.js';
import { messageToFacts, renderIMessageText, sendParams, type ImsgMessage } from './facts.js';
import { DEFAULT_READY_TIMEOUT_MS, ImsgRpcClient, RpcCallError, type RpcExit } from './rpc-client.js';
import { DEFAULT_CLI_PATH } from './config.js';
import { INSTALL_FIX, PERMISSIONS_FIX, RESTART_FIX } from './fixes.js';

export { INSTALL_FIX, PERMISSIONS_FIX, RESTART_FIX };

export interface IMessageAdapterDeps {
  log: Logger;
  /**
   * Test overrides: OPENCLAW_IMESSAGE_READY_TIMEOUT_MS (30000), OPENCLAW_IMESSAGE_RESTART_BASE_MS
   * (1000), OPENCLAW_IMESSAGE_RESTART_CAP_MS (30000), OPENCLAW_IMESSAGE_KILL_GRACE_MS (1500).
   * Variables starting with FAKE_IMSG_ are passed on to the child.
   */
  env?: Record<string, string | undefined>;
}

export const IMESSAGE_TEXT_LIMIT = 4000;
const CALL_TIMEOUT_MS = 30_000;
const SEND_TIMEOUT_MS = 60_000;
/** How long start() waits for the first connect before returning (the rest happens in the background). */
const START_WAIT_CAP_MS = 10_000;

class IMessageAdapter implements ChannelAdapter {
  readonly channel = 'imessage' as const;
  readonly accountId: string;
  readonly textLimit = IMESSAGE_TEXT_LIMIT;

  private readonly log: Logger;
  private readonly cliPath: string;
  private readonly dbPath?: string;
  private readonly childEnv: Record<string, string>;
  private readonly readyTimeoutMs: number;
  private readonly restartBaseMs: number;
  private readonly restartCapMs: number;
  private readonly killGraceMs: number;

  private sink?: InboundSink;
  private life?: AbortController;
  private loop?: Promise<void>;
  private client?: ImsgRpcClient;
  private subscription?: number;
  private stopping?: Promise<void>;
  /** Highest rowid handed to the sink (or found to carry nothing): the `since_rowid` of the next subscribe. */
  private cursor?: number;
  /** Notifications waiting for the sink, in order. */
  private chain: Promise<void> = Promise.resolve();
  /** Set when imsg reported that the watch stream died (an `error` notification). */
  private watchFailure?: string;

  private running = false;
  private connected = false;
  private lastError: string | null = null;
  private issue?: { message: string; fix?: string };
  private lastTransportActivityAt: number | null = null;
  private lastConnectedAt: number | null = null;

  constructor(
    private readonly account: ResolvedAccount,
    deps: IMessageAdapterDeps,
  ) {
    this.accountId = account.accountId;
    this.log = deps.log;
    const env = deps.env ?? {};
    this.cliPath = account.imessage?.cliPath ?? DEFAULT_CLI_PATH;
    this.dbPath = account.imessage?.dbPath;
    this.readyTimeoutMs = envMs(env, 'OPENCLAW_IMESSAGE_READY_TIMEOUT_MS', DEFAULT_READY_TIMEOUT_MS);
    this.restartBaseMs = envMs(env, 'OPENCLAW_IMESSAGE_RESTART_BASE_MS', 1000);
    this.restartCapMs = envMs(env, 'OPENCLAW_IMESSAGE_RESTART_CAP_MS', 30_000);
    this.killGraceMs = envMs(env, 'OPENCLAW_IMESSAGE_KILL_GRACE_MS', 1500);
    this.childEnv = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[0].startsWith('FAKE_IMSG_') && typeof e[1] === 'string'));
  }

  runtime(): AdapterRuntime {
    return {
      running: this.running,
      connected: this.connected,
      mode: 'rpc',
      lastError: this.lastError,
      terminal: false,
      lastTransportActivityAt: this.lastTransportActivityAt,
      lastConnectedAt: this.lastConnectedAt,
      ...(this.issue ? { issues: [this.issue] } : {}),
    };
  }

  private fail(message: string, fix: string): void {
    this.connected = false;
    this.lastError = message;
    this.issue = { message, fix };
  }

  private newClient(): ImsgRpcClient {
    return new ImsgRpcClient({
      cliPath: this.cliPath,
      dbPath: this.dbPath,
      env: this.childEnv,
      onNotification: (method, params) => this.onNotification(method, params),
    });
  }

  /** `imsg said: …` from the child's stderr, for the log and lastError. */
  private said(client: ImsgRpcClient): string {
    const tail = client.stderrTail(1);
    return tail.length ? ` (imsg said: ${tail[0]})` : '';
  }

  // ---- lifecycle

  async start(sink: InboundSink): Promise<void> {
    if (this.life) return;
    this.sink = sink;
    this.running = true;
    const life = (this.life = new AbortController());
    let first!: () => void;
    const firstAttempt = new Promise<void>((r) => (first = r));
    this.loop = this.supervise(life.signal, first).catch((err: unknown) => {
      this.fail(`iMessage supervisor failed: ${err instanceof Error ? err.message : String(err)}`, RESTART_FIX);
      this.log.error(`iMessage ${this.lastError}`, { accountId: this.accountId });
      first();
    });
    await Promise.race([firstAttempt, sleep(Math.min(this.readyTimeoutMs + 1000, START_WAIT_CAP_MS))]);
  }

  private async supervise(signal: AbortSignal, firstAttemptDone: () => void): Promise<void> {
    for (let attempt = 0; !signal.aborted; ) {
      const client = (this.client = this.newClient());
      let upSince: number | undefined;
      try {
        await client.waitReady(this.readyTimeoutMs);
        if (signal.aborted) break;
        // Messages received from the previous child are still being handed over: wait, so the cursor is current.
        await this.chain;
        const params = this.cursor !== undefined ? { since_rowid: this.cursor } : {};
        const sub = await client.request<{ subscription?: number }>('watch.subscribe', params, CALL_TIMEOUT_MS);
        this.subscription = typeof sub?.subscription === 'number' ? sub.subscription : undefined;
        upSince = Date.now();
        this.connected = true;
        this.lastConnectedAt = upSince;
        this.lastTransportActivityAt = upSince;
        const was = this.lastError;
        this.lastError = null;
        this.issue = undefined;
        this.log.info(`[${this.accountId}] imsg rpc ready (pid ${client.pid}, ${this.cliPath}${this.cursor !== undefined ? `, resuming after rowid ${this.cursor}` : ''})${was ? ` (was: ${was})` : ''}`, { accountId: this.accountId });
        firstAttemptDone();
        const exit = await client.exited;
        if (signal.aborted) break;
        if (this.watchFailure) {
          this.fail(this.watchFailure, PERMISSIONS_FIX);
          this.watchFailure = undefined;
        } else this.onChildExit(exit, client);
      } catch (err) {
        if (signal.aborted) break;
        this.onStartFailure(err, client);
        firstAttemptDone();
        await client.stop(this.killGraceMs);
      }
      this.client = undefined;
      this.subscription = undefined;
      if (signal.aborted) break;
      // A child that ran for a while starts the backoff over.
      if (upSince !== undefined && Date.now() - upSince >= this.restartCapMs) attempt = 0;
      const delay = backoffDelay(attempt++, this.restartBaseMs, this.restartCapMs);
      this.log.debug(`imsg rpc restart in ${delay} ms`, { accountId: this.accountId });
      if (!(await sleep(delay, signal))) break;
    }
  }

  private onChildExit(exit: RpcExit, client: ImsgRpcClient): void {
    const message = `${exit.message}${this.said(client)}`;
    const previous = this.lastError;
    this.fail(message, RESTART_FIX);
    const line = `iMessage ${message}; restarting with backoff. Fix: ${RESTART_FIX}`;
    if (previous === message) this.log.debug(line, { accountId: this.accountId });
    else this.log.warn(line, { accountId: this.accountId });
  }

  private onStartFailure(err: unknown, client: ImsgRpcClient): void {
    const base = err instanceof Error ? err.message : String(err);
    const missing = /imsg not found|ENOENT|EACCES|not executable/.test(base);
    const message = `${base}${this.said(client)}`;
    const fix = missing ? INSTALL_FIX : PERMISSIONS_FIX;
    const previous = this.lastError;
    this.fail(message, fix);
    const line = `iMessage ${message}. Fix: ${fix}`;
    if (previous === message) this.log.debug(line, { accountId: this.accountId });
    else this.log.error(line, { accountId: this.accountId });
  }

  stop(): Promise<void> {
    if (!this.life) return this.stopping ?? Promise.resolve();
    const life = this.life;
    this.stopping ??= (async () => {
      life.abort();
      const client = this.client;
      if (client?.alive && this.subscription !== undefined) {
        await client.request('watch.unsubscribe', { subscription: this.subscription }, 300).catch(() => {});
      }
      await client?.stop(this.killGraceMs);
      await this.loop;
      this.running = false;
      this.connected = false;
      this.life = undefined;
      this.loop = undefined;
      this.client = undefined;
      this.stopping = undefined;
    })();
    return this.stopping;
  }

  // ---- inbound

  private onNotification(method: string, params: unknown): void {
    this.lastTransportActivityAt = Date.now();
    if (method === 'error') {
      // imsg's watch stream died (the child lives on): restart it so the subscription resumes from the cursor.
      const text = (params as { error?: { message?: string } } | undefined)?.error?.message ?? 'unknown error';
      this.watchFailure = `imsg watch failed: ${text}`;
      this.log.warn(`iMessage ${this.watchFailure}; restarting imsg rpc`, { accountId: this.accountId });
      void this.client?.stop(this.killGraceMs);
      return;
    }
    if (method !== 'message') return;
    const message = (params as { message?: ImsgMessage } | undefined)?.message;
    if (!message) return;
    this.chain = this.chain.then(() => this.deliver(message));
  }

  /** One message to the sink; retried (in order, blocking the ones after it) until it is stored or we stop. */
  private async deliver(m: ImsgMessage): Promise<void> {
    const rowid = typeof m.id === 'number' ? m.id : undefined;
    if (rowid !== undefined && this.cursor !== undefined && rowid <= this.cursor) return; // replayed after a resubscribe
    const facts = messageToFacts(m, { accountId: this.accountId });
    for (let attempt = 0; facts && this.sink; attempt++) {
      if (this.life?.signal.aborted) return; // not stored: the cursor stays, so it is not skipped either
      try {
        await this.sink(facts);
        if (this.lastError?.startsWith('inbound message not stored')) {
          this.lastError = null;
          this.issue = undefined;
        }
        break;
      } catch (err) {
        this.lastError = `inbound message not stored (${facts.messageId}, retrying): ${err instanceof Error ? err.message : String(err)}`;
        this.log.warn(`iMessage ${this.lastError}`, { accountId: this.accountId });
        if (!(await sleep(backoffDelay(attempt, 250, 5000), this.life?.signal))) return;
      }
    }
    if (rowid !== undefined && (this.cursor === undefined || rowid > this.cursor)) this.cursor = rowid;
  }

  // ---- outbound

  async send(msg: OutboundText): Promise<SendResult> {
    const client = this.client;
    if (!client?.alive || !this.connected) {
      throw new ChannelSendError(`iMessage is not connected: ${this.lastError ?? 'imsg rpc is not running'}`, true, this.issue?.fix);
    }
    const params = sendParams(msg.chatId, renderIMessageText(msg.text), { service: this.account.imessage?.service, region: this.account.imessage?.region });
    try {
      const result = await client.request<{ ok?: boolean; id?: string | number; guid?: string; message_id?: string | number }>('send', params, SEND_TIMEOUT_MS);
      if (result && result.ok === false) throw new RpcCallError('send', 'imsg send answered ok:false');
      this.lastTransportActivityAt = Date.now();
      const id = result?.guid ?? result?.message_id ?? result?.id;
      return { messageIds: id !== undefined ? [String(id)] : [] };
    } catch (err) {
      if (err instanceof RpcCallError) {
        const automation = /-1743|not authori[sz]ed|not allowed to send apple events|automation/i.test(err.message);
        throw new ChannelSendError(`imsg send failed: ${err.message}`, false, automation ? PERMISSIONS_FIX : `check the target ${msg.chatId} (a phone number in E.164, an email, or chat_id:<id> from: imsg chats --limit 20 --json)`);
      }
      throw new ChannelSendError(`imsg send failed: ${err instanceof Error ? err.message : String(err)}`, true, RESTART_FIX);
    }
  }

  // ---- probe

  /** A real `chats.list` call: through the running child, or through a short-lived one. Fails when the RPC fails. */
  async probe(timeoutMs: number): Promise<ProbeResult> {
    const started = Date.now();
    const elapsed = () => Date.now() - started;
    // A little under the caller's budget, so our own (more useful) error wins over its timeout.
    const timeout = Math.max(250, Math.min(timeoutMs, this.account.imessage?.probeTimeoutMs ?? timeoutMs) - 250);
    const live = this.client?.alive && this.connected ? this.client : undefined;
    const client = live ?? this.newClient();
    try {
      if (!live) await client.waitReady(Math.min(timeout, this.readyTimeoutMs));
      const r = await client.request<{ chats?: unknown[] }>('chats.list', { limit: 1 }, Math.max(1, timeout - elapsed()));
      if (!r || !Array.isArray(r.chats)) return { ok: false, status: null, error: 'chats.list answered without a chats list', elapsedMs: elapsed() };
      this.lastTransportActivityAt = Date.now();
      return { ok: true, status: null, error: null, elapsedMs: elapsed(), cliPath: this.cliPath, chats: r.chats.length };
    } catch (err) {
      const message = `${err instanceof Error ? err.message : String(err)}${this.said(client)}`;
      // `fix`: what status should print for this failure (the manager's probeFix is Telegram's today).
      const fix = /imsg not found|ENOENT|EACCES|not executable/.test(message) ? INSTALL_FIX : PERMISSIONS_FIX;
      return { ok: false, status: null, error: err instanceof RpcCallError ? `chats.list failed: ${message}` : message, elapsedMs: elapsed(), cliPath: this.cliPath, fix };
    } finally {
      if (!live) void client.stop(this.killGraceMs); // the answer is known; the child goes in the background
    }
  }
}

export function createIMessageAdapter(account: ResolvedAccount, deps: IMessageAdapterDeps): ChannelAdapter {
  return new IMessageAdapter(account, deps);
}
