// The Telegram ChannelAdapter: grammY's Api for every call, long polling (poller.ts) or a webhook
// listener (webhook.ts) for inbound, facts.ts for what a message means. Channel trouble never
// throws out of here and never crashes the process: it becomes runtime() state plus one log line.
import { Bot } from 'grammy';
import type { Message, Update, UserFromGetMe } from 'grammy/types';
import type { ResolvedAccount } from '../config.js';
import {
  ChannelSendError,
  type AdapterRuntime,
  type AuditResult,
  type ChannelAdapter,
  type InboundFacts,
  type InboundSink,
  type OutboundText,
  type ProbeResult,
  type SendResult,
} from '../types.js';
import type { Logger } from '../../logging/types.js';
import { backoffDelay, envMs, sleep } from '../backoff.js';
import botApiFetch from './bot-api-fetch.js';
import { classifyError, redactToken, toSendError, TOKEN_FIX, type ApiFailure } from './errors.js';
import { updateToFacts } from './facts.js';
import { renderTelegramText } from './format.js';
import { grammySignal } from './signal.js';
import { startPoller, type PollTiming, type Poller } from './poller.js';
import { startWebhookListener, type WebhookListener } from './webhook.js';

export interface TelegramAdapterDeps {
  log: Logger;
  /** Test overrides: OPENCLAW_TELEGRAM_CONFLICT_BACKOFF_MS, OPENCLAW_TELEGRAM_STALL_MS, OPENCLAW_TELEGRAM_RETRY_BASE_MS. */
  env?: Record<string, string | undefined>;
}

export const TELEGRAM_TEXT_LIMIT = 4096;
const DEFAULT_API_ROOT = 'https://api.telegram.org';
const CALL_TIMEOUT_MS = 30_000;
export const PRIVACY_ISSUE = {
  message: 'Config allows unmentioned group messages (requireMention=false). Telegram Bot API privacy mode will block most group messages unless disabled.',
  fix: 'In BotFather run /setprivacy → Disable for this bot (then restart the gateway).',
};

type ErrorSource = 'boot' | 'poll' | 'sink' | 'webhook';

function pollTiming(env: Record<string, string | undefined>): PollTiming {
  return {
    retryBaseMs: envMs(env, 'OPENCLAW_TELEGRAM_RETRY_BASE_MS', 1000),
    retryCapMs: 30_000,
    conflictBackoffMs: envMs(env, 'OPENCLAW_TELEGRAM_CONFLICT_BACKOFF_MS', 30_000),
    stallMs: envMs(env, 'OPENCLAW_TELEGRAM_STALL_MS', 120_000),
    pollTimeoutSec: 30,
  };
}

/** Any group rule (the `"*"` default, a group, a topic) that lets unmentioned messages through. */
function allowsUnmentioned(groups: ResolvedAccount['groups']): boolean {
  const rules = Object.values(groups ?? {});
  return rules.some((g) => g.requireMention === false || Object.values(g.topics ?? {}).some((t) => t.requireMention === false));
}

const withTimeout = (ms: number, signal?: AbortSignal) => grammySignal(signal ? AbortSignal.any([signal, AbortSignal.timeout(ms)]) : AbortSignal.timeout(ms));

class TelegramAdapter implements ChannelAdapter {
  readonly channel = 'telegram' as const;
  readonly accountId: string;
  readonly textLimit = TELEGRAM_TEXT_LIMIT;

  private readonly bot?: Bot;
  private readonly token?: string;
  private readonly log: Logger;
  private readonly timing: PollTiming;
  private me?: UserFromGetMe;
  private sink?: InboundSink;
  private life?: AbortController;
  private boot?: Promise<void>;
  private poller?: Poller;
  private hook?: WebhookListener;
  private stopping?: Promise<void>;

  private running = false;
  private connected = false;
  private terminal = false;
  private lastError: string | null = null;
  private errorSource: ErrorSource | null = null;
  private tokenIssue?: { message: string; fix?: string };
  private lastTransportActivityAt: number | null = null;
  private lastConnectedAt: number | null = null;

  constructor(
    private readonly account: ResolvedAccount,
    deps: TelegramAdapterDeps,
  ) {
    this.accountId = account.accountId;
    this.log = deps.log;
    this.timing = pollTiming(deps.env ?? {});
    this.token = account.token;
    if (account.token) this.bot = new Bot(account.token, { client: { apiRoot: (account.apiRoot ?? DEFAULT_API_ROOT).replace(/\/+$/, ''), fetch: botApiFetch as unknown as typeof fetch } });
  }

