// The WhatsApp ChannelAdapter on Baileys (WhatsApp Web multi-device). The gateway owns the socket
// and its reconnect loop: transient closes reconnect (515 at once, others with backoff), a logged-out
// device is a terminal state with the relink fix, never a silent retry loop. Inbound messages are
// turned into facts (facts.ts) and handed to the sink one at a time; a message counts as received
// only after the sink resolved. Sends need the live, open socket and fail fast without one.
import type { Logger } from '../../logging/types.js';
import { envMs, sleep } from '../backoff.js';
import type { AdapterDeps } from '../registry.js';
import { ChannelSendError, type AdapterRuntime, type ChannelAdapter, type InboundFacts, type InboundSink, type LogoutOutcome, type OutboundText, type ProbeResult, type SendResult } from '../types.js';
import { readLinkedNumber, type WhatsAppResolvedAccount, defaultAuthDir } from './config.js';
import { runWhatsAppLogout } from './login.js';
import { e164FromJid, messageToFacts, type WaMessage, type WaSelf } from './facts.js';
import { loginFix, NETWORK_FIX, PROBE_FIX, relinkFix } from './fixes.js';
import { defaultBaileysSocketFactory, disconnectStatus, guardedSaveCreds, secureAuthDir, socketFactoryFromEnv, WA_STATUS, type WaConnectionUpdate, type WaEvents, type WaSocketFactory, type WaSocketLike } from './socket.js';

export const WHATSAPP_TEXT_LIMIT = 4000;

export interface WhatsAppAdapterDeps {
  log: Logger;
  /** Test overrides: OPENCLAW_WHATSAPP_RETRY_BASE_MS; test-only OPENCLAW_WHATSAPP_FAKE_SOCKET (socket.ts). */
  env?: Record<string, string | undefined>;
  /** Builds the socket; default: Baileys (or the env test hook). */
  socketFactory?: WaSocketFactory;
}

/** `+15551234567` / `15551234567` → `15551234567@s.whatsapp.net`; JIDs pass unchanged. */
export function toJid(chatId: string): string {
  const s = chatId.trim();
  if (s.includes('@')) return s;
  const digits = s.replace(/[\s\-().+]/g, '');
  return `${digits}@s.whatsapp.net`;
}

type CloseOutcome = { status?: number; message: string; wasOpen: boolean };

class WhatsAppAdapter implements ChannelAdapter {
  readonly channel = 'whatsapp' as const;
  readonly accountId: string;
  readonly textLimit = WHATSAPP_TEXT_LIMIT;

  private readonly log: Logger;
  private readonly env: Record<string, string | undefined>;
  private readonly authDir: string;
  private sink?: InboundSink;
  private sock?: WaSocketLike;
  private life?: AbortController;
  private loop?: Promise<void>;
  private chain: Promise<void> = Promise.resolve();
  /** Ids of messages we sent: their echo in self chat is not a new message. */
  private readonly sentIds = new Set<string>();

  private running = false;
  private connected = false;
  private terminal = false;
  private lastError: string | null = null;
  private issue?: { message: string; fix?: string };
  private lastConnectedAt: number | null = null;
  private lastTransportActivityAt: number | null = null;
  /** First `open` of this adapter's life: older messages (minus 30 s) are backlog; later reconnects are not. */
  private firstConnectedAt = 0;
  /** Recently received messages by id, so a reply can quote the message it answers. */
  private readonly recent = new Map<string, WaMessage>();
  private me?: WaSelf;
  private loggingOut = false;
  /**
   * A session on disk. runtime() is read on every outbound send, so this is not a file read: it
   * changes only by login (the account's fingerprint changes, a new adapter starts) or logout here.
   */
  private linked: boolean;

  constructor(
    private readonly account: WhatsAppResolvedAccount,
    private readonly deps: WhatsAppAdapterDeps,
  ) {
    this.accountId = account.accountId;
    this.log = deps.log;
    this.env = deps.env ?? {};
    this.authDir = account.authDir ?? defaultAuthDir(account.accountId, this.env);
    this.linked = readLinkedNumber(this.authDir).linked;
  }

  private get selfNumber(): string | undefined {
    return e164FromJid(this.me?.id) ?? this.account.selfNumber;
  }

