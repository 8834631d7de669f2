// The Discord ChannelAdapter: @discordjs/rest for every REST call, @discordjs/ws for the Gateway
// (heartbeats, RESUME with session id + seq, reconnects), facts.ts for what a message means.
// Channel trouble never throws out of here and never crashes the process: it becomes runtime()
// state plus one log line. The token is scrubbed from every text that leaves this file.
import type { RESTOptions } from '@discordjs/rest';
import { createHttpFetch } from '../../infra/http-fetch.js';
import { REST } from './rest-client.js';
import type { IIdentifyThrottler, SessionInfo, WebSocketManager } from '@discordjs/ws';
import type {
  APIApplication,
  APIChannel,
  APIMessage,
  APIUser,
  GatewayDispatchPayload,
  GatewayMessageCreateDispatchData,
  GatewayReadyDispatchData,
} from 'discord-api-types/v10';
import { discordApi, discordWs } from './packages.js';
import type { ResolvedAccount } from '../config.js';
import {
  ChannelSendError,
  type AdapterRuntime,
  type ChannelAdapter,
  type InboundFacts,
  type InboundSink,
  type OutboundText,
  type ProbeResult,
  type SendResult,
} from '../types.js';
import type { Logger } from '../../logging/types.js';
import { backoffDelay, envMs, sleep } from '../backoff.js';
import { DISCORD_DEFAULT_API_ROOT, type DiscordExtras } from './config.js';
import { classifyError, INTENT_DISABLED_MESSAGE, INTENT_FIX, redactToken, terminalClose, toSendError, TOKEN_FIX, type RestFailure } from './errors.js';
import { managedRoleIds, messageToFacts } from './facts.js';

export interface DiscordAdapterDeps {
  log: Logger;
  /**
   * OPENCLAW_DISCORD_READY_TIMEOUT_MS (READY wait until the first session, default 15000),
   * OPENCLAW_DISCORD_RUNTIME_READY_TIMEOUT_MS (READY / RESUMED wait after a session was lost,
   * default 30000), OPENCLAW_DISCORD_RETRY_BASE_MS (default 1000).
   */
  env?: Record<string, string | undefined>;
}

export const DISCORD_TEXT_LIMIT = 2000;
const SEND_TIMEOUT_MS = 15_000;
const SINK_ATTEMPTS = 3;
const TERMINAL_CLOSE_CODES = new Set([4004, 4010, 4011, 4012, 4013, 4014]);
/** Upstream's READY waits: at startup, and after a runtime reconnect. */
export const READY_TIMEOUT_MS = 15_000;
export const RUNTIME_READY_TIMEOUT_MS = 30_000;
const RETRY_CAP_MS = 30_000;
/** Discord lets a bot IDENTIFY once per 5 s (per max_concurrency bucket; this gateway runs one shard). */
const IDENTIFY_INTERVAL_MS = 5000;

/** The fix for a session that never reached READY, naming the env var that sets the wait. */
export function readyTimeoutFix(envVar: string): string {
  return `check that this host can open a WebSocket to the Discord gateway (proxy, firewall, DNS) and https://discordstatus.com; to wait longer set ${envVar}`;
}

/** The fix for a probe that got no answer from the REST API. */
function networkFix(apiRoot: string | undefined): string {
  return `check network access to ${apiRoot ?? DISCORD_DEFAULT_API_ROOT} (proxy, DNS, firewall), then openclaw channels status --probe --channel discord`;
}

/**
 * What this adapter touches of a @discordjs/ws shard beyond the public API (see retireShards);
 * pinned by the READY-timeout and stop tests in adapter.test.ts.
 */
interface ShardInternals {
  destroy(options?: { code?: number; reason?: string }): Promise<void>;
  removeAllListeners(): unknown;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  internalConnect?: () => Promise<void>;
}

/** @discordjs/rest wants the base without the version (`https://discord.com/api`) and `version: '10'`. */
export function restBase(apiRoot: string | undefined): { api: string; version: string } {
  const root = (apiRoot ?? DISCORD_DEFAULT_API_ROOT).replace(/\/+$/, '');
  const m = /^(.*)\/v(\d+)$/.exec(root);
  return m ? { api: m[1], version: m[2] } : { api: root, version: '10' };
}