  private get mode(): 'polling' | 'webhook' {
    return this.account.webhook ? 'webhook' : 'polling';
  }

  private redact(s: string): string {
    return redactToken(s, this.token);
  }

  // ---- runtime state

  private setError(source: ErrorSource, message: string, terminal = false): void {
    this.lastError = this.redact(message);
    this.errorSource = source;
    this.terminal = terminal;
  }

  private clearError(source: ErrorSource): boolean {
    if (this.errorSource !== source) return false;
    this.lastError = null;
    this.errorSource = null;
    this.terminal = false;
    return true;
  }

  private markConnected(at: number): void {
    if (!this.connected) this.lastConnectedAt = at;
    this.connected = true;
  }

  private rememberBot(me: UserFromGetMe): void {
    this.me = me;
  }

  runtime(): AdapterRuntime {
    const issues: Array<{ message: string; fix?: string }> = [];
    if (this.tokenIssue) issues.push(this.tokenIssue);
    if (this.me && !this.me.can_read_all_group_messages && allowsUnmentioned(this.account.groups)) issues.push(PRIVACY_ISSUE);
    return {
      running: this.running,
      connected: this.connected,
      mode: this.mode,
      lastError: this.lastError,
      terminal: this.terminal,
      lastTransportActivityAt: this.lastTransportActivityAt,
      lastConnectedAt: this.lastConnectedAt,
      ...(this.me ? { bot: { id: String(this.me.id), username: this.me.username } } : {}),
      ...(issues.length ? { issues } : {}),
    };
  }

  // ---- lifecycle

  async start(sink: InboundSink): Promise<void> {
    if (this.running || this.life) return;
    this.sink = sink;
    if (!this.bot) {
      const why = this.account.tokenError ?? 'no bot token configured';
      this.setError('boot', `Telegram cannot start: ${why}`, true);
      this.tokenIssue = { message: `Telegram bot token missing: ${why}`, fix: TOKEN_FIX };
      this.log.error(`Telegram account ${this.accountId} cannot start: ${why}. Fix: ${TOKEN_FIX}`);
      return;
    }
    this.running = true;
    const life = (this.life = new AbortController());
    await new Promise<void>((firstAttemptDone) => {
      this.boot = this.connectLoop(life.signal, firstAttemptDone).catch((err: unknown) => {
        // Not expected (connectLoop handles its errors), but never let it escape.
        this.setError('boot', `Telegram start failed: ${classifyError(err, this.token).description}`);
        this.log.error(`Telegram start failed: ${this.lastError}`);
        firstAttemptDone();
      });
    });
  }

  /** getMe, then the transport. Network trouble is retried with backoff in the background. */
  private async connectLoop(signal: AbortSignal, firstAttemptDone: () => void): Promise<void> {
    for (let attempt = 0; !signal.aborted; attempt++) {
      const outcome = await this.connectOnce(signal);
      firstAttemptDone();
      if (outcome !== 'retry') return;
      const delay = backoffDelay(attempt, this.timing.retryBaseMs, this.timing.retryCapMs);
      this.log.debug(`Telegram start retry in ${delay} ms`, { accountId: this.accountId });
      if (!(await sleep(delay, signal))) return;
    }
  }