  runtime(): AdapterRuntime {
    const self = this.selfNumber;
    return {
      running: this.running,
      connected: this.connected,
      mode: 'web',
      lastError: this.lastError,
      terminal: this.terminal,
      lastTransportActivityAt: this.lastTransportActivityAt,
      lastConnectedAt: this.lastConnectedAt,
      // Upstream's WhatsApp line says `linked` (a session on disk), not `bot:`; the number is in `self`.
      linked: this.linked,
      ...(self ? { snapshot: { self: { e164: self } } } : {}),
      ...(this.issue ? { issues: [this.issue] } : {}),
    };
  }

  async start(sink: InboundSink): Promise<void> {
    if (this.running) return;
    this.sink = sink;
    const linked = readLinkedNumber(this.authDir);
    this.linked = linked.linked;
    if (!linked.linked) {
      this.setTerminal(`not linked: no WhatsApp Web session in ${this.authDir}`, loginFix(this.accountId));
      this.log.warn(`[${this.accountId}] not linked (fix: ${loginFix(this.accountId)})`);
      return;
    }
    let factory = this.deps.socketFactory;
    try {
      factory ??= (await socketFactoryFromEnv(this.env)) ?? defaultBaileysSocketFactory;
    } catch (err) {
      this.setTerminal((err as Error).message);
      return;
    }
    secureAuthDir(this.authDir);
    this.running = true;
    this.terminal = false;
    this.lastError = null;
    this.issue = undefined;
    this.life = new AbortController();
    this.loop = this.connectLoop(factory, this.life.signal);
  }

  private setTerminal(message: string, fix?: string): void {
    this.running = false;
    this.connected = false;
    this.terminal = true;
    this.lastError = message;
    this.issue = { message, ...(fix ? { fix } : {}) };
  }

  private async connectLoop(factory: WaSocketFactory, signal: AbortSignal): Promise<void> {
    const base = envMs(this.env, 'OPENCLAW_WHATSAPP_RETRY_BASE_MS', 2000);
    const cap = 60_000;
    let attempt = 0;
    while (!signal.aborted) {
      let outcome: CloseOutcome;
      try {
        const handle = await factory({ authDir: this.authDir, log: this.log });
        if (signal.aborted) {
          handle.sock.end(undefined);
          return;
        }
        outcome = await this.runSocket(handle.sock, guardedSaveCreds(this.authDir, handle.saveCreds), signal);
      } catch (err) {
        outcome = { message: (err as Error).message, wasOpen: false };
      }
      this.sock = undefined;
      this.connected = false;
      if (signal.aborted || this.loggingOut) return;
      const s = outcome.status;
      if (s === WA_STATUS.loggedOut) {
        this.setTerminal(`WhatsApp Web session logged out (status 401): this device was unlinked on the phone`, relinkFix(this.accountId));
        this.log.error(`[${this.accountId}] logged out (status 401); not reconnecting (fix: ${relinkFix(this.accountId)})`);
        return;
      }
      if (s === WA_STATUS.forbidden || s === WA_STATUS.multideviceMismatch) {
        this.setTerminal(`WhatsApp refused this session (status ${s})`, relinkFix(this.accountId));
        this.log.error(`[${this.accountId}] session refused (status ${s}); not reconnecting (fix: ${relinkFix(this.accountId)})`);
        return;
      }
      if (s === WA_STATUS.connectionReplaced) {
        this.setTerminal('another WhatsApp Web session for this number replaced this one (status 440)', 'stop the other gateway or WhatsApp Web client using this account, then: openclaw gateway restart');
        this.log.error(`[${this.accountId}] connection replaced (status 440); not reconnecting`);
        return;
      }
      if (outcome.status === undefined && outcome.message.startsWith('not linked')) {
        this.setTerminal(outcome.message, loginFix(this.accountId));
        this.log.error(`[${this.accountId}] ${outcome.message} (fix: ${loginFix(this.accountId)})`);
        return;
      }
      this.lastError = `connection closed${s ? ` (status ${s})` : ''}: ${outcome.message}`;
      if (outcome.wasOpen) attempt = 0;
      if (s === WA_STATUS.restartRequired) {
        this.log.info(`[${this.accountId}] WhatsApp asked for a restart (status 515); reconnecting`);
        continue;
      }
      const delay = Math.min(cap, base * 2 ** attempt++);
      this.log.warn(`[${this.accountId}] ${this.lastError}; reconnecting in ${delay} ms`);
      if (!(await sleep(delay, signal))) return;
    }
  }