const DEFAULT_EXTRAS: DiscordExtras = { messageContent: true, guildMembers: false, presence: false, voiceStates: false, allowBots: false };

/** The intents we identify with: what a text assistant needs, plus the privileged ones the config asks for. */
export function intentsFor(x: DiscordExtras): number {
  let bits = discordApi.GatewayIntentBits.Guilds | discordApi.GatewayIntentBits.GuildMessages | discordApi.GatewayIntentBits.DirectMessages;
  if (x.messageContent) bits |= discordApi.GatewayIntentBits.MessageContent;
  if (x.guildMembers) bits |= discordApi.GatewayIntentBits.GuildMembers;
  if (x.presence) bits |= discordApi.GatewayIntentBits.GuildPresences;
  if (x.voiceStates) bits |= discordApi.GatewayIntentBits.GuildVoiceStates;
  return bits;
}

export type IntentState = 'enabled' | 'limited' | 'disabled';

/** Message Content as the application flags say: approved (any size), Portal toggle (< 100 servers), or off. */
export function messageContentIntent(flags: number | undefined): IntentState {
  const f = flags ?? 0;
  if (f & discordApi.ApplicationFlags.GatewayMessageContent) return 'enabled';
  if (f & discordApi.ApplicationFlags.GatewayMessageContentLimited) return 'limited';
  return 'disabled';
}

/** A target of `send`: `user:<id>` (a DM, opened on first use), `channel:<id>`, or a bare channel id. */
function parseTarget(chatId: string): { user?: string; channel?: string } {
  const s = chatId.trim();
  const lower = s.toLowerCase();
  if (lower.startsWith('user:')) return { user: s.slice(5) };
  if (lower.startsWith('discord:')) return { user: s.slice(8) };
  if (lower.startsWith('channel:')) return { channel: s.slice(8) };
  return { channel: s };
}

type ErrorSource = 'boot' | 'gateway' | 'sink';

class DiscordAdapter implements ChannelAdapter {
  readonly channel = 'discord' as const;
  readonly accountId: string;
  readonly textLimit = DISCORD_TEXT_LIMIT;

  private readonly token?: string;
  private readonly log: Logger;
  private readonly extras: DiscordExtras;
  private readonly readyTimeoutMs: number;
  private readonly runtimeReadyTimeoutMs: number;
  private readonly retryBaseMs: number;
  private rest?: REST;
  private manager?: WebSocketManager;
  private session: SessionInfo | null = null;
  private sink?: InboundSink;
  private life?: AbortController;
  private stopping?: Promise<void>;
  private stopped = false;
  private bootDone?: () => void;
  /** Armed while a session is expected but has not reached READY / RESUMED (see armReadyWatchdog). */
  private readyTimer?: NodeJS.Timeout;
  private readyDeadline = 0;
  private readyTimeout: { ms: number; envVar: string } = { ms: 0, envVar: '' };
  /** Aborted when the current shards are retired: their IDENTIFY waits give up (identifyPacer). */
  private shardGeneration = new AbortController();
  /** A READY was seen since start(): later waits use the runtime timeout. */
  private established = false;
  /** Failed session attempts in a row (backoff exponent); reset by READY / RESUMED. */
  private failures = 0;
  private retryPending = false;
  /** Per channel: the tail of its delivery chain (messages of one channel reach the sink in order). */
  private readonly chains = new Map<string, Promise<void>>();
  /** The bot's managed role in each guild (from GUILD_CREATE): mentioning it addresses the bot. */
  private readonly botRoleIds = new Set<string>();
  private readonly dmChannels = new Map<string, string>();

  private me?: { id: string; username: string };
  private applicationId?: string;
  private applicationFlags?: number;
  /** A 4014 close said the Message Content intent is not allowed; newer flags (a probe) replace it. */
  private contentDisallowed = false;
  private running = false;
  private connected = false;
  private terminal = false;
  private lastError: string | null = null;
  private errorSource: ErrorSource | null = null;
  private issue?: { message: string; fix?: string };
  private lastTransportActivityAt: number | null = null;
  private lastConnectedAt: number | null = null;

