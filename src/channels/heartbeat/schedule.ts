// Heartbeat rules with no I/O: cadence strings (`30m`, `1h30m`, `0m` = off), where a heartbeat goes
// (`agents.defaults.heartbeat.target/to/accountId`, the owner from `commands.ownerAllowFrom`), and
// whether a reply is "no news" (NO_REPLY, or the legacy HEARTBEAT_OK acknowledgment) and stays quiet.
import { z } from 'zod';
import { CHANNEL_IDS, type ChannelId } from '../types.js';

/** Cadence `enable` writes when none is configured, and the cadence of an unset `every`. */
export const DEFAULT_HEARTBEAT_EVERY = '30m';

/**
 * The user message of every heartbeat turn (sent verbatim; `agents.defaults.heartbeat.prompt`
 * replaces it). Upstream's default refers to its automations scheduler and monitor scratch, which
 * this gateway does not have, so ours keeps only the contract: reply NO_REPLY when nothing is new.
 */
export const DEFAULT_HEARTBEAT_PROMPT =
  'This is a scheduled heartbeat check. If something needs the user\'s attention now, reply with only that message. Do not bring up old tasks from earlier chats. If nothing needs attention, reply NO_REPLY.';

/** A reply that is exactly this (trimmed) is never delivered. */
export const NO_REPLY_TOKEN = 'NO_REPLY';
/** Legacy acknowledgment: at the start or end of a reply whose rest is short, the reply is dropped. */
export const HEARTBEAT_OK_TOKEN = 'HEARTBEAT_OK';
/** Upstream's fixed budget: what remains beside HEARTBEAT_OK may be this long and still be dropped. */
export const ACK_MAX_REMAINDER = 300;

/** Longest delay Node timers take; longer cadences are armed in steps. */
export const MAX_TIMER_MS = 2_147_483_647;

