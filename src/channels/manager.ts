// The running channel layer: starts one adapter per enabled account, runs every inbound message
// through the ingress policy, turns accepted ones into agent turns, and carries replies out
// through the durable outbound queue. Nothing acknowledged is lost:
//   inbound  — a dispatched message is fsynced to inbound.jsonl before the adapter is told it is
//              received (Telegram confirms the update offset only after that), and removed only
//              once its reply is in the outbound queue;
//   outbound — a reply is removed from outbound.jsonl only after the channel accepted it.
// A restart re-dispatches what was in flight: the turn is keyed by the inbound id, so a reply
// already in the transcript is delivered, not generated again.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import type { OpenClawConfig } from '../config/schema.js';
import type { GatewayServices } from '../gateway/methods/types.js';
import type { Logger } from '../logging/types.js';
import type { ModelRuntime } from '../models/runtime.js';
import { findAgent, sessionAgentId } from '../models/router.js';
import { DEFAULT_HISTORY_LIMIT, resolveAllAccounts, type ResolvedAccount } from './config.js';
import { parseControlCommand, SESSION_RESET_REPLY } from './control-commands.js';
import { decideIngress } from './ingress-policy.js';
import { ChannelPairingStore } from './pairing/store.js';
import { pairingReplyText } from './pairing/codes.js';
import { formatLegacyImportSummary, importLegacyPairing } from './pairing/legacy-import.js';
import { pairingRequestedEvent } from './pairing/methods.js';
import { Journal } from './queue/journal.js';
import { OutboundQueue, type OutboundRecord } from './queue/outbound.js';
import { CHANNEL_ORDER, CHANNELS, channelLabel } from './registry.js';
import { CHANNEL_FACTS, credentialCommand, missingCredentialText, setupCommand } from './catalog.js';
import { channelSessionKey, type DmScope } from './session-key.js';
import { tokenOwners } from './status-line.js';
import { splitText } from './text-split.js';
import {
  DEFAULT_ACCOUNT_ID,
  UNHEALTHY_STATES,
  type ChannelAccountSnapshot,
  type ChannelAdapter,
  type ChannelId,
  type ChannelService,
  type ChannelsStatusPayload,
  type ChannelStatusIssue,
  type DeliveryOutcome,
  type HealthState,
  type InboundFacts,
  type ProbeResult,
  type SendTextRequest,
} from './types.js';

type Env = Record<string, string | undefined>;

/** A dispatched inbound message, durable until its reply is queued. */
export interface InboundRecord {
  id: string;
  runId: string;
  facts: InboundFacts;
  receivedAt: number;
  /** Group messages skipped for lack of a mention, given to the model as context. */
  context?: Array<{ sender: string; text: string; ts: number }>;
  systemPrompt?: string;
}

interface AccountState {
  account: ResolvedAccount;
  fingerprint: string;
  adapter?: ChannelAdapter;
  startedAt: number;
  lastInboundAt: number | null;
  lastOutboundAt: number | null;
  probe?: ProbeResult;
  lastProbeAt?: number;
  audit?: { ok: boolean; [k: string]: unknown };
  loadError?: string;
}

/** Connection grace after start / after a drop before a disconnected channel counts as down. */
const CONNECT_GRACE_MS = 120_000;
const TYPING_INTERVAL_MS = 4000;
const PROBE_CONCURRENCY = 5;

export interface ChannelManagerOptions {
  services: GatewayServices;
  runtime: ModelRuntime;
  env?: Env;
}