  constructor(
    private readonly account: ResolvedAccount,
    deps: DiscordAdapterDeps,
  ) {
    this.accountId = account.accountId;
    this.log = deps.log;
    this.token = account.token;
    this.extras = account.discord ?? DEFAULT_EXTRAS;
    const env = deps.env ?? {};
    this.readyTimeoutMs = envMs(env, 'OPENCLAW_DISCORD_READY_TIMEOUT_MS', READY_TIMEOUT_MS);
    this.runtimeReadyTimeoutMs = envMs(env, 'OPENCLAW_DISCORD_RUNTIME_READY_TIMEOUT_MS', RUNTIME_READY_TIMEOUT_MS);
    this.retryBaseMs = envMs(env, 'OPENCLAW_DISCORD_RETRY_BASE_MS', 1000);
    if (this.token) this.rest = this.newRest(this.token);
  }

  private newRest(token: string): REST {
    const { api, version } = restBase(this.account.apiRoot);
    // retries 0: the outbound queue owns retries (with backoff and durable state); rejectOnRateLimit:
    // a 429 becomes a retryable ChannelSendError with retry_after instead of a hidden in-process wait.
    // No sweeper intervals: one bot has a handful of routes, and an interval would keep a stopped adapter's process alive.
    // makeRequest: node:http with keep-alive instead of global fetch (see http-fetch.ts: fetch and
    // Headers load Node's bundled undici, ~10 MB of RSS on Node 20).
    return new REST({ api, version, retries: 0, timeout: SEND_TIMEOUT_MS, rejectOnRateLimit: () => true, hashSweepInterval: 0, handlerSweepInterval: 0, makeRequest: createHttpFetch({ plainHeaders: true }) as unknown as RESTOptions['makeRequest'] }).setToken(token);
  }

  private redact(s: string): string {
    return redactToken(s, this.token);
  }

  private classify(err: unknown): RestFailure {
    const f = classifyError(err, this.token);
    // @discordjs/rest forgets the token after any 401; set it again so later calls report the real answer.
    if (f.status === 401 && this.rest && this.token) this.rest.setToken(this.token);
    return f;
  }

  // ---- runtime state

  private setError(source: ErrorSource, message: string, terminal = false): void {
    this.lastError = this.redact(message);
    this.errorSource = source;
    this.terminal = terminal;
  }

  private clearError(...sources: ErrorSource[]): void {
    if (!this.errorSource || !sources.includes(this.errorSource)) return;
    this.lastError = null;
    this.errorSource = null;
    this.terminal = false;
  }

  runtime(): AdapterRuntime {
    const issues: Array<{ message: string; fix?: string }> = [];
    if (this.issue) issues.push(this.issue);
    if (this.extras.messageContent && this.applicationFlags !== undefined && messageContentIntent(this.applicationFlags) === 'disabled') {
      issues.push({ message: INTENT_DISABLED_MESSAGE, fix: INTENT_FIX });
    }
    // Upstream's snapshot field (status prints `intents:content=limited|disabled`), once READY or a probe told us the flags.
    const snapshot = this.applicationFlags !== undefined ? { application: { intents: { messageContent: messageContentIntent(this.applicationFlags) } } } : undefined;
    return {
      running: this.running,
      connected: this.connected,
      mode: 'gateway',
      lastError: this.lastError,
      terminal: this.terminal,
      lastTransportActivityAt: this.lastTransportActivityAt,
      lastConnectedAt: this.lastConnectedAt,
      ...(this.me ? { bot: { id: this.me.id, username: this.me.username } } : {}),
      ...(issues.length ? { issues } : {}),
      ...(this.application() ? { snapshot: { application: this.application() } } : {}),
    };
  }

  /** Message Content as last seen: a 4014 close, else the flags of READY or the last probe; undefined before either. */
  private messageContentState(): IntentState | undefined {
    if (this.contentDisallowed) return 'disabled';
    return this.applicationFlags === undefined ? undefined : messageContentIntent(this.applicationFlags);
  }

