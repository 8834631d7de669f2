// The contract between the shared channel layer and the per-channel adapters. Adapters only
// report facts (who wrote what, where, whether the bot was mentioned) and carry text out; every
// decision (who may talk, which groups, mention gating, pairing) is made once in ingress-policy.ts.

export const CHANNEL_IDS = ['telegram', 'discord', 'whatsapp', 'imessage'] as const;
export type ChannelId = (typeof CHANNEL_IDS)[number];

export const DEFAULT_ACCOUNT_ID = 'default';

export type DmPolicy = 'pairing' | 'allowlist' | 'open' | 'disabled';
export type GroupPolicy = 'open' | 'disabled' | 'allowlist';
export type ChatType = 'dm' | 'group';
export type ImplicitMentionKind = 'reply_to_bot' | 'quoted_bot' | 'bot_thread_participant' | 'native';

/** What an adapter knows about one inbound message. No policy in here. */
export interface InboundFacts {
  channel: ChannelId;
  accountId: string;
  /** Unique per account and stable across redeliveries (Telegram: the update_id). Dedupe key. */
  messageId: string;
  /** The channel's own id of the message (Telegram message_id), for reply-to. */
  nativeMessageId?: string;
  senderId: string;
  /** Human label: @username, display name… */
  senderLabel?: string;
  /** Channel extras kept with a pairing request (Telegram: username, firstName, lastName). */
  senderMeta?: Record<string, string>;
  chatType: ChatType;
  /** Where a reply goes (Telegram chat id; for DMs usually the sender id). */
  chatId: string;
  /** Group / room id for group messages (Telegram: the chat id, `-100…`). */
  groupId?: string;
  /** Forum topic / thread id inside a group. */
  threadId?: string;
  text: string;
  /** The bot was mentioned explicitly (`@botname`, a mention entity). */
  wasMentioned: boolean;
  /** The message counts as a mention without naming the bot (a reply to the bot…). */
  implicitMention?: ImplicitMentionKind;
  /** false when the adapter cannot tell mentions apart (no bot identity): nothing is mention-skipped. */
  canDetectMention: boolean;
  /** The text is a control command (`/new`, `/status`…). */
  isCommand?: boolean;
  /** When the channel says the message was sent (ms). */
  sentAt: number;
  /** Role ids of the sender in this group (Discord guild member roles), for `roles` allowlists. */
  senderRoles?: string[];
  /** The bot's own id on this channel, for drop logs (`botId=<id>`). */
  botId?: string;
  /**
   * The message is addressed to another identity: it mentions other users or roles (not
   * @everyone/@here), or replies to another bot. Only set when the adapter can tell (it knows the
   * bot's id); the `ignoreOtherMentions` gate reads it.
   */
  addressedToOthers?: boolean;
}

/** Text going out to one chat. */
export interface OutboundText {
  accountId: string;
  chatId: string;
  threadId?: string;
  text: string;
  /** Native id of the message this answers (Telegram reply_to_message_id). */
  replyTo?: string;
}

export interface SendResult {
  /** Native ids of the messages the channel accepted. */
  messageIds: string[];
}

/** A send that failed. `retryable` decides whether the outbound queue tries again. */
export class ChannelSendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** One command or config line that fixes it. */
    readonly fix?: string,
    /** Server-requested delay (Telegram 429 retry_after). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ChannelSendError';
  }
}

export interface ProbeResult {
  ok: boolean;
  status?: number | null;
  error?: string | null;
  elapsedMs?: number;
  /** One command or config change that fixes a failed probe (the 401 token fix…). */
  fix?: string;
  /** Channel specifics (Telegram: bot {id, username, canJoinGroups, canReadAllGroupMessages}, webhook {url}). */
  [key: string]: unknown;
}

export interface AuditResult {
  ok: boolean;
  checkedGroups?: number;
  issues?: string[];
  [key: string]: unknown;
}

/** Live runtime facts an adapter keeps about its connection. */
export interface AdapterRuntime {
  running: boolean;
  connected: boolean;
  mode?: string;
  lastError?: string | null;
  /** The last error is terminal (bad token, conflict): reconnecting will not help until fixed. */
  terminal?: boolean;
  lastTransportActivityAt?: number | null;
  lastConnectedAt?: number | null;
  bot?: { id?: string; username?: string };
  /** Channel-specific warnings for status (message + fix). */
  issues?: Array<{ message: string; fix?: string }>;
  /** Linked to a device account (WhatsApp Web); undefined where linking is not a thing. */
  linked?: boolean;
  /** Channel extras merged into the status snapshot in upstream's field names (Discord `application.intents`). */
  snapshot?: Record<string, unknown>;
}

/** Where an adapter hands inbound messages. Resolves once the message is durable (queued). */
export type InboundSink = (facts: InboundFacts) => Promise<void>;