  /** Attaches to one socket and resolves when it closes. */
  private runSocket(sock: WaSocketLike, saveCreds: () => Promise<void>, signal: AbortSignal): Promise<CloseOutcome> {
    return new Promise<CloseOutcome>((resolve) => {
      let wasOpen = false;
      const onCreds = () => void saveCreds().catch((err: Error) => this.log.warn(`[${this.accountId}] could not save WhatsApp creds: ${err.message}`));
      const onUpsert = (u: WaEvents['messages.upsert']) => {
        this.lastTransportActivityAt = Date.now();
        if (u.type !== 'notify') return;
        const msgs = u.messages;
        this.chain = this.chain.then(() => this.deliverAll(sock, msgs, signal));
      };
      let finished = false;
      const finish = (o: CloseOutcome) => {
        if (finished) return;
        finished = true;
        sock.ev.off('connection.update', onUpdate);
        sock.ev.off('creds.update', onCreds);
        sock.ev.off('messages.upsert', onUpsert);
        signal.removeEventListener('abort', onAbort);
        resolve(o);
      };
      const onUpdate = (u: WaConnectionUpdate) => {
        this.lastTransportActivityAt = Date.now();
        if (u.qr) {
          // The gateway never shows a QR: a socket that asks for one has no (valid) session.
          finish({ message: `not linked: WhatsApp asks for a QR scan (the session in ${this.authDir} is missing or invalid)`, wasOpen });
          try {
            sock.end(undefined);
          } catch {
            // already closing
          }
          return;
        }
        if (u.connection === 'open') {
          wasOpen = true;
          const now = Date.now();
          this.sock = sock;
          this.me = sock.user ?? this.me;
          this.connected = true;
          if (!this.firstConnectedAt) this.firstConnectedAt = now;
          this.lastConnectedAt = now;
          this.lastError = null;
          this.terminal = false;
          this.issue = undefined;
          this.log.info(`[${this.accountId}] starting provider (${this.selfNumber ?? 'unknown number'})`);
          return;
        }
        if (u.connection === 'close') {
          this.connected = false;
          if (this.sock === sock) this.sock = undefined;
          const err = u.lastDisconnect?.error;
          finish({ status: disconnectStatus(u), message: err?.message ?? 'connection closed', wasOpen });
        }
      };
      const onAbort = () => {
        finish({ message: 'stopped', wasOpen });
        try {
          sock.end(undefined);
        } catch {
          // already closed
        }
      };
      sock.ev.on('connection.update', onUpdate);
      sock.ev.on('creds.update', onCreds);
      sock.ev.on('messages.upsert', onUpsert);
      signal.addEventListener('abort', onAbort);
    });
  }

  private async deliverAll(sock: WaSocketLike, msgs: WaMessage[], signal: AbortSignal): Promise<void> {
    for (const msg of msgs) {
      if (signal.aborted) return;
      try {
        await this.deliver(sock, msg, signal);
      } catch (err) {
        this.log.error(`[${this.accountId}] inbound message ${msg.key?.id ?? '?'} failed: ${(err as Error).message}`);
      }
    }
  }

  private async deliver(sock: WaSocketLike, msg: WaMessage, signal: AbortSignal): Promise<void> {
    const f = messageToFacts(msg, { accountId: this.accountId, me: this.me, connectedAt: this.firstConnectedAt });
    if (!f) return;
    const { backlog, selfChat, ...facts } = f;
    if (backlog) {
      // History replayed on connect: answering (or challenging) it now would surprise the sender.
      this.log.info(`[${this.accountId}] skipping backlog message ${facts.messageId} from ${facts.senderId} (sent ${new Date(facts.sentAt).toISOString()}, before this connection)`);
      return;
    }
    if (selfChat) {
      if (!this.account.selfChatMode || this.sentIds.has(facts.messageId)) return;
      const self = this.selfNumber;
      if (!self) return;
      facts.senderId = self; // the linked number is never challenged: selfChatMode allows it (config.ts)
    }
    this.recent.set(facts.messageId, msg);
    if (this.recent.size > 500) this.recent.delete(this.recent.keys().next().value as string);
    await this.sinkWithRetry(facts as InboundFacts, signal);
    if (this.account.sendReadReceipts && sock.readMessages) await sock.readMessages([msg.key]).catch(() => undefined);
  }