  /** Upstream's `application` status field (`application.intents.messageContent` → `intents:content=…`). */
  private application(): { id?: string; flags?: number; intents: { messageContent: IntentState } } | undefined {
    const messageContent = this.messageContentState();
    if (!messageContent) return undefined;
    return {
      ...(this.applicationId ? { id: this.applicationId } : {}),
      ...(this.applicationFlags !== undefined ? { flags: this.applicationFlags } : {}),
      intents: { messageContent },
    };
  }

  /** Fresh application flags (READY, probe) replace what a 4014 close implied. */
  private setApplication(id: string | undefined, flags: number): void {
    if (id) this.applicationId = id;
    this.applicationFlags = flags;
    this.contentDisallowed = false;
  }

  private finishBoot(): void {
    const done = this.bootDone;
    this.bootDone = undefined;
    done?.();
  }

  private failTerminal(reason: string, fix: string): void {
    this.disarmReadyWatchdog();
    this.setError('gateway', reason, true);
    this.issue = { message: this.redact(reason), fix };
    this.running = false;
    this.connected = false;
    this.log.error(`Discord ${this.accountId}: ${this.lastError}. Fix: ${fix}`, { accountId: this.accountId });
    this.finishBoot();
  }

  // ---- lifecycle

  async start(sink: InboundSink): Promise<void> {
    if (this.running || this.life) return;
    this.sink = sink;
    if (!this.token || !this.rest) {
      const why = this.account.tokenError ?? 'no bot token configured';
      this.setError('boot', `Discord cannot start: ${why}`, true);
      this.issue = { message: `Discord bot token missing: ${why}`, fix: TOKEN_FIX };
      this.log.error(`Discord account ${this.accountId} cannot start: ${why}. Fix: ${TOKEN_FIX}`);
      return;
    }
    this.running = true;
    this.stopped = false;
    this.established = false;
    this.failures = 0;
    this.life = new AbortController();
    const manager = (this.manager = new discordWs.WebSocketManager({
      token: this.token,
      intents: intentsFor(this.extras),
      rest: this.rest,
      // The READY wait is ours (armReadyWatchdog): the library's would reconnect at once, with no
      // backoff and no word in status, and it does not cover RESUME or a socket that never opens.
      readyTimeout: null,
      buildIdentifyThrottler: () => this.identifyPacer(),
      identifyProperties: { browser: 'openclaw', device: 'openclaw', os: process.platform },
      // The library's default session store is one map per process keyed by shard id: two
      // accounts (or a restart of this adapter) would resume each other's sessions.
      retrieveSessionInfo: () => this.session,
      updateSessionInfo: (_shardId, info) => {
        this.session = info;
      },
    }));
    this.wire(manager);
    // Resolves at the first READY, a terminal failure, or the first failed attempt (then it keeps trying).
    await new Promise<void>((bootDone) => {
      this.bootDone = bootDone;
      void this.connectAttempt();
    });
  }

  /**
   * One session attempt: GET /gateway/bot (its own REST timeout; a 401 is final), then the READY
   * clock starts and the manager opens a fresh shard (IDENTIFY; a retired shard took its session along).
   */
  private async connectAttempt(): Promise<void> {
    this.retryPending = false;
    const manager = this.manager;
    const signal = this.life?.signal;
    if (!manager || !signal || signal.aborted || this.terminal) return;
    try {
      await manager.fetchGatewayInformation();
    } catch (err) {
      if (signal.aborted || this.terminal) return;
      const f = this.classify(err);
      return this.connectFailed(f);
    }
    if (signal.aborted || this.terminal) return;
    this.armReadyWatchdog();
    // Resolves at READY; rejects for a terminal close (already reported by onClosed) or a REST
    // failure inside; never settles for a shard retired before its READY.
    manager.connect().catch((err: unknown) => {
      if (signal.aborted || this.terminal) return;
      this.connectFailed(this.classify(err));
    });
  }

