// The durable outbound queue: every text the gateway sends to a chat (replies, pairing codes,
// notifications, heartbeats) is written here first and removed only once the channel accepted
// it, so a crash or a channel outage delays a reply instead of losing it. One message in flight
// per chat keeps a split reply in order; failures back off exponentially (or as the channel
// asks, e.g. Telegram's retry_after) and end, after MAX_ATTEMPTS or a permanent error, as one
// `send failed: <reason>` log line with the fix.
import type { Logger } from '../../logging/types.js';
import { ChannelSendError, type ChannelAdapter, type ChannelId, type DeliveryOutcome } from '../types.js';
import { Journal } from './journal.js';

export interface OutboundRecord {
  id: string;
  channel: ChannelId;
  accountId: string;
  chatId: string;
  threadId?: string;
  text: string;
  replyTo?: string;
  kind: 'reply' | 'pairing' | 'send' | 'heartbeat' | 'error';
  createdAt: number;
  /** Orders records created in the same millisecond. */
  seq: number;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
  state: 'pending' | 'failed';
  fix?: string;
  /** When it failed for good (dead letters are kept FAILED_RETENTION_MS for status and logs, then dropped). */
  failedAt?: number;
}

export const MAX_ATTEMPTS = 8;
/** A message that failed for good is reported for a day, so a status warning does not last forever. */
export const FAILED_RETENTION_MS = 24 * 60 * 60 * 1000;
const isExpired = (r: OutboundRecord, now: number) => r.state === 'failed' && now - (r.failedAt ?? r.createdAt) > FAILED_RETENTION_MS;
const BASE_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 60_000;

export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, attempts - 1));
}

export interface OutboundDeps {
  journal: Journal<OutboundRecord>;
  log: Logger;
  /** The running adapter for an account, if any (sends wait while there is none). */
  adapter(channel: ChannelId, accountId: string): ChannelAdapter | undefined;
  onSent(rec: OutboundRecord, messageIds: string[]): void;
}

type Waiter = (o: DeliveryOutcome) => void;

export class OutboundQueue {
  private readonly inFlight = new Set<string>();
  private readonly waiters = new Map<string, Waiter[]>();
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private closed = false;

  constructor(private readonly d: OutboundDeps) {}

  /** Queues texts (durably, in order) for one chat. Ids already queued are left alone (idempotent). */
  async enqueue(items: Array<Omit<OutboundRecord, 'createdAt' | 'seq' | 'attempts' | 'nextAttemptAt' | 'state'>>): Promise<void> {
    const now = Date.now();
    for (const item of items) {
      if (this.d.journal.has(item.id) || this.d.journal.wasRemoved(item.id)) continue;
      await this.d.journal.put({ ...item, createdAt: now, seq: this.seq++, attempts: 0, nextAttemptAt: now, state: 'pending' });
    }
    this.kick();
  }