  /** WhatsApp does not redeliver what Baileys received: a failing sink is retried a few times. */
  private async sinkWithRetry(facts: InboundFacts, signal: AbortSignal): Promise<void> {
    const base = envMs(this.env, 'OPENCLAW_WHATSAPP_RETRY_BASE_MS', 2000);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.sink!(facts);
        return;
      } catch (err) {
        if (attempt >= 4) throw err;
        this.log.warn(`[${this.accountId}] could not accept message ${facts.messageId}: ${(err as Error).message}; retrying`);
        if (!(await sleep(Math.min(30_000, base * 2 ** attempt), signal))) throw err;
      }
    }
  }

  async stop(): Promise<void> {
    this.life?.abort();
    await this.loop?.catch(() => undefined);
    await this.chain.catch(() => undefined);
    this.loop = undefined;
    this.sock = undefined;
    this.running = false;
    this.connected = false;
  }

  /** Tells WhatsApp this device is unlinked (when connected), stops, then moves the session aside. */
  async logout(): Promise<LogoutOutcome> {
    const sock = this.connected ? this.sock : undefined;
    let loggedOut = false;
    if (sock) {
      this.loggingOut = true; // the 401 close that follows is ours, not a phone-side unlink
      try {
        await Promise.race([sock.logout(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 5000).unref())]);
        loggedOut = true;
      } catch (err) {
        this.log.warn(`[${this.accountId}] WhatsApp logout request failed (${(err as Error).message}); the session is removed here anyway (also remove the device on the phone: Settings → Linked devices)`);
      }
    }
    await this.stop();
    this.loggingOut = false;
    const r = runWhatsAppLogout({ authDir: this.authDir });
    this.linked = false;
    return { cleared: !!r.backupPath, loggedOut, wasLinked: r.wasLinked, authDir: this.authDir, ...(r.backupPath ? { backupPath: r.backupPath } : {}), ...(r.selfNumber ? { selfNumber: r.selfNumber } : {}) };
  }

  private liveSocket(): WaSocketLike {
    if (!this.sock || !this.connected) throw new ChannelSendError(`No active WhatsApp Web listener (account: ${this.accountId})`, true, PROBE_FIX);
    return this.sock;
  }

  async send(msg: OutboundText): Promise<SendResult> {
    const sock = this.liveSocket();
    const jid = toJid(msg.chatId);
    let res: Awaited<ReturnType<WaSocketLike['sendMessage']>>;
    try {
      const quoted = msg.replyTo ? this.recent.get(msg.replyTo) : undefined;
      res = await sock.sendMessage(jid, { text: msg.text }, quoted ? { quoted } : undefined);
    } catch (err) {
      const status = (err as { output?: { statusCode?: number } }).output?.statusCode;
      throw new ChannelSendError(`WhatsApp send to ${jid} failed${status ? ` (status ${status})` : ''}: ${(err as Error).message}`, true, PROBE_FIX);
    }
    const id = res?.key?.id;
    if (!id) throw new ChannelSendError(`WhatsApp did not return a message id for the send to ${jid}; not counted as delivered`, true, PROBE_FIX);
    this.sentIds.add(id);
    if (this.sentIds.size > 1000) this.sentIds.delete(this.sentIds.values().next().value as string);
    this.lastTransportActivityAt = Date.now();
    return { messageIds: [id] };
  }

  async typing(chatId: string): Promise<void> {
    const sock = this.sock;
    if (!sock || !this.connected) return;
    try {
      await sock.sendPresenceUpdate('composing', toJid(chatId));
    } catch {
      // best effort
    }
  }

  async probe(): Promise<ProbeResult> {
    const t0 = Date.now();
    const { linked, selfNumber } = readLinkedNumber(this.authDir);
    const self = this.selfNumber ?? selfNumber;
    const base = { linked, connected: this.connected, ...(self ? { self: { number: self, ...(this.me?.name ? { name: this.me.name } : {}) } } : {}), elapsedMs: Date.now() - t0 };
    if (!linked) return { ok: false, status: null, error: 'not linked', fix: loginFix(this.accountId), ...base };
    if (!this.connected) return { ok: false, status: null, error: this.lastError ?? 'not connected to WhatsApp Web', fix: this.issue?.fix ?? NETWORK_FIX, ...base };
    return { ok: true, status: null, error: null, ...base };
  }
}

export function createWhatsAppAdapterWith(account: WhatsAppResolvedAccount, deps: WhatsAppAdapterDeps): ChannelAdapter {
  return new WhatsAppAdapter(account, deps);
}

export const createWhatsAppAdapter = (account: Parameters<typeof createWhatsAppAdapterWith>[0] | import('../config.js').ResolvedAccount, deps: AdapterDeps): ChannelAdapter =>
  new WhatsAppAdapter(account as WhatsAppResolvedAccount, { log: deps.log, env: deps.env });