  /** GET /gateway/bot (or connect()) failed: a 401 is final, anything else is retried. */
  private connectFailed(f: RestFailure): void {
    if (f.status === 401) return this.failTerminal('GET /gateway/bot returned 401 (Unauthorized): the bot token was rejected', TOKEN_FIX);
    this.sessionFailed(`Discord gateway connect failed: ${f.summary}`);
  }

  /**
   * Starts the READY clock unless it runs already (a flapping reconnect keeps the first deadline):
   * OPENCLAW_DISCORD_READY_TIMEOUT_MS until the first session, then OPENCLAW_DISCORD_RUNTIME_READY_TIMEOUT_MS.
   */
  private armReadyWatchdog(): void {
    if (this.readyTimer || this.stopped) return;
    const runtime = this.established;
    const ms = runtime ? this.runtimeReadyTimeoutMs : this.readyTimeoutMs;
    this.readyTimeout = { ms, envVar: runtime ? 'OPENCLAW_DISCORD_RUNTIME_READY_TIMEOUT_MS' : 'OPENCLAW_DISCORD_READY_TIMEOUT_MS' };
    this.readyDeadline = Date.now() + ms;
    this.scheduleReadyWatchdog();
  }

  /** The wait Discord imposes between IDENTIFYs does not count against the session. */
  private extendReadyWatchdog(ms: number): void {
    if (!this.readyTimer) return;
    this.readyDeadline += ms;
    this.scheduleReadyWatchdog();
  }

  private scheduleReadyWatchdog(): void {
    if (this.readyTimer) clearTimeout(this.readyTimer);
    this.readyTimer = setTimeout(() => {
      this.readyTimer = undefined;
      if (this.stopped || this.terminal || this.connected) return;
      const { ms, envVar } = this.readyTimeout;
      this.sessionFailed(`Discord gateway READY not received within ${ms} ms`, readyTimeoutFix(envVar));
    }, Math.max(0, this.readyDeadline - Date.now()));
    this.readyTimer.unref();
  }

  private disarmReadyWatchdog(): void {
    if (this.readyTimer) clearTimeout(this.readyTimer);
    this.readyTimer = undefined;
  }

  /**
   * Stands in for the library's identify throttle: the same 5 s pacing (without its jitter, which
   * is for many processes sharing a token), a wait that a retired shard gives up instead of
   * holding the next session's IDENTIFY, and a READY clock that does not count the wait.
   */
  private identifyPacer(): IIdentifyThrottler {
    let next = 0;
    return {
      waitForIdentify: async (_shardId, signal) => {
        const gone = AbortSignal.any([signal, this.shardGeneration.signal]);
        const wait = next - Date.now();
        if (wait > 0) {
          this.extendReadyWatchdog(wait);
          await sleep(wait, gone);
        }
        if (gone.aborted) throw new Error('IDENTIFY abandoned: the shard was closed');
        next = Date.now() + IDENTIFY_INTERVAL_MS;
      },
    };
  }

  /** A session attempt failed: its shard is ended for good, then a fresh attempt follows the backoff. */
  private sessionFailed(reason: string, fix?: string): void {
    const manager = this.manager;
    if (!manager || this.stopped || this.terminal || this.retryPending) return;
    this.retryPending = true;
    this.disarmReadyWatchdog();
    void this.retireShards(manager, 'openclaw: session attempt failed');
    this.connected = false;
    const delay = backoffDelay(this.failures++, this.retryBaseMs, RETRY_CAP_MS);
    this.setError('gateway', `${reason}; reconnecting in ${delay} ms`);
    this.issue = fix ? { message: this.lastError!, fix } : undefined;
    this.log.warn(`Discord ${this.accountId}: ${this.lastError}${fix ? `. Fix: ${fix}` : ''}`, { accountId: this.accountId });
    this.finishBoot();
    void sleep(delay, this.life?.signal).then((ok) => {
      if (ok) return this.connectAttempt();
      this.retryPending = false;
    });
  }