export interface ChannelAdapter {
  readonly channel: ChannelId;
  readonly accountId: string;
  /** Longest text one message may carry (Telegram 4096); longer replies are split. */
  readonly textLimit: number;
  /** Connects and starts delivering to `sink`. Resolves when started (or failed: see runtime()). */
  start(sink: InboundSink): Promise<void>;
  stop(): Promise<void>;
  probe(timeoutMs: number): Promise<ProbeResult>;
  audit?(probe: ProbeResult, timeoutMs: number): Promise<AuditResult>;
  send(msg: OutboundText): Promise<SendResult>;
  /** Shows "typing…" in the chat (best effort, never throws). */
  typing?(chatId: string, threadId?: string): Promise<void>;
  /**
   * Ends the account's session for good (WhatsApp: unlink the device, move the session aside),
   * stopping the listener first. Channels whose credential is a token have none (upstream neither).
   */
  logout?(): Promise<LogoutOutcome>;
  runtime(): AdapterRuntime;
}

/** What `channels.logout` answers (upstream's keys: `cleared`, `loggedOut`), plus channel details. */
export interface LogoutOutcome {
  /** Saved credentials were removed from where the gateway reads them. */
  cleared: boolean;
  /** The service was told (the phone's Linked devices list drops this device). */
  loggedOut: boolean;
  [key: string]: unknown;
}

export type HealthState =
  | 'healthy'
  | 'unmanaged'
  | 'disabled'
  | 'not-configured'
  | 'terminal-disconnect'
  | 'ingress-unavailable'
  | 'blocked'
  | 'startup-connect-grace'
  | 'not-running'
  | 'busy'
  | 'stuck'
  | 'reconnect-grace'
  | 'probe-failed'
  | 'outbound-stuck';

/** Health states that turn `channels status` and `openclaw health` red. */
export const UNHEALTHY_STATES: ReadonlySet<HealthState> = new Set(['terminal-disconnect', 'ingress-unavailable', 'blocked', 'not-running', 'stuck', 'probe-failed', 'outbound-stuck']);

/** One account in RPC `channels.status` (`channelAccounts.<id>[]`); upstream's field names. */
export interface ChannelAccountSnapshot {
  accountId: string;
  name?: string;
  enabled: boolean;
  configured: boolean;
  linked?: boolean;
  stateReason?: string;
  lastError?: string | null;
  running: boolean;
  connected: boolean;
  lastInboundAt?: number | null;
  lastOutboundAt?: number | null;
  lastTransportActivityAt?: number | null;
  mode?: string;
  bot?: { id?: string; username?: string };
  dmPolicy?: DmPolicy;
  allowFrom?: string[];
  /** Telegram: where the token came from (`config`, `env`, `tokenFile`, `none`). */
  tokenSource?: string;
  allowUnmentionedGroups?: boolean;
  healthState: HealthState;
  probe?: ProbeResult;
  audit?: AuditResult;
  lastProbeAt?: number | null;
  /** Outbound queue: messages waiting, and the age of the oldest (ms). */
  outbound?: { pending: number; oldestAgeMs: number | null; failed: number };
  pendingPairing?: number;
}

export interface ChannelStatusIssue {
  channel: ChannelId;
  accountId: string;
  kind: string;
  message: string;
  fix?: string;
}

/** RPC `channels.status` result (upstream's payload shape, the fields we fill). */
export interface ChannelsStatusPayload {
  ts: number;
  channelOrder: ChannelId[];
  channelLabels: Record<string, string>;
  channelDetailLabels?: Record<string, string>;
  channels: Record<string, { configured: boolean; running: boolean; healthy: boolean }>;
  channelAccounts: Record<string, ChannelAccountSnapshot[]>;
  channelDefaultAccountId: Record<string, string>;
  statusIssues: ChannelStatusIssue[];
  partial?: boolean;
  warnings?: string[];
}

/** How one outbound text ended (RPC `send`, `pairing approve --notify`, heartbeat delivery). */
export interface DeliveryOutcome {
  ok: boolean;
  /** Native message ids, when sent. */
  messageIds?: string[];
  /** Still queued (the wait ran out before the channel answered); it will be retried. */
  queued?: boolean;
  error?: string;
  fix?: string;
}

export interface SendTextRequest {
  channel: ChannelId;
  /** Default: the channel's default account. */
  accountId?: string;
  /** Chat / user id to deliver to. */
  to: string;
  text: string;
  threadId?: string;
}

/**
 * What the running channel layer offers the rest of the gateway (RPC methods, heartbeat,
 * pairing notifications). Implemented by manager.ts.
 */
export interface ChannelService {
  /** Sends through the durable outbound queue and waits up to `timeoutMs` for the outcome. */
  sendText(req: SendTextRequest, timeoutMs?: number): Promise<DeliveryOutcome>;
  status(opts: { channel?: ChannelId; probe?: boolean; timeoutMs?: number }): Promise<ChannelsStatusPayload>;
  /** True when an adapter for this account is running (it can deliver now). */
  isRunning(channel: ChannelId, accountId?: string): boolean;
}