  private async connectOnce(signal: AbortSignal): Promise<'ok' | 'terminal' | 'retry' | 'stopped'> {
    const api = this.bot!.api;
    // An open webhook would take updates from anyone who finds the URL (upstream refuses it too).
    if (this.account.webhook && !this.account.webhook.secret) {
      const base = this.accountId === 'default' ? 'channels.telegram' : `channels.telegram.accounts.${this.accountId}`;
      const reason = `Telegram webhook mode requires a non-empty secret token. Set ${base}.webhookSecret in your config.`;
      this.setError('boot', reason, true);
      this.running = false;
      this.connected = false;
      this.log.error(`${reason} Fix: openclaw config set ${base}.webhookSecret "$(openssl rand -hex 32)"`, { accountId: this.accountId });
      return 'terminal';
    }
    let me: UserFromGetMe;
    try {
      me = await api.getMe(withTimeout(CALL_TIMEOUT_MS, signal));
    } catch (err) {
      if (signal.aborted) return 'stopped';
      const f = classifyError(err, this.token);
      if (f.status === 401 || f.status === 404) {
        this.failTerminal(f, 'getMe');
        return 'terminal';
      }
      this.connected = false;
      this.setError('boot', `getMe failed: ${f.summary}`);
      this.log.warn(`Telegram getMe failed (${f.summary}); retrying with backoff`, { accountId: this.accountId });
      return 'retry';
    }
    if (signal.aborted) return 'stopped';
    this.rememberBot(me);
    // Upstream's line, which people grep for.
    this.log.info(`[${this.accountId}] starting provider (@${me.username})`);
    try {
      if (this.account.webhook) await this.startWebhook(signal);
      else await this.startPolling(signal);
    } catch (err) {
      if (signal.aborted) return 'stopped';
      const f = classifyError(err, this.token);
      if (f.status === 401) {
        this.failTerminal(f, 'start');
        return 'terminal';
      }
      this.connected = false;
      this.setError('boot', `Telegram ${this.mode} setup failed: ${f.summary}`);
      this.log.warn(`Telegram ${this.mode} setup failed (${f.summary}); retrying with backoff`, { accountId: this.accountId });
      return 'retry';
    }
    this.clearError('boot');
    return 'ok';
  }

  private failTerminal(f: ApiFailure, method: string): void {
    const reason = f.status === 401 ? `${method} returned 401 (Unauthorized): the bot token was rejected` : `${method} returned ${f.status} (${f.description}): the bot token is malformed or apiRoot is wrong`;
    this.setError('boot', reason, true);
    this.tokenIssue = { message: reason, fix: TOKEN_FIX };
    this.running = false;
    this.connected = false;
    this.log.error(`Telegram ${reason}. Fix: ${TOKEN_FIX}`, { accountId: this.accountId });
  }

  private async startPolling(signal: AbortSignal): Promise<void> {
    const api = this.bot!.api;
    // A webhook left behind by another deployment makes every getUpdates a 409.
    const info = await api.getWebhookInfo(withTimeout(CALL_TIMEOUT_MS, signal));
    if (info.url) {
      await api.deleteWebhook({ drop_pending_updates: false }, withTimeout(CALL_TIMEOUT_MS, signal));
      this.log.info(`Telegram webhook ${this.redact(info.url)} was set; deleted it to use long polling (pending updates kept)`, { accountId: this.accountId });
    }
    if (signal.aborted) return;
    // The Bot API answered (getMe, getWebhookInfo): connected, until a getUpdates fails. The first
    // long poll may hold for 30 s, so waiting for it to complete would show "disconnected".
    const at = Date.now();
    this.lastTransportActivityAt = at;
    this.markConnected(at);
    this.poller = startPoller({
      api,
      token: this.token!,
      log: this.log,
      timing: this.timing,
      consume: async (update) => {
        await this.deliver(update);
      },
      events: {
        pollCompleted: (at) => {
          this.lastTransportActivityAt = at;
          this.markConnected(at);
          const had = this.lastError;
          if (this.clearError('poll')) this.log.info(`Telegram polling recovered (was: ${had})`, { accountId: this.accountId });
        },
        pollFailed: (f, info) => {
          this.connected = false;
          const previous = this.lastError;
          this.setError('poll', info.message, info.terminal);
          if (f && (f.status === 401 || f.status === 404)) {
            this.failTerminal(f, 'getUpdates');
            return;
          }
          if (info.stall) return; // the watchdog already logged it
          // One line per distinct problem; repeats (every backoff) go to debug.
          const line = info.conflict
            ? `Telegram getUpdates conflict: ${this.lastError}. Another process is polling this bot token; retrying in ${Math.round(info.retryInMs / 1000)}s`
            : `Telegram getUpdates failed: ${this.lastError}; retrying in ${info.retryInMs} ms`;
          if (previous === this.lastError) this.log.debug(line, { accountId: this.accountId });
          else this.log.warn(line, { accountId: this.accountId });
        },
        consumeFailed: (updateId, err) => {
          this.setError('sink', `inbound message not stored (update ${updateId}, will be redelivered): ${err instanceof Error ? err.message : String(err)}`);
          this.log.warn(`Telegram ${this.lastError}`, { accountId: this.accountId });
        },
        consumeOk: () => {
          this.clearError('sink');
        },
      },
    });
  }