  /**
   * Ends the manager's shards for good. @discordjs/ws reconnects a shard on its own after most
   * closes (500 ms later; also when it is destroyed while waiting for READY), and its strategy
   * forgets shards only after their close handshake, which would then drop a newer shard. So each
   * shard leaves the strategy now, loses its listeners (no late event reaches this adapter), and
   * has its reconnect disabled before it is destroyed; the next manager.connect() spawns a new one.
   */
  private retireShards(manager: WebSocketManager, reason: string): Promise<void> {
    const shards = (manager as unknown as { strategy?: { shards?: Map<number, ShardInternals> } }).strategy?.shards;
    if (!shards) return Promise.resolve();
    const retired = [...shards.values()];
    shards.clear();
    this.shardGeneration.abort();
    this.shardGeneration = new AbortController();
    return Promise.all(
      retired.map((shard) => {
        shard.removeAllListeners();
        shard.on('error', () => {}); // an 'error' emitted without a listener would throw
        shard.internalConnect = async () => {};
        return shard.destroy({ code: 1000, reason }).catch(() => {});
      }),
    ).then(() => {});
  }

  private wire(manager: WebSocketManager): void {
    manager.on(discordWs.WebSocketShardEvents.Ready, (data: GatewayReadyDispatchData) => this.onReady(data));
    manager.on(discordWs.WebSocketShardEvents.Resumed, () => {
      this.markConnected();
      this.clearError('gateway', 'boot');
      this.issue = undefined;
      this.log.info(`Discord ${this.accountId}: gateway session resumed`, { accountId: this.accountId });
    });
    manager.on(discordWs.WebSocketShardEvents.Closed, (code: number) => this.onClosed(code));
    manager.on(discordWs.WebSocketShardEvents.Dispatch, (payload: GatewayDispatchPayload) => {
      this.lastTransportActivityAt = Date.now();
      if (payload.t === discordApi.GatewayDispatchEvents.MessageCreate) this.onMessage(payload.d);
      else if (payload.t === discordApi.GatewayDispatchEvents.GuildCreate) for (const id of managedRoleIds(payload.d.roles, this.me?.id)) this.botRoleIds.add(id);
    });
    manager.on(discordWs.WebSocketShardEvents.HeartbeatComplete, () => {
      this.lastTransportActivityAt = Date.now();
    });
    manager.on(discordWs.WebSocketShardEvents.Hello, () => {
      this.lastTransportActivityAt = Date.now();
      // A shard spawned by a connect() that was already under way when stop() ran is ended here.
      if (this.stopped) void this.retireShards(manager, 'openclaw gateway stopping');
    });
    // Close-code errors ("Used disallowed intents") are reported by onClosed; an unhandled
    // 'error' event would throw out of the emitter.
    manager.on(discordWs.WebSocketShardEvents.Error, (err: Error) => this.log.debug(`Discord gateway error: ${this.redact(err.message)}`, { accountId: this.accountId }));
    manager.on(discordWs.WebSocketShardEvents.SocketError, (err: Error) => this.log.debug(`Discord gateway socket error: ${this.redact(err?.message ?? String(err))}`, { accountId: this.accountId }));
  }

  private markConnected(): void {
    this.disarmReadyWatchdog();
    this.failures = 0;
    this.established = true;
    const at = Date.now();
    if (!this.connected) this.lastConnectedAt = at;
    this.connected = true;
    this.lastTransportActivityAt = at;
  }

  private onReady(data: GatewayReadyDispatchData): void {
    const first = !this.me;
    this.me = { id: data.user.id, username: data.user.username };
    if (typeof data.application?.flags === 'number') this.setApplication(data.application.id, data.application.flags);
    this.markConnected();
    this.clearError('gateway', 'boot');
    this.issue = undefined;
    // Upstream's line, which people grep for.
    if (first) this.log.info(`[${this.accountId}] starting provider (@${data.user.username})`);
    else this.log.info(`Discord ${this.accountId}: new gateway session (READY)`, { accountId: this.accountId });
    this.finishBoot();
  }