export class ChannelManager implements ChannelService {
  private readonly log: Logger;
  private readonly env: Env;
  private readonly dir: string;
  readonly pairing: ChannelPairingStore;
  private inbound?: Journal<InboundRecord>;
  private outboundJournal?: Journal<OutboundRecord>;
  private outbound?: OutboundQueue;
  private ingressError?: string;
  private readonly states = new Map<string, AccountState>();
  /** Accounts an operator stopped (`channels.stop`, `channels.logout`): not started again until `channels.start` or a restart. */
  private readonly manualStops = new Set<string>();
  private lastAdmitted: { channel: ChannelId; to: string; accountId?: string; threadId?: string } | undefined;
  private readonly history = new Map<string, Array<{ sender: string; text: string; ts: number }>>();
  private readonly processing = new Set<string>();
  private readonly outboundStuckMs: number;
  private cfgStamp = '';
  private cfg: OpenClawConfig = {};
  private reconciling: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly o: ChannelManagerOptions) {
    this.log = o.services.log.child('channels');
    this.env = o.env ?? process.env;
    this.dir = path.join(o.services.stateDir, 'channels');
    this.pairing = new ChannelPairingStore(o.services.stateDir);
    this.outboundStuckMs = Number(this.env.OPENCLAW_CHANNEL_OUTBOUND_STUCK_MS) || 120_000;
  }

  /** Opens the queues, imports legacy pairing files, starts the configured accounts. */
  async start(): Promise<void> {
    this.readConfig(true);
    try {
      this.outboundJournal = new Journal<OutboundRecord>(path.join(this.dir, 'outbound.jsonl')).open();
      this.outbound = new OutboundQueue({
        journal: this.outboundJournal,
        log: this.o.services.log,
        adapter: (ch, acc) => {
          const st = this.states.get(key(ch, acc));
          return st?.adapter?.runtime().running ? st.adapter : undefined;
        },
        onSent: (rec) => {
          const st = this.states.get(key(rec.channel, rec.accountId));
          if (st) st.lastOutboundAt = Date.now();
        },
      });
    } catch (err) {
      this.log.error(`outbound queue unavailable: ${(err as Error).message}`);
    }
    try {
      this.inbound = new Journal<InboundRecord>(path.join(this.dir, 'inbound.jsonl')).open();
    } catch (err) {
      this.ingressError = (err as Error).message;
      this.log.error(`Channel cannot admit inbound events; its durable ingress queue is unavailable. Outbound may still work. (${this.ingressError}; fix: check that ${this.dir} is writable and the disk has room)`);
    }
    try {
      const summary = formatLegacyImportSummary(importLegacyPairing(this.o.services.stateDir, this.pairing, { warn: (m) => this.log.warn(m) }));
      if (summary) this.log.info(summary);
    } catch (err) {
      this.log.warn(`could not import legacy pairing files: ${(err as Error).message}`);
    }
    await this.reconcile();
  }

  /** Re-dispatches inbound messages a previous run accepted but did not finish (call once listening). */
  resumePending(): void {
    for (const rec of this.inbound?.values() ?? []) void this.process(rec);
    this.outbound?.kick();
  }

  /** Config changed on disk: start, stop or restart accounts whose connection settings changed. */
  configChanged(): Promise<void> {
    this.readConfig(true);
    return this.reconcile();
  }

  private readConfig(force = false): OpenClawConfig {
    let stamp = 'missing';
    try {
      const st = fs.statSync(this.o.services.configPath);
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      // missing config: empty
    }
    if (!force && stamp === this.cfgStamp) return this.cfg;
    try {
      this.cfg = loadConfig(this.o.services.configPath, this.env).config;
      this.cfgStamp = stamp;
    } catch (err) {
      if (!this.cfgStamp) this.cfgStamp = stamp;
      this.log.warn(`keeping the previous channels config: ${(err as Error).message}`);
    }
    return this.cfg;
  }

  private resolved(): ResolvedAccount[] {
    return resolveAllAccounts(this.readConfig().channels, this.env);
  }

  /** The current config (re-read when the file changed), for the heartbeat and RPC methods. */
  config(): OpenClawConfig {
    return this.readConfig();
  }

  /** The conversation the last admitted message came from (heartbeat `target: "last"`); in memory only. */
  lastRoute(): { channel: ChannelId; to: string; accountId?: string; threadId?: string } | undefined {
    return this.lastAdmitted;
  }

  /** True when any channel account is enabled and has its credentials. */
  hasConfiguredAccounts(): boolean {
    return this.resolved().some((a) => a.enabled && a.configured);
  }

  /** Every resolved account, for RPC methods and the CLI. */
  accounts(): ResolvedAccount[] {
    return this.resolved();
  }

  private reconcile(restart?: string): Promise<void> {
    this.reconciling = this.reconciling.then(() => this.reconcileNow(restart)).catch((err: Error) => this.log.error(`channel reconcile failed: ${err.message}`));
    return this.reconciling;
  }

  /** `restart`: the key of an account to start again even when its settings did not change (`channels.start`). */
  private async reconcileNow(restart?: string): Promise<void> {
    if (this.closed) return;
    const skip = !!this.env.OPENCLAW_SKIP_CHANNELS;
    const wanted = new Map(this.resolved().map((a) => [key(a.channel, a.accountId), a]));
    for (const [k, st] of this.states) {
      if (!wanted.has(k)) {
        await this.stopAccount(st);
        this.states.delete(k);
      }
    }
    // One poller per bot token: a second account with the same token would only fight the first with 409s.
    const owners = tokenOwners([...wanted.values()].filter((a) => a.enabled && a.configured));
    for (const [k, account] of wanted) {
      const owner = owners.get(account);
      const dupOf = owner !== undefined && owner !== account.accountId ? owner : undefined;
      const fp = fingerprint(account) + (dupOf ? `|dup:${dupOf}` : '');
      const st = this.states.get(k);
      const again = k === restart && !st?.adapter?.runtime().running;
      if (st && st.fingerprint === fp && !again) {
        st.account = account; // access-policy edits apply at once, no reconnect
        continue;
      }
      if (st) await this.stopAccount(st);
      const next: AccountState = { account, fingerprint: fp, startedAt: Date.now(), lastInboundAt: st?.lastInboundAt ?? null, lastOutboundAt: st?.lastOutboundAt ?? null };
      this.states.set(k, next);
      if (skip || !account.enabled || !account.configured || this.manualStops.has(k)) continue;
      if (dupOf) {
        next.loadError = `uses the same bot token as account "${dupOf}", so it is not started (only one poller per token works)`;
        this.log.warn(`${account.channel} ${account.accountId}: not started: ${next.loadError} (fix: openclaw channels remove --channel ${account.channel} --account ${account.accountId} --yes)`);
        continue;
      }
      await this.startAccount(next);
    }
    this.outbound?.kick();
  }

  private async startAccount(st: AccountState): Promise<void> {
    const def = CHANNELS[st.account.channel];
    if (!def.load) {
      st.loadError = `${def.label} is not implemented in this gateway yet`;
      return;
    }
    try {
      const factory = await def.load();
      const adapter = factory(st.account, { log: this.o.services.log.child(st.account.channel), env: this.env });
      st.adapter = adapter;
      await adapter.start((facts) => this.accept(st, facts));
      this.outbound?.kick();
    } catch (err) {
      st.loadError = (err as Error).message;
      this.log.error(`${st.account.channel} ${st.account.accountId}: could not start: ${st.loadError}`);
    }
  }

  private async stopAccount(st: AccountState): Promise<void> {
    const a = st.adapter;
    st.adapter = undefined;
    await a?.stop().catch((err: Error) => this.log.warn(`${st.account.channel} ${st.account.accountId}: stop failed: ${err.message}`));
  }

  /** The adapter's sink: decide, then make a dispatched message durable before returning. */
  private async accept(st: AccountState, facts: InboundFacts): Promise<void> {
    st.lastInboundAt = Date.now();
    if (!this.inbound) throw new Error(`Channel cannot admit inbound events; its durable ingress queue is unavailable. Outbound may still work. (${this.ingressError})`);
    const id = `${facts.channel}:${facts.accountId}:${facts.messageId}`;
    if (this.inbound.has(id) || this.inbound.wasRemoved(id)) return; // a redelivery of a message already taken
    const cfg = this.readConfig();
    const account = st.account;
    const chLog = this.o.services.log.child(facts.channel);
    const decision = decideIngress(facts, account, {
      approvedSenders: facts.chatType === 'dm' ? this.pairing.allowEntries(facts.channel, facts.accountId) : [],
      mentionPatterns: cfg.messages?.groupChat?.mentionPatterns,
    });
    if (decision.action === 'drop') {
      chLog.info(`${decision.log} (fix: ${decision.fix})`, { gate: decision.gate, accountId: facts.accountId, senderId: facts.senderId });
      if (decision.keepAsContext) this.remember(facts, account.historyLimit ?? cfg.messages?.groupChat?.historyLimit ?? DEFAULT_HISTORY_LIMIT);
      return;
    }
    if (decision.action === 'pair') return this.pair(facts, id, chLog);
    const sessionKey = this.sessionKeyFor(facts);
    const context = facts.chatType === 'group' ? this.history.get(sessionKey) : undefined;
    const rec: InboundRecord = {
      id,
      runId: `ch-${crypto.createHash('sha256').update(id).digest('hex').slice(0, 24)}`,
      facts,
      receivedAt: Date.now(),
      ...(context?.length ? { context } : {}),
      ...(decision.systemPrompt ? { systemPrompt: decision.systemPrompt } : {}),
    };
    await this.inbound.put(rec);
    this.lastAdmitted = { channel: facts.channel, to: facts.chatId, accountId: facts.accountId, ...(facts.threadId ? { threadId: facts.threadId } : {}) };
    this.history.delete(sessionKey);
    void this.process(rec);
  }

  private async pair(facts: InboundFacts, id: string, chLog: Logger): Promise<void> {
    const { code, created } = this.pairing.upsertRequest({ channel: facts.channel, accountId: facts.accountId, senderId: facts.senderId, meta: facts.senderMeta ?? {} });
    if (!code) {
      chLog.info(`${facts.channel}: drop dm from ${facts.senderId} (pairing request cap reached: 3 pending for account ${facts.accountId}; no code sent) (fix: openclaw pairing list ${facts.channel}, then openclaw pairing approve ${facts.channel} <CODE>)`, { gate: 'pairing-cap' });
      return;
    }
    if (!created) {
      chLog.info(`${facts.channel}: drop dm from ${facts.senderId} (pairing request pending; code already sent) (fix: openclaw pairing approve ${facts.channel} ${code})`, { gate: 'pairing-pending' });
      return;
    }
    chLog.info(`${facts.channel} pairing request sender=${facts.senderId} code=${code} (approve with: openclaw pairing approve ${facts.channel} ${code})`);
    await this.outbound?.enqueue([{ id: `${id}:pairing`, channel: facts.channel, accountId: facts.accountId, chatId: facts.chatId, text: pairingReplyText(facts.channel, facts.senderId, code), kind: 'pairing' }]);
    const req = this.pairing.listRequests({ channel: facts.channel, accountId: facts.accountId }).find((r) => r.id === facts.senderId);
    if (req) this.o.services.broadcast('channel.pairing.requested', pairingRequestedEvent(req));
  }

  private remember(facts: InboundFacts, limit: number): void {
    if (limit <= 0) return;
    const k = this.sessionKeyFor(facts);
    const list = this.history.get(k) ?? [];
    list.push({ sender: facts.senderLabel ?? facts.senderId, text: facts.text, ts: facts.sentAt });
    if (list.length > limit) list.splice(0, list.length - limit);
    this.history.set(k, list);
  }

  private agentId(): string {
    return findAgent(this.o.runtime.config(), undefined).id;
  }

  private sessionKeyFor(facts: InboundFacts): string {
    let agentId = 'main';
    try {
      agentId = this.agentId();
    } catch {
      // no agent configured: the turn itself reports that
    }
    return channelSessionKey(facts, agentId, (this.readConfig().session?.dmScope ?? 'main') as DmScope);
  }

  /** Runs the turn for one inbound record and queues its reply. Safe to call again after a crash. */
  private async process(rec: InboundRecord): Promise<void> {
    if (this.processing.has(rec.id) || this.closed) return;
    this.processing.add(rec.id);
    const f = rec.facts;
    const st = this.states.get(key(f.channel, f.accountId));
    const typing = () => void st?.adapter?.typing?.(f.chatId, f.threadId);
    typing();
    const typingTimer = setInterval(typing, TYPING_INTERVAL_MS);
    typingTimer.unref();
    let texts: string[] = [];
    let kind: OutboundRecord['kind'] = 'reply';
    const sessionKey = this.sessionKeyFor(f);
    const command = parseControlCommand(f.text);
    try {
      if (command) {
        // Idempotent: a crash after the reset and before the reply resets an empty session again.
        await this.o.runtime.chat.abortAndSettle(sessionKey);
        this.o.runtime.sessions.reset(sessionAgentId(this.o.runtime.config(), sessionKey), sessionKey);
        this.o.services.log.child(f.channel).info(`${f.channel}: /${command.name} from ${f.senderId}: session ${sessionKey} reset`);
      }
      if (command && !command.tail) texts = [SESSION_RESET_REPLY[command.name]];
      else {
        const outcome = await this.o.runtime.chat.runChannelTurn({
          runId: rec.runId,
          sessionKey,
          message: command ? command.tail : composeMessage(rec),
          system: rec.systemPrompt,
          origin: { channel: f.channel, accountId: f.accountId, senderId: f.senderId, senderLabel: f.senderLabel, chatId: f.chatId, chatType: f.chatType, messageId: f.nativeMessageId ?? f.messageId, ...(f.groupId ? { groupId: f.groupId } : {}), ...(f.threadId ? { threadId: f.threadId } : {}) },
        });
        if (outcome.state === 'final') texts = isSilent(outcome.text) ? [] : [outcome.text];
        else if (outcome.state === 'error') {
          kind = 'error';
          texts = [`⚠️ ${outcome.errorMessage ?? 'the model failed'}`];
        }
      }
    } catch (err) {
      // No agent or model to run it on: tell the sender once instead of going silent.
      const e = err as Error & { fix?: string };
      this.log.warn(`${f.channel} turn for ${rec.id} could not start: ${e.message}`);
      kind = 'error';
      texts = [`⚠️ ${e.message}${e.fix ? ` (fix: ${e.fix})` : ''}`];
    } finally {
      clearInterval(typingTimer);
    }
    try {
      if (this.closed) return;
      const pieces = texts.flatMap((t) => splitText(t, chunkLimit(f.channel, st)));
      await this.outbound?.enqueue(
        pieces.map((text, i) => ({
          id: `${rec.id}:reply:${i}`,
          channel: f.channel,
          accountId: f.accountId,
          chatId: f.chatId,
          threadId: f.threadId,
          text,
          kind,
          // In groups the first piece quotes the message it answers.
          ...(i === 0 && f.chatType === 'group' && f.nativeMessageId ? { replyTo: f.nativeMessageId } : {}),
        })),
      );
      await this.inbound?.remove(rec.id);
    } catch (err) {
      this.log.error(`could not queue the reply to ${rec.id}: ${(err as Error).message} (it is retried on the next start)`);
    } finally {
      this.processing.delete(rec.id);
    }
  }

  // ── operator control (RPC channels.start / channels.stop / channels.logout) ─────────────────

  private operatorTarget(channel: ChannelId, accountId: string | undefined): { k: string; accountId: string } {
    const id = accountId?.trim() || this.defaultAccount(channel);
    const k = key(channel, id);
    if (!this.states.has(k)) {
      throw Object.assign(new Error(`${channelLabel(channel)} account ${id} is not configured`), { fix: setupCommand(channel, id) });
    }
    return { k, accountId: id };
  }

  /** Starts (or restarts) one account: after `channels login` linked it, or after `channels.stop`. */
  async startAccountById(channel: ChannelId, accountId?: string): Promise<{ channel: ChannelId; accountId: string; started: boolean; outcome: { status: string; reason?: string } }> {
    await this.reconciling;
    this.readConfig(true);
    const id = accountId?.trim() || this.defaultAccount(channel);
    const k = key(channel, id);
    this.manualStops.delete(k);
    await this.reconcile(k);
    const { accountId: resolvedId } = this.operatorTarget(channel, id);
    const st = this.states.get(k)!;
    const rt = st.adapter?.runtime();
    const started = !!rt?.running;
    const reason = started ? undefined : (st.loadError ?? rt?.lastError ?? (!st.account.enabled ? 'account is disabled' : !st.account.configured ? `account ${missingCredentialText(channel)}` : this.env.OPENCLAW_SKIP_CHANNELS ? 'channels are not managed (OPENCLAW_SKIP_CHANNELS)' : 'did not start'));
    if (started) this.log.info(`${channel} ${resolvedId}: started by operator`);
    return { channel, accountId: resolvedId, started, outcome: started ? { status: 'handed-off' } : { status: 'failed', reason } };
  }

  /** Stops one account's listener until `channels.start` (or a gateway restart). */
  async stopAccountById(channel: ChannelId, accountId?: string): Promise<{ channel: ChannelId; accountId: string; stopped: boolean }> {
    await this.reconciling;
    const { k, accountId: id } = this.operatorTarget(channel, accountId);
    this.manualStops.add(k);
    const st = this.states.get(k)!;
    await this.stopAccount(st);
    this.log.info(`${channel} ${id}: stopped by operator (RPC channels.stop; started again by channels.start or a gateway restart)`);
    return { channel, accountId: id, stopped: !st.adapter?.runtime().running };
  }

  /** Stops the listener first, then lets the adapter end its session (WhatsApp: unlink, move the session aside). */
  async logoutAccountById(channel: ChannelId, accountId?: string): Promise<{ channel: ChannelId; accountId: string; cleared: boolean; loggedOut: boolean; [k: string]: unknown }> {
    await this.reconciling;
    const { k, accountId: id } = this.operatorTarget(channel, accountId);
    const st = this.states.get(k)!;
    const adapter = st.adapter ?? (await this.probeOnlyAdapter(st));
    if (!adapter?.logout) {
      throw Object.assign(new Error(`channel ${channel} does not support logout`), { fix: `openclaw channels remove --channel ${channel}${id !== DEFAULT_ACCOUNT_ID ? ` --account ${id}` : ''} --yes` });
    }
    this.manualStops.add(k);
    st.adapter = undefined;
    let result;
    try {
      result = await adapter.logout(); // stops its own listener before it ends the session
    } finally {
      this.manualStops.delete(k); // without a session the account is not configured, so nothing restarts it
      await this.reconcile();
    }
    this.log.info(`${channel} ${id}: logged out${result.backupPath ? ` (session moved to ${String(result.backupPath)})` : ''}`);
    return { channel, accountId: id, ...result };
  }

  // ── ChannelService ────────────────────────────────────────────────────────────────────────

  isRunning(channel: ChannelId, accountId = DEFAULT_ACCOUNT_ID): boolean {
    return !!this.states.get(key(channel, accountId))?.adapter?.runtime().running;
  }

  async sendText(req: SendTextRequest, timeoutMs = 15_000): Promise<DeliveryOutcome> {
    const accountId = req.accountId ?? this.defaultAccount(req.channel);
    const st = this.states.get(key(req.channel, accountId));
    const label = channelLabel(req.channel);
    if (!st) return { ok: false, error: `${label} account ${accountId} is not configured`, fix: setupCommand(req.channel, accountId) };
    if (!st.account.enabled) return { ok: false, error: `${label} account ${accountId} is disabled`, fix: `openclaw config set ${accountConfigPath(this.readConfig(), req.channel, accountId)}.enabled true` };
    if (!st.account.configured) return { ok: false, error: `${label} account ${accountId} ${missingCredentialText(req.channel)}`, fix: credentialCommand(req.channel, accountId) };
    const offline = this.offlineSendError(st);
    if (offline) return offline;
    if (!this.outbound) return { ok: false, error: 'the outbound queue is unavailable', fix: `check that ${this.dir} is writable, then openclaw gateway restart` };
    const text = req.text;
    if (!text.trim()) return { ok: false, error: 'message is empty', fix: 'pass --message <text>' };
    const limit = chunkLimit(req.channel, st);
    const base = `send:${crypto.randomUUID()}`;
    const pieces = splitText(text, limit).map((t, i) => ({ id: `${base}:${i}`, channel: req.channel, accountId, chatId: req.to, threadId: req.threadId, text: t, kind: 'send' as const }));
    await this.outbound.enqueue(pieces);
    const outcomes = await Promise.all(pieces.map((p) => this.outbound!.wait(p.id, timeoutMs)));
    const bad = outcomes.find((x) => !x.ok);
    return bad ?? { ok: true, messageIds: outcomes.flatMap((x) => x.messageIds ?? []) };
  }

  /** Channels without a queue on their side (WhatsApp Web) refuse a send while disconnected instead of queueing it. */
  private offlineSendError(st: AccountState): DeliveryOutcome | undefined {
    const template = CHANNEL_FACTS[st.account.channel].offlineSendError;
    const rt = st.adapter?.runtime();
    if (!template || (rt?.running && rt.connected)) return undefined;
    const terminalFix = rt?.terminal ? rt.issues?.find((i) => i.fix)?.fix : undefined;
    return {
      ok: false,
      error: template.replace('<account>', st.account.accountId),
      fix: terminalFix ?? (st.loadError || this.manualStops.has(key(st.account.channel, st.account.accountId)) ? 'openclaw gateway restart' : `openclaw channels status --probe --channel ${st.account.channel}`),
    };
  }

  private defaultAccount(channel: ChannelId): string {
    const ids = [...this.states.values()].filter((s) => s.account.channel === channel).map((s) => s.account.accountId);
    return ids.includes(DEFAULT_ACCOUNT_ID) || ids.length === 0 ? DEFAULT_ACCOUNT_ID : ids[0];
  }

  async status(opts: { channel?: ChannelId; probe?: boolean; timeoutMs?: number } = {}): Promise<ChannelsStatusPayload> {
    const timeoutMs = Math.min(30_000, Math.max(1000, opts.timeoutMs ?? (opts.probe ? 30_000 : 10_000)));
    await this.reconciling;
    const states = [...this.states.values()].filter((s) => !opts.channel || s.account.channel === opts.channel);
    if (opts.probe) await runLimited(states.filter((s) => s.account.enabled && s.account.configured), PROBE_CONCURRENCY, (s) => this.probeAccount(s, timeoutMs));
    const channelAccounts: Record<string, ChannelAccountSnapshot[]> = {};
    const statusIssues: ChannelStatusIssue[] = [];
    for (const s of states) {
      const snap = this.snapshot(s);
      (channelAccounts[s.account.channel] ??= []).push(snap);
      statusIssues.push(...this.issuesFor(s, snap));
    }
    const present = CHANNEL_ORDER.filter((c) => channelAccounts[c]);
    const channels: ChannelsStatusPayload['channels'] = {};
    for (const c of present) {
      const list = channelAccounts[c];
      channels[c] = { configured: list.some((a) => a.configured), running: list.some((a) => a.running), healthy: list.every((a) => !UNHEALTHY_STATES.has(a.healthState)) };
    }
    const warnings = this.ingressError ? [`Channel cannot admit inbound events; its durable ingress queue is unavailable. Outbound may still work. (${this.ingressError})`] : undefined;
    return {
      ts: Date.now(),
      channelOrder: present,
      channelLabels: Object.fromEntries(present.map((c) => [c, channelLabel(c)])),
      channels,
      channelAccounts,
      channelDefaultAccountId: Object.fromEntries(present.map((c) => [c, this.defaultAccount(c)])),
      statusIssues,
      ...(warnings ? { warnings } : {}),
    };
  }

  /** Cheap summary for the `health` snapshot (no probes; uses the last probe result). */
  healthSummary(): { ok: boolean; accounts: Array<{ channel: ChannelId; accountId: string; healthState: HealthState; lastError?: string | null }> } {
    const now = Date.now();
    const accounts = [...this.states.values()].map((s) => {
      const rt = s.adapter?.runtime();
      const out = this.outbound?.stats(s.account.channel, s.account.accountId, now) ?? { oldestAgeMs: null };
      const lastError = s.loadError ?? rt?.lastError ?? s.account.tokenError;
      return { channel: s.account.channel, accountId: s.account.accountId, healthState: this.healthOf(s, rt, out, now), ...(lastError ? { lastError } : {}) };
    });
    return { ok: accounts.every((a) => !UNHEALTHY_STATES.has(a.healthState)), accounts };
  }

  private async probeAccount(s: AccountState, timeoutMs: number): Promise<void> {
    const adapter = s.adapter ?? (await this.probeOnlyAdapter(s));
    if (!adapter) return;
    const probe = await withTimeout(adapter.probe(timeoutMs), timeoutMs, 'probe').catch((err: Error): ProbeResult => ({ ok: false, error: err.message }));
    s.probe = probe;
    s.lastProbeAt = Date.now();
    if (adapter.audit && probe.ok) s.audit = await withTimeout(adapter.audit(probe, timeoutMs), timeoutMs, 'audit').catch((err: Error) => ({ ok: false, error: err.message }));
  }

  /** An adapter that was never started (OPENCLAW_SKIP_CHANNELS) can still be probed. */
  private async probeOnlyAdapter(s: AccountState): Promise<ChannelAdapter | undefined> {
    const def = CHANNELS[s.account.channel];
    if (!def.load) return undefined;
    return (await def.load())(s.account, { log: this.o.services.log.child(s.account.channel), env: this.env });
  }

  private snapshot(s: AccountState, now = Date.now()): ChannelAccountSnapshot {
    const a = s.account;
    const rt = s.adapter?.runtime();
    const out = this.outbound?.stats(a.channel, a.accountId, now) ?? { pending: 0, failed: 0, oldestAgeMs: null };
    const lastError = s.loadError ?? rt?.lastError ?? a.tokenError ?? null;
    return {
      ...(rt?.snapshot ?? {}),
      accountId: a.accountId,
      ...(a.name ? { name: a.name } : {}),
      enabled: a.enabled,
      configured: a.configured,
      ...(typeof rt?.linked === 'boolean' ? { linked: rt.linked } : CHANNEL_FACTS[a.channel].credential === 'link' ? { linked: a.configured } : {}),
      ...(lastError ? { lastError } : {}),
      running: !!rt?.running,
      connected: !!rt?.connected,
      lastInboundAt: s.lastInboundAt,
      lastOutboundAt: s.lastOutboundAt,
      lastTransportActivityAt: rt?.lastTransportActivityAt ?? null,
      ...(rt?.mode ? { mode: rt.mode } : {}),
      ...(rt?.bot?.username ? { bot: rt.bot } : {}),
      dmPolicy: a.dmPolicy,
      allowFrom: a.allowFrom,
      tokenSource: a.tokenSource,
      allowUnmentionedGroups: Object.values(a.groups ?? {}).some((g) => g.requireMention === false),
      healthState: this.healthOf(s, rt, out, now),
      // A failure the transport has since outlived is history, not status (it would keep exit 1).
      ...(s.probe && (s.probe.ok || failedProbeCounts(s, rt)) ? { probe: s.probe, lastProbeAt: s.lastProbeAt ?? null } : {}),
      ...(s.audit ? { audit: s.audit } : {}),
      outbound: out,
      pendingPairing: a.dmPolicy === 'pairing' ? this.pendingPairing(a) : 0,
    };
  }

  private pendingPairing(a: ResolvedAccount): number {
    try {
      return this.pairing.listRequests({ channel: a.channel, accountId: a.accountId }).length;
    } catch {
      return 0;
    }
  }

  private healthOf(s: AccountState, rt: ReturnType<ChannelAdapter['runtime']> | undefined, out: { oldestAgeMs: number | null }, now: number): HealthState {
    const a = s.account;
    if (!a.enabled) return 'disabled';
    if (!a.configured) return a.tokenError ? 'blocked' : 'not-configured';
    if (this.env.OPENCLAW_SKIP_CHANNELS) return 'unmanaged';
    if (this.ingressError) return 'ingress-unavailable';
    if (s.loadError) return 'not-running';
    if (rt?.terminal) return 'terminal-disconnect';
    if (failedProbeCounts(s, rt)) return 'probe-failed';
    if (out.oldestAgeMs !== null && out.oldestAgeMs > this.outboundStuckMs) return 'outbound-stuck';
    if (!rt?.running) return 'not-running';
    if (!rt.connected) {
      if (!rt.lastConnectedAt) return now - s.startedAt < CONNECT_GRACE_MS ? 'startup-connect-grace' : 'terminal-disconnect';
      return now - rt.lastConnectedAt < CONNECT_GRACE_MS ? 'reconnect-grace' : 'terminal-disconnect';
    }
    return 'healthy';
  }

  private issuesFor(s: AccountState, snap: ChannelAccountSnapshot): ChannelStatusIssue[] {
    const base = { channel: s.account.channel, accountId: s.account.accountId };
    const out: ChannelStatusIssue[] = [];
    for (const i of s.adapter?.runtime().issues ?? []) out.push({ ...base, kind: 'config', message: i.message, fix: i.fix });
    // A probe that failed for the reason the runtime already reports adds no second warning.
    const saidAlready = out.some((i) => i.message === snap.probe?.error);
    if (snap.probe && failedProbeCounts(s, s.adapter?.runtime()) && !saidAlready) out.push({ ...base, kind: 'probe', message: `probe failed: ${snap.probe.error ?? 'unknown error'}`, fix: probeFix(s.account, snap.probe) });
    if (snap.healthState === 'outbound-stuck') out.push({ ...base, kind: 'outbound', message: `${snap.outbound?.pending} outbound message(s) waiting, oldest ${Math.round((snap.outbound?.oldestAgeMs ?? 0) / 1000)}s`, fix: `openclaw channels status --probe --channel ${s.account.channel}` });
    if ((snap.outbound?.failed ?? 0) > 0) {
      // The newest reason, so status and doctor can name it (Discord 50007, no WhatsApp listener…) without the logs.
      const last = this.outbound?.failed().find((r) => r.channel === s.account.channel && r.accountId === s.account.accountId);
      const why = last?.lastError ? ` (last, to ${last.chatId}: ${last.lastError})` : '';
      out.push({ ...base, kind: 'outbound', message: `${snap.outbound?.failed} outbound message(s) failed for good in the last 24 h${why}`, fix: `openclaw logs | grep "send failed"` });
    }
    for (const message of snap.audit?.issues ?? []) out.push({ ...base, kind: 'config', message, fix: `add the bot to that group (or correct the id in ${accountConfigPath(this.readConfig(), s.account.channel, s.account.accountId)}.groups), then: openclaw channels status --probe` });
    if (s.account.tokenError) {
      const flag = s.account.tokenSource === 'tokenFile' ? '--token-file <path>' : '--token <token>';
      out.push({ ...base, kind: 'config', message: s.account.tokenError, fix: `openclaw channels add --channel ${s.account.channel}${s.account.accountId !== DEFAULT_ACCOUNT_ID ? ` --account ${s.account.accountId}` : ''} ${flag}` });
    }
    if ((snap.pendingPairing ?? 0) > 0) out.push({ ...base, kind: 'pairing', message: `${snap.pendingPairing} pending DM pairing request(s)`, fix: `openclaw pairing list ${s.account.channel}` });
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.reconciling;
    await Promise.all([...this.states.values()].map((s) => this.stopAccount(s)));
    this.outbound?.close();
    await Promise.all([this.inbound?.close(), this.outboundJournal?.close()]);
  }
}