  /** Resolves when the record is sent or has finally failed, or after `timeoutMs` with `queued`. */
  wait(id: string, timeoutMs: number): Promise<DeliveryOutcome> {
    const rec = this.d.journal.get(id);
    if (!rec) return Promise.resolve(this.d.journal.wasRemoved(id) ? { ok: true } : { ok: false, error: 'unknown message' });
    if (rec.state === 'failed') return Promise.resolve({ ok: false, error: rec.lastError, fix: rec.fix });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        remove();
        const r = this.d.journal.get(id);
        resolve({ ok: false, queued: true, error: r?.lastError ?? 'not delivered yet; it stays queued and is retried' });
      }, timeoutMs);
      const w: Waiter = (o) => {
        clearTimeout(timer);
        resolve(o);
      };
      const remove = () => this.waiters.set(id, (this.waiters.get(id) ?? []).filter((x) => x !== w));
      this.waiters.set(id, [...(this.waiters.get(id) ?? []), w]);
    });
  }

  /** Pending and failed counts for one account, and the age of its oldest pending record. */
  stats(channel: ChannelId, accountId: string, now = Date.now()): { pending: number; failed: number; oldestAgeMs: number | null } {
    let pending = 0;
    let failed = 0;
    let oldest: number | null = null;
    for (const r of this.d.journal.values()) {
      if (r.channel !== channel || r.accountId !== accountId || isExpired(r, now)) continue;
      if (r.state === 'failed') failed += 1;
      else {
        pending += 1;
        oldest = Math.max(oldest ?? 0, now - r.createdAt);
      }
    }
    return { pending, failed, oldestAgeMs: oldest };
  }

  /** Failed records (dead letters), newest first. */
  failed(now = Date.now()): OutboundRecord[] {
    return this.d.journal.values().filter((r) => r.state === 'failed' && !isExpired(r, now)).sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Looks for work now (a new record, an adapter that just connected). */
  kick(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    setImmediate(() => this.pass());
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private pass(): void {
    if (this.closed) return;
    const now = Date.now();
    const heads = new Map<string, OutboundRecord>();
    for (const r of this.d.journal.values()) {
      if (isExpired(r, now)) void this.d.journal.remove(r.id).catch((e: Error) => this.d.log.warn(`could not drop an expired failed message: ${e.message}`));
      if (r.state !== 'pending') continue;
      const chat = chatKey(r);
      const cur = heads.get(chat);
      if (!cur || r.createdAt < cur.createdAt || (r.createdAt === cur.createdAt && r.seq < cur.seq)) heads.set(chat, r);
    }
    let soonest = Infinity;
    for (const [chat, r] of heads) {
      if (this.inFlight.has(chat)) continue;
      if (r.nextAttemptAt > now) {
        soonest = Math.min(soonest, r.nextAttemptAt);
        continue;
      }
      const adapter = this.d.adapter(r.channel, r.accountId);
      if (!adapter) continue; // kicked again when the account's adapter starts
      this.inFlight.add(chat);
      void this.attempt(adapter, r).finally(() => {
        this.inFlight.delete(chat);
        this.kick();
      });
    }
    if (soonest < Infinity) this.timer = setTimeout(() => this.pass(), Math.max(10, soonest - now));
    this.timer?.unref();
  }

  private async attempt(adapter: ChannelAdapter, r: OutboundRecord): Promise<void> {
    try {
      const { messageIds } = await adapter.send({ accountId: r.accountId, chatId: r.chatId, threadId: r.threadId, text: r.text, replyTo: r.replyTo });
      await this.d.journal.remove(r.id);
      this.d.onSent(r, messageIds);
      this.settle(r.id, { ok: true, messageIds });
    } catch (err) {
      await this.failure(r, err).catch((e: Error) => this.d.log.error(`outbound queue write failed: ${e.message}`));
    }
  }

  private async failure(r: OutboundRecord, err: unknown): Promise<void> {
    const e = err instanceof ChannelSendError ? err : new ChannelSendError((err as Error)?.message ?? String(err), true);
    const attempts = r.attempts + 1;
    if (e.retryable && attempts < MAX_ATTEMPTS) {
      const delay = Math.max(e.retryAfterMs ?? 0, backoffMs(attempts));
      await this.d.journal.put({ ...r, attempts, lastError: e.message, fix: e.fix, nextAttemptAt: Date.now() + delay });
      this.d.log.child(r.channel).warn(`send to ${r.chatId} failed (attempt ${attempts}/${MAX_ATTEMPTS}, retrying in ${Math.round(delay / 1000)}s): ${e.message}`);
      return;
    }
    const fix = e.fix ?? `check the channel with: openclaw channels status --probe --channel ${r.channel}`;
    await this.d.journal.put({ ...r, attempts, lastError: e.message, fix, state: 'failed', failedAt: Date.now() });
    this.d.log.child(r.channel).error(`send failed: ${e.message} (fix: ${fix})`, { chatId: r.chatId, accountId: r.accountId, attempts, kind: r.kind });
    this.settle(r.id, { ok: false, error: e.message, fix });
  }

  private settle(id: string, o: DeliveryOutcome): void {
    const ws = this.waiters.get(id);
    this.waiters.delete(id);
    for (const w of ws ?? []) w(o);
  }
}

const chatKey = (r: Pick<OutboundRecord, 'channel' | 'accountId' | 'chatId' | 'threadId'>) => `${r.channel}\0${r.accountId}\0${r.chatId}\0${r.threadId ?? ''}`;