  private onClosed(code: number): void {
    if (this.stopped) return;
    this.connected = false;
    const t = terminalClose(code);
    if (code === 4014 && this.contentCaused4014()) this.contentDisallowed = true;
    if (t || TERMINAL_CLOSE_CODES.has(code)) return this.failTerminal(t?.reason ?? `Discord gateway closed with ${code}`, t?.fix ?? TOKEN_FIX);
    // Anything else: the library resumes (abnormal close) or re-identifies (1000, invalid session)
    // on its own; the READY clock bounds how long that may take.
    this.armReadyWatchdog();
    const previous = this.lastError;
    this.setError('gateway', `Discord gateway connection closed (code ${code}); reconnecting`);
    const line = `Discord ${this.accountId}: ${this.lastError}`;
    if (previous === this.lastError) this.log.debug(line, { accountId: this.accountId });
    else this.log.warn(line, { accountId: this.accountId });
  }

  /**
   * A 4014 names no intent. It is Message Content's when that is the only privileged intent we
   * asked for, or when the flags we know do not grant it.
   */
  private contentCaused4014(): boolean {
    if (!this.extras.messageContent) return false;
    const othersAsked = this.extras.guildMembers || this.extras.presence;
    return !othersAsked || this.applicationFlags === undefined || messageContentIntent(this.applicationFlags) === 'disabled';
  }

  private onMessage(msg: GatewayMessageCreateDispatchData): void {
    if (this.stopped) return;
    const facts = messageToFacts(msg, { accountId: this.accountId, bot: { id: this.me?.id, username: this.me?.username }, allowBots: this.extras.allowBots, botRoleIds: this.botRoleIds });
    if (!facts || !this.sink) return;
    const key = msg.channel_id;
    const tail = (this.chains.get(key) ?? Promise.resolve()).then(() => this.deliver(facts));
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
  }

  /**
   * Hands one message to the sink; it counts as received only once the sink resolved (the message
   * is durable). Discord does not redeliver outside a RESUME, so a failing sink is retried here a
   * few times, then logged. Never rejects.
   */
  private async deliver(facts: InboundFacts): Promise<void> {
    for (let attempt = 0; attempt < SINK_ATTEMPTS; attempt++) {
      if (this.stopped || !this.sink) return;
      try {
        await this.sink(facts);
        this.clearError('sink');
        return;
      } catch (err) {
        const why = this.redact(err instanceof Error ? err.message : String(err));
        const last = attempt === SINK_ATTEMPTS - 1;
        this.setError('sink', `inbound message ${facts.messageId} not stored${last ? ' (dropped)' : ' (retrying)'}: ${why}`);
        this.log.warn(`Discord ${this.accountId}: ${this.lastError}`, { accountId: this.accountId });
        if (!last && !(await sleep(backoffDelay(attempt, 200, 2000), this.life?.signal))) return;
      }
    }
  }

  stop(): Promise<void> {
    if (!this.life) return this.stopping ?? Promise.resolve();
    const life = this.life;
    this.stopping ??= (async () => {
      this.stopped = true;
      life.abort();
      this.disarmReadyWatchdog();
      this.finishBoot();
      const manager = this.manager;
      // A close handshake that never completes must not hold up a shutdown.
      if (manager) await Promise.race([this.retireShards(manager, 'openclaw gateway stopping'), sleep(2000)]);
      this.rest?.clearHashSweeper();
      this.rest?.clearHandlerSweeper();
      this.running = false;
      this.connected = false;
      this.life = undefined;
      this.manager = undefined;
      this.session = null;
      this.stopping = undefined;
      this.retryPending = false;
    })();
    return this.stopping;
  }

  // ---- outbound

  private async resolveChannel(chatId: string, signal: AbortSignal): Promise<string> {
    const t = parseTarget(chatId);
    if (t.channel) return t.channel;
    const user = t.user!;
    const cached = this.dmChannels.get(user);
    if (cached) return cached;
    const ch = (await this.rest!.post(discordApi.Routes.userChannels(), { body: { recipient_id: user }, signal })) as APIChannel;
    this.dmChannels.set(user, ch.id);
    return ch.id;
  }