/** A failed probe stops counting once the transport worked after it (a poll completed, a reconnect). */
function failedProbeCounts(s: AccountState, rt: ReturnType<ChannelAdapter['runtime']> | undefined): boolean {
  if (!s.probe || s.probe.ok) return false;
  const workedSince = Math.max(rt?.lastConnectedAt ?? 0, rt?.lastTransportActivityAt ?? 0);
  return !(rt?.connected && s.lastProbeAt && workedSince > s.lastProbeAt);
}

/** textChunkLimit may only shorten pieces: above the platform's limit the API refuses the message. */
function chunkLimit(channel: ChannelId, st: AccountState | undefined): number {
  const platform = st?.adapter?.textLimit ?? CHANNELS[channel].textLimit;
  return Math.min(st?.account.textChunkLimit ?? platform, platform);
}

/** Where an account's own keys live: the channel block itself for a lone default account. */
export function accountConfigPath(cfg: OpenClawConfig, channel: ChannelId, accountId: string): string {
  const block = (cfg.channels as Record<string, { accounts?: Record<string, unknown> } | undefined> | undefined)?.[channel];
  if (accountId === DEFAULT_ACCOUNT_ID && !block?.accounts?.[DEFAULT_ACCOUNT_ID]) return `channels.${channel}`;
  return `channels.${channel}.accounts.${accountId}`;
}