/** `agents.defaults.heartbeat` as the gateway reads it (upstream's other keys are carried along). */
export interface HeartbeatConfig {
  every?: string;
  /** `owner` (default), `last`, `none`, or a channel id (`telegram`) with `to`. */
  target?: string;
  /** Recipient when `target` is a channel: a chat id (Telegram `123`, `123:topic:42`). */
  to?: string | number;
  accountId?: string;
  prompt?: string;
  timeoutSeconds?: number;
  [key: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// Durations

export class DurationError extends Error {
  constructor(
    readonly input: string,
    readonly problem: string,
  ) {
    super(`invalid duration ${JSON.stringify(input)}: ${problem}; use a number with a unit: 45s, 30m, 1h, 1h30m (0m disables)`);
    this.name = 'DurationError';
  }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/y;

/**
 * `30m`, `1h`, `90s`, `1h30m`, `1.5h`, `0m` → milliseconds (0 = disabled). A bare number is
 * minutes (upstream's default unit). Throws DurationError with the accepted forms.
 */
export function parseDuration(input: string | number): number {
  const text = String(input).trim().toLowerCase();
  if (text === '') throw new DurationError(String(input), 'it is empty');
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.round(Number(text) * UNIT_MS.m);
  if (text.startsWith('-')) throw new DurationError(String(input), 'it is negative');
  let total = 0;
  let at = 0;
  const seen = new Set<string>();
  const compact = text.replace(/\s+/g, '');
  while (at < compact.length) {
    PART.lastIndex = at;
    const m = PART.exec(compact);
    if (!m) {
      const rest = compact.slice(at);
      const bad = /^\d+(?:\.\d+)?([a-z]*)/.exec(rest);
      if (bad && bad[1] === '') throw new DurationError(String(input), `"${rest}" has no unit`);
      if (bad) throw new DurationError(String(input), `unknown unit "${bad[1]}"`);
      throw new DurationError(String(input), `cannot read "${rest}"`);
    }
    if (seen.has(m[2])) throw new DurationError(String(input), `the unit "${m[2]}" appears twice`);
    seen.add(m[2]);
    total += Number(m[1]) * UNIT_MS[m[2]];
    at = PART.lastIndex;
  }
  if (!Number.isFinite(total)) throw new DurationError(String(input), 'it is too large');
  const ms = Math.round(total);
  if (total > 0 && ms < 1000) throw new DurationError(String(input), 'the shortest heartbeat interval is 1s');
  return ms;
}

/** 5_400_000 → `1h30m`; 0 → `0m`. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0m';
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [unit, size] of [['d', UNIT_MS.d], ['h', UNIT_MS.h], ['m', UNIT_MS.m], ['s', UNIT_MS.s]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------
// Cadence

export type Cadence =
  | { enabled: true; every: string; everyMs: number; source: 'config' | 'default' }
  | { enabled: false; every: string | null; reason: 'disabled' | 'invalid'; error?: string; fix?: string };

/** What `every` says: on at N ms (unset = the 30m default), off (`0m`), or unreadable. */
export function resolveCadence(hb: HeartbeatConfig | undefined): Cadence {
  const raw = hb?.every;
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
    return { enabled: true, every: DEFAULT_HEARTBEAT_EVERY, everyMs: parseDuration(DEFAULT_HEARTBEAT_EVERY), source: 'default' };
  }
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    return { enabled: false, every: null, reason: 'invalid', error: 'agents.defaults.heartbeat.every must be a duration string such as "30m"', fix: `openclaw system heartbeat enable --every ${DEFAULT_HEARTBEAT_EVERY}` };
  }
  try {
    const everyMs = parseDuration(raw);
    if (everyMs === 0) return { enabled: false, every: String(raw), reason: 'disabled' };
    return { enabled: true, every: String(raw), everyMs, source: 'config' };
  } catch (err) {
    return { enabled: false, every: String(raw), reason: 'invalid', error: `agents.defaults.heartbeat.every: ${(err as Error).message}`, fix: `openclaw system heartbeat enable --every ${DEFAULT_HEARTBEAT_EVERY}` };
  }
}

/** The prompt of a heartbeat turn: the configured one, else the default. */
export function resolvePrompt(hb: HeartbeatConfig | undefined): string {
  return typeof hb?.prompt === 'string' && hb.prompt.trim() !== '' ? hb.prompt : DEFAULT_HEARTBEAT_PROMPT;
}

/**
 * How long one heartbeat turn may take: `timeoutSeconds`, else the cadence capped at 10 minutes
 * (upstream), but never under a minute so a short test cadence still lets a real model answer.
 */
export function turnTimeoutMs(hb: HeartbeatConfig | undefined, everyMs: number): number {
  const t = hb?.timeoutSeconds;
  if (typeof t === 'number' && Number.isFinite(t) && t > 0) return Math.round(t * 1000);
  return Math.min(600_000, Math.max(60_000, everyMs));
}

/**
 * When the next run is due: one interval after the last run started when that is still ahead
 * (a restart keeps the cadence), else one interval from now (no burst after downtime).
 */
export function nextRunAt(now: number, lastStartedAt: number | undefined, everyMs: number): number {
  if (lastStartedAt !== undefined && lastStartedAt <= now && lastStartedAt + everyMs > now) return lastStartedAt + everyMs;
  return now + everyMs;
}

// ---------------------------------------------------------------------------------------------
// Targets

export interface HeartbeatRoute {
  channel: ChannelId;
  to: string;
  accountId?: string;
  threadId?: string;
  /** How it was chosen: the owner, an explicit channel target, or the last conversation. */
  source: 'owner' | 'explicit' | 'last';
}

export type NoRouteReason = 'no-route' | 'target-none' | 'invalid-target';

export interface NoRoute {
  none: NoRouteReason;
  message: string;
  fix?: string;
}

export type TargetResolution = HeartbeatRoute | NoRoute;

export const isRoute = (t: TargetResolution): t is HeartbeatRoute => !('none' in t);

const OWNER_FIX = `openclaw system heartbeat enable --target telegram:<your user id>  (or: openclaw config set commands.ownerAllowFrom '["telegram:<your user id>"]')`;

function asChannel(text: string): ChannelId | undefined {
  const id = text.trim().toLowerCase();
  return (CHANNEL_IDS as readonly string[]).includes(id) ? (id as ChannelId) : undefined;
}

/** `123:topic:42` → chat 123, thread 42 (upstream's Telegram topic form). */
function splitRecipient(to: string): { to: string; threadId?: string } {
  const m = /^(.+):topic:(\d+)$/.exec(to);
  return m ? { to: m[1], threadId: m[2] } : { to };
}

/** A direct-message id of one person (never a group: Telegram groups are negative ids). */
function isDirectId(channel: ChannelId, id: string): boolean {
  if (id === '' || id === '*' || id.startsWith('-') || /group|channel|room/i.test(id)) return false;
  if (channel === 'telegram') return /^\d+$/.test(id);
  return true;
}

/** The owner's DM from `commands.ownerAllowFrom`: the first concrete `<channel>:<user id>` entry. */
export function resolveOwner(ownerAllowFrom: ReadonlyArray<string | number> | undefined): { channel: ChannelId; to: string } | undefined {
  for (const entry of ownerAllowFrom ?? []) {
    if (typeof entry !== 'string') continue;
    const at = entry.indexOf(':');
    if (at <= 0) continue;
    const channel = asChannel(entry.slice(0, at));
    const id = entry.slice(at + 1).trim();
    if (channel && isDirectId(channel, id)) return { channel, to: id };
  }
  return undefined;
}

export interface TargetInputs {
  heartbeat?: HeartbeatConfig;
  ownerAllowFrom?: ReadonlyArray<string | number>;
  /** The most recent external conversation, for `target: "last"`. */
  lastRoute?: { channel: ChannelId; to: string; accountId?: string; threadId?: string };
}

/** Where a heartbeat reply goes, or why it goes nowhere (with the fix). */
export function resolveTarget(i: TargetInputs): TargetResolution {
  const hb = i.heartbeat ?? {};
  const accountId = typeof hb.accountId === 'string' && hb.accountId.trim() !== '' ? hb.accountId.trim() : undefined;
  const raw = typeof hb.target === 'string' ? hb.target.trim() : hb.target === undefined || hb.target === null ? '' : String(hb.target);
  const target = raw.toLowerCase();
  if (target === '' || target === 'owner') {
    const owner = resolveOwner(i.ownerAllowFrom);
    if (!owner) return { none: 'no-route', message: 'no owner to deliver heartbeats to: commands.ownerAllowFrom has no "<channel>:<user id>" entry', fix: OWNER_FIX };
    return { ...owner, ...(accountId ? { accountId } : {}), source: 'owner' };
  }
  if (target === 'none') return { none: 'target-none', message: 'heartbeat target is "none": runs stay internal, nothing is delivered', fix: 'openclaw system heartbeat enable --target owner' };
  if (target === 'last') {
    const last = i.lastRoute;
    if (!last) return { none: 'no-route', message: 'heartbeat target is "last" but there is no recent conversation to follow yet', fix: 'openclaw system heartbeat enable --target telegram:<chat id>' };
    return { ...last, ...(accountId ? { accountId } : {}), source: 'last' };
  }
  if (raw.includes(':')) {
    const [channel, ...rest] = raw.split(':');
    return {
      none: 'invalid-target',
      message: `heartbeat target "${raw}" combines a channel and a recipient; target takes the channel and "to" the recipient`,
      fix: `openclaw system heartbeat enable --target ${channel.toLowerCase()}:${rest.join(':')}`,
    };
  }
  const channel = asChannel(target);
  if (!channel) return { none: 'invalid-target', message: `heartbeat target "${raw}" is not owner, last, none or a channel (${CHANNEL_IDS.join(', ')})`, fix: 'openclaw system heartbeat enable --target telegram:<chat id>' };
  const to = hb.to === undefined || hb.to === null ? '' : String(hb.to).trim();
  if (to === '') return { none: 'no-route', message: `heartbeat target is ${channel} but agents.defaults.heartbeat.to names no recipient`, fix: `openclaw system heartbeat enable --target ${channel}:<chat id>` };
  return { channel, ...splitRecipient(to), ...(accountId ? { accountId } : {}), source: 'explicit' };
}

/** `--target` of the CLI: `owner|last|none`, a channel, or `<channel>:<recipient>` → config keys. */
export function parseTargetFlag(value: string): { target: string; to?: string } {
  const v = value.trim();
  const lower = v.toLowerCase();
  if (lower === 'owner' || lower === 'last' || lower === 'none') return { target: lower };
  const at = v.indexOf(':');
  const channel = asChannel(at < 0 ? v : v.slice(0, at));
  if (!channel) throw new Error(`--target "${value}" is not owner, last, none or <channel>:<recipient> (channels: ${CHANNEL_IDS.join(', ')})`);
  if (at < 0) return { target: channel };
  const to = v.slice(at + 1).trim();
  if (to === '') throw new Error(`--target "${value}" names no recipient after "${channel}:"`);
  return { target: channel, to };
}

/** One line naming a resolution: `telegram 123 (owner)`, `none: <why>`. */
export function describeTarget(t: TargetResolution): string {
  if (!isRoute(t)) return `none (${t.message})`;
  const where = `${t.channel} ${t.to}${t.threadId ? ` topic ${t.threadId}` : ''}${t.accountId ? ` via account ${t.accountId}` : ''}`;
  return `${where} (${t.source === 'explicit' ? 'configured target' : t.source === 'owner' ? 'owner from commands.ownerAllowFrom' : 'last conversation'})`;
}

// ---------------------------------------------------------------------------------------------
// Replies

export type ReplyVerdict = { silent: true; why: 'no-reply' | 'heartbeat-ok' | 'empty' } | { silent: false; text: string };

// The token, optionally in light markdown (**HEARTBEAT_OK**, `HEARTBEAT_OK`) with end punctuation.
const ACK_AT_START = /^[*_`~]*HEARTBEAT_OK[*_`~]*(?![A-Za-z0-9])[.!:,;-]?/;
const ACK_AT_END = /(?<![A-Za-z0-9])[*_`~]*HEARTBEAT_OK[*_`~]*[.!]?$/;

/**
 * "No news" replies stay quiet: exactly NO_REPLY, an empty reply, or HEARTBEAT_OK at the start or
 * end with at most 300 characters beside it. Anything else is delivered (without the token).
 */
export function classifyReply(text: string): ReplyVerdict {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') return { silent: true, why: 'empty' };
  if (trimmed === NO_REPLY_TOKEN) return { silent: true, why: 'no-reply' };
  let rest = trimmed;
  let acked = false;
  const start = ACK_AT_START.exec(rest);
  if (start) {
    rest = rest.slice(start[0].length).trim();
    acked = true;
  }
  const end = ACK_AT_END.exec(rest);
  if (end) {
    rest = rest.slice(0, end.index).trim();
    acked = true;
  }
  if (!acked) return { silent: false, text: trimmed };
  if (rest.length <= ACK_MAX_REMAINDER) return { silent: true, why: 'heartbeat-ok' };
  return { silent: false, text: rest };
}

export const isNoNews = (text: string): boolean => classifyReply(text).silent;

/** The first line of a reply, shortened, for status output. */
export function previewOf(text: string, max = 120): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

// ---------------------------------------------------------------------------------------------
// Schema

const durationString = z.union([z.string(), z.number()]).superRefine((v, ctx) => {
  try {
    parseDuration(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

/**
 * `agents.defaults.heartbeat` for the config schema: the keys this gateway acts on typed, the rest
 * of upstream's keys (model, activeHours, lightContext…) accepted as written.
 */
export const heartbeatConfigSchema = z.looseObject({
  every: durationString.optional(),
  target: z.string().optional(),
  to: z.union([z.string(), z.number()]).optional(),
  accountId: z.string().optional(),
  prompt: z.string().optional(),
  timeoutSeconds: z.number().positive().optional(),
});