  async send(msg: OutboundText): Promise<SendResult> {
    if (!this.rest) throw new ChannelSendError('Discord bot token is not configured', false, TOKEN_FIX);
    const signal = AbortSignal.timeout(SEND_TIMEOUT_MS);
    try {
      const channelId = await this.resolveChannel(msg.chatId, signal);
      const body = {
        content: msg.text,
        // Model output must not ping @everyone / @here; user and role mentions stay live.
        allowed_mentions: { parse: ['users', 'roles'], replied_user: true },
        // A reply to a deleted message should still be delivered.
        ...(msg.replyTo ? { message_reference: { message_id: msg.replyTo, fail_if_not_exists: false } } : {}),
      };
      const m = (await this.rest.post(discordApi.Routes.channelMessages(channelId), { body, signal })) as APIMessage;
      return { messageIds: [m.id] };
    } catch (err) {
      const e = toSendError(this.classify(err));
      const line = `Discord send to ${msg.chatId} failed: ${e.message}${e.retryable ? ' (will retry)' : ''}`;
      if (e.retryable) this.log.debug(line, { accountId: this.accountId });
      else this.log.warn(line, { accountId: this.accountId });
      throw e;
    }
  }

  async typing(chatId: string): Promise<void> {
    if (!this.rest) return;
    try {
      const signal = AbortSignal.timeout(10_000);
      await this.rest.post(discordApi.Routes.channelTyping(await this.resolveChannel(chatId, signal)), { signal });
    } catch (err) {
      this.log.debug(`Discord typing indicator failed: ${this.classify(err).summary}`, { accountId: this.accountId });
    }
  }

  // ---- diagnostics

  async probe(timeoutMs: number): Promise<ProbeResult> {
    const t0 = Date.now();
    const elapsed = () => Date.now() - t0;
    if (!this.rest) return { ok: false, status: null, error: this.account.tokenError ?? 'no bot token configured', fix: TOKEN_FIX, elapsedMs: 0 };
    const signal = AbortSignal.timeout(Math.max(1, timeoutMs));
    let me: APIUser;
    try {
      me = (await this.rest.get(discordApi.Routes.user('@me'), { signal })) as APIUser;
    } catch (err) {
      const f = this.classify(err);
      if (f.status === 401) return { ok: false, status: 401, error: 'GET /users/@me returned 401 (Unauthorized): the bot token was rejected', fix: TOKEN_FIX, elapsedMs: elapsed() };
      const timedOut = signal.aborted;
      const error = timedOut ? `GET /users/@me timed out after ${timeoutMs} ms` : f.kind === 'network' ? `GET /users/@me failed: ${f.description}` : `GET /users/@me returned ${f.summary}`;
      return { ok: false, status: f.status, error, ...probeFailureFix(f, timedOut, this.account.apiRoot), elapsedMs: elapsed() };
    }
    this.me = { id: me.id, username: me.username };
    const result: ProbeResult = { ok: true, status: 200, error: null, elapsedMs: 0, bot: { id: me.id, username: me.username } };
    try {
      const app = (await this.rest.get(discordApi.Routes.oauth2CurrentApplication(), { signal })) as APIApplication;
      this.setApplication(app.id, app.flags ?? 0);
      // The guild count says how close a `limited` (Portal toggle) intent is to Discord's 100-server line (doctor).
      result.application = { ...this.application(), ...(typeof app.approximate_guild_count === 'number' ? { approximateGuildCount: app.approximate_guild_count } : {}) };
    } catch (err) {
      result.applicationError = this.classify(err).summary;
    }
    result.elapsedMs = elapsed();
    return result;
  }
}

/** The fix for a probe failure other than 401, when there is a specific one. */
function probeFailureFix(f: RestFailure, timedOut: boolean, apiRoot: string | undefined): { fix?: string } {
  if (timedOut || f.kind === 'network') return { fix: networkFix(apiRoot) };
  if (f.status === 429) return { fix: 'rate limited by Discord: wait a minute, then openclaw channels status --probe --channel discord' };
  if (f.status !== null && f.status >= 500) return { fix: 'Discord answered with a server error: check https://discordstatus.com, then openclaw channels status --probe --channel discord' };
  return {};
}

export function createDiscordAdapter(account: ResolvedAccount, deps: DiscordAdapterDeps): ChannelAdapter {
  return new DiscordAdapter(account, deps);
}