  private async startWebhook(signal: AbortSignal): Promise<void> {
    const wh = this.account.webhook!;
    if (!this.hook) {
      this.hook = await startWebhookListener({
        host: wh.host,
        port: wh.port,
        path: wh.path,
        secret: wh.secret,
        handle: async (update) => ((await this.deliver(update)) ? 'durable' : 'ignored'),
        onRequest: (at) => {
          this.lastTransportActivityAt = at;
        },
        onError: (message) => this.log.warn(`Telegram ${this.redact(message)}`, { accountId: this.accountId }),
      });
      if (signal.aborted) return;
      this.log.info(`Telegram webhook listener on ${wh.host}:${this.hook.port}${wh.path}`, { accountId: this.accountId });
    }
    await this.bot!.api.setWebhook(wh.url, { ...(wh.secret ? { secret_token: wh.secret } : {}), allowed_updates: ['message'] }, withTimeout(CALL_TIMEOUT_MS, signal));
    this.markConnected(Date.now());
  }

  /** Hands one update to the sink. Resolves true once durable, false when it carries nothing for us. */
  private async deliver(update: Update): Promise<boolean> {
    const facts = this.toFacts(update);
    if (!facts || !this.sink) return false;
    await this.sink(facts);
    return true;
  }

  private toFacts(update: Update): InboundFacts | null {
    return updateToFacts(update, { accountId: this.accountId, bot: { id: this.me?.id, username: this.me?.username } });
  }

  stop(): Promise<void> {
    if (!this.life) return this.stopping ?? Promise.resolve();
    const life = this.life;
    this.stopping ??= (async () => {
      life.abort();
      await this.boot;
      await this.poller?.stop();
      await this.hook?.close();
      this.poller = undefined;
      this.hook = undefined;
      this.running = false;
      this.connected = false;
      this.life = undefined;
      this.boot = undefined;
      this.stopping = undefined;
    })();
    return this.stopping;
  }

  // ---- outbound

  async send(msg: OutboundText): Promise<SendResult> {
    if (!this.bot) throw new ChannelSendError('Telegram bot token is not configured', false, TOKEN_FIX);
    const rendered = renderTelegramText(msg.text);
    const other = {
      ...(msg.threadId ? { message_thread_id: Number(msg.threadId) } : {}),
      // A reply to a deleted message should still be delivered.
      ...(msg.replyTo ? { reply_parameters: { message_id: Number(msg.replyTo), allow_sending_without_reply: true } } : {}),
    };
    const sendOnce = (text: string, parseMode?: 'HTML'): Promise<Message.TextMessage> =>
      this.bot!.api.sendMessage(msg.chatId, text, { ...other, ...(parseMode ? { parse_mode: parseMode } : {}) }, grammySignal(AbortSignal.timeout(CALL_TIMEOUT_MS)));
    try {
      const m = await sendOnce(rendered.text, rendered.parseMode).catch(async (err: unknown) => {
        const f = classifyError(err, this.token);
        if (!rendered.parseMode || f.status !== 400 || !/can't parse entities/i.test(f.description)) throw err;
        this.log.warn(`Telegram rejected the HTML rendering (${f.description}); sending as plain text`, { accountId: this.accountId });
        return sendOnce(msg.text);
      });
      return { messageIds: [String(m.message_id)] };
    } catch (err) {
      const e = toSendError(classifyError(err, this.token));
      const line = `Telegram send to ${msg.chatId} failed: ${e.message}${e.retryable ? ' (will retry)' : ''}`;
      if (e.retryable) this.log.debug(line, { accountId: this.accountId });
      else this.log.warn(line, { accountId: this.accountId });
      throw e;
    }
  }

  async typing(chatId: string, threadId?: string): Promise<void> {
    if (!this.bot) return;
    try {
      await this.bot.api.sendChatAction(chatId, 'typing', threadId ? { message_thread_id: Number(threadId) } : {}, grammySignal(AbortSignal.timeout(10_000)));
    } catch (err) {
      this.log.debug(`Telegram typing indicator failed: ${classifyError(err, this.token).summary}`, { accountId: this.accountId });
    }
  }

  // ---- diagnostics

  async probe(timeoutMs: number): Promise<ProbeResult> {
    const t0 = Date.now();
    const deadline = t0 + timeoutMs;
    const elapsed = () => Date.now() - t0;
    if (!this.bot) return { ok: false, status: null, error: this.account.tokenError ?? 'no bot token configured', elapsedMs: 0 };
    const api = this.bot.api;
    let me: UserFromGetMe | undefined;
    let failure: ApiFailure | undefined;
    for (let attempt = 0; attempt < 3 && !me; attempt++) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      try {
        me = await api.getMe(grammySignal(AbortSignal.timeout(left)));
      } catch (err) {
        failure = classifyError(err, this.token);
        // Only transient failures are worth another try.
        if (failure.kind === 'api' && failure.status !== 429 && (failure.status ?? 0) < 500) break;
        await sleep(Math.min(250 * (attempt + 1), Math.max(0, deadline - Date.now())));
      }
    }
    if (!me) {
      const f = failure;
      if (f?.status === 401) return { ok: false, status: 401, error: 'getMe returned 401 (Unauthorized)', elapsedMs: elapsed() };
      const error = !f ? `getMe timed out after ${timeoutMs} ms` : f.kind === 'api' ? `getMe returned ${f.status} (${f.description})` : `getMe failed: ${f.description}`;
      return { ok: false, status: f?.status ?? null, error, elapsedMs: elapsed() };
    }
    this.rememberBot(me);
    const result: ProbeResult = {
      ok: true,
      status: 200,
      error: null,
      elapsedMs: 0,
      bot: { id: String(me.id), username: me.username, canJoinGroups: me.can_join_groups, canReadAllGroupMessages: me.can_read_all_group_messages },
    };
    const left = deadline - Date.now();
    if (left > 0) {
      try {
        const info = await api.getWebhookInfo(grammySignal(AbortSignal.timeout(left)));
        result.webhook = {
          url: this.redact(info.url ?? ''),
          hasCustomCert: info.has_custom_certificate,
          pendingUpdateCount: info.pending_update_count,
          ...(info.last_error_message ? { lastErrorMessage: info.last_error_message } : {}),
        };
      } catch (err) {
        result.webhookError = classifyError(err, this.token).summary;
      }
    }
    result.elapsedMs = elapsed();
    return result;
  }