function key(channel: string, accountId: string): string {
  return `${channel}:${accountId}`;
}

/**
 * What forces a reconnect: credentials and transport, including each channel's own connection
 * settings (Discord intents, the imsg command line, WhatsApp's session dir and linked number, so an
 * account linked after start starts). Policy edits do not.
 */
export function fingerprint(a: ResolvedAccount): string {
  const wa = a as ResolvedAccount & { authDir?: string; selfNumber?: string };
  const transport = [a.enabled, a.configured, a.token ?? '', a.apiRoot ?? '', a.webhook ?? null, a.tokenError ?? '', a.discord ?? null, a.imessage ?? null, wa.authDir ?? '', wa.selfNumber ?? ''];
  return crypto.createHash('sha256').update(JSON.stringify(transport)).digest('hex');
}

/** The user text the model sees: in groups, who said it, plus the unmentioned messages before it. */
export function composeMessage(rec: Pick<InboundRecord, 'facts' | 'context'>): string {
  const f = rec.facts;
  if (f.chatType === 'dm') return f.text;
  const who = f.senderLabel ?? f.senderId;
  const ctx = rec.context?.length ? `[Earlier messages in this group, not addressed to you]\n${rec.context.map((c) => `${c.sender}: ${c.text}`).join('\n')}\n\n[Message for you]\n` : '';
  return `${ctx}${who}: ${f.text}`;
}

/** A reply the model chose not to send. */
function isSilent(text: string): boolean {
  const t = text.trim();
  return t === '' || t === 'NO_REPLY';
}

function probeFix(a: ResolvedAccount, probe: ProbeResult): string {
  if (typeof probe.fix === 'string' && probe.fix) return probe.fix;
  if (probe.status === 401) return `the bot token was rejected: ${credentialCommand(a.channel, a.accountId)}`;
  const endpoint = a.apiRoot ?? CHANNEL_FACTS[a.channel].endpoint;
  return endpoint ? `check network access to ${endpoint} (proxy, DNS, firewall), then openclaw channels status --probe` : `openclaw logs | grep ${a.channel}, then openclaw channels status --probe --channel ${a.channel}`;
}

async function withTimeout<T>(p: Promise<T>, ms: number, step: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${step} timed out after ${ms}ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function runLimited<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let item = queue.shift(); item; item = queue.shift()) await fn(item);
  }));
}