  async audit(probe: ProbeResult, timeoutMs: number): Promise<AuditResult> {
    const deadline = Date.now() + timeoutMs;
    const keys = Object.keys(this.account.groups ?? {}).filter((k) => k !== '*');
    const numeric = keys.filter((k) => /^-?\d+$/.test(k));
    const unresolved = keys.filter((k) => !/^-?\d+$/.test(k));
    const issues = unresolved.map((k) => `group "${k}": cannot be probed (use the numeric chat id, e.g. -1001234567890)`);
    const botId = Number((probe.bot as { id?: string } | undefined)?.id ?? this.me?.id);
    if (!this.bot || !Number.isFinite(botId) || botId === 0) {
      return { ok: false, checkedGroups: 0, issues: ['cannot audit groups: the bot identity is unknown (probe failed)', ...issues], unresolvedGroups: unresolved };
    }
    const groups: Array<{ chatId: string; ok: boolean; status?: string; error?: string }> = [];
    for (const chatId of numeric) {
      const left = deadline - Date.now();
      if (left <= 0) {
        groups.push({ chatId, ok: false, error: 'not checked (audit timed out)' });
        issues.push(`group ${chatId}: not checked (audit timed out)`);
        continue;
      }
      try {
        const member = await this.bot.api.getChatMember(Number(chatId), botId, grammySignal(AbortSignal.timeout(left)));
        const ok = member.status !== 'left' && member.status !== 'kicked';
        groups.push({ chatId, ok, status: member.status });
        if (!ok) issues.push(`group ${chatId}: the bot is not a member (status ${member.status}); add it to the group`);
      } catch (err) {
        const f = classifyError(err, this.token);
        groups.push({ chatId, ok: false, error: f.summary });
        issues.push(`group ${chatId}: ${f.summary}${/chat not found/i.test(f.description) ? ' (the bot is not in this group, or the id is wrong)' : ''}`);
      }
    }
    return { ok: groups.every((g) => g.ok), checkedGroups: groups.length, issues, groups, unresolvedGroups: unresolved };
  }
}

export function createTelegramAdapter(account: ResolvedAccount, deps: TelegramAdapterDeps): ChannelAdapter {
  return new TelegramAdapter(account, deps);
}
