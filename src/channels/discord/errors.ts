// Discord REST / Gateway failures → one shape (status, Discord error code, retry hint), the token
// scrubbed out of every text, the terminal Gateway close codes with their fixes, and the mapping
// of send failures onto ChannelSendError (retryable or not, with the fix).
import { ChannelSendError } from '../types.js';

/** Where a new bot token comes from (the old one stops working once reset). */
export const TOKEN_SOURCE = 'Developer Portal → Bot → Reset Token';
/** `openclaw channels add --channel discord [--account <id>] --token <token>`. */
export const tokenFix = (accountId = 'default'): string => `openclaw channels add --channel discord${accountId !== 'default' ? ` --account ${accountId}` : ''} --token <token>`;
export const TOKEN_FIX = `${tokenFix()} (or check channels.discord.token)`;
// A 4014-terminal adapter never reconnects by itself, and intents are read at start: hence the restart.
export const INTENT_FIX = 'enable Message Content Intent in the Developer Portal → Bot → Privileged Gateway Intents (or set channels.discord.intents.messageContent false), then: openclaw gateway restart';
/** The status issue while the application flags say `disabled` and this account asks for the intent. */
export const INTENT_DISABLED_MESSAGE = 'Discord Message Content intent is not enabled for this application: guild messages arrive without text.';
/** `intents:content=limited`: the Portal toggle, which Discord honours only for bots in fewer than 100 servers. */
export const INTENT_LIMITED_FIX = 'before the bot reaches 100 servers, verify the app and request the Message Content intent (Developer Portal → Bot → Privileged Gateway Intents → Message Content Intent), then: openclaw gateway restart';
/** Send failure 50007 (Cannot send messages to this user). */
export const DM_BLOCKED_FIX = 'The user does not accept DMs from this bot (they share no server with it, or disabled DMs): they must share a server with the bot and allow DMs from server members (server menu → Privacy Settings → Direct Messages), or message the bot first.';

export interface RestFailure {
  /** `api`: Discord answered with an error; `network`: no answer (refused, reset, timeout, aborted). */
  kind: 'api' | 'network' | 'ratelimit';
  status: number | null;
  /** Discord's JSON error code (50007…), when it sent one. */
  code?: number;
  description: string;
  retryAfterMs?: number;
  /** `403: Cannot send messages to this user (50007)` or the network message. */
  summary: string;
}

/** Bot tokens are three dot-separated base64url parts; the first encodes the bot id. */
const TOKEN_SHAPE = /[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}/g;

export function redactToken(text: string, token?: string): string {
  let out = text;
  if (token && token.length >= 8) out = out.split(token).join('<redacted>');
  return out.replace(TOKEN_SHAPE, '<redacted>').replace(/\bBot\s+(?!<redacted>)[A-Za-z0-9._-]{20,}/g, 'Bot <redacted>');
}

interface DiscordApiErrorLike {
  status: number;
  code: number | string;
  message: string;
  rawError?: { message?: string; code?: number };
}

const isApiError = (e: unknown): e is DiscordApiErrorLike => e instanceof Error && typeof (e as unknown as DiscordApiErrorLike).status === 'number' && 'rawError' in e;
const isHttpError = (e: unknown): e is Error & { status: number } => e instanceof Error && e.name === 'HTTPError' && typeof (e as { status?: unknown }).status === 'number';
const isRateLimit = (e: unknown): e is Error & { retryAfter: number; global: boolean } => e instanceof Error && typeof (e as { retryAfter?: unknown }).retryAfter === 'number' && 'timeToReset' in e;

function causeMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  const code = (err as NodeJS.ErrnoException).code ?? (cause as NodeJS.ErrnoException | undefined)?.code;
  const base = err.name === 'AbortError' ? 'request aborted (timeout or stop)' : err.message;
  const inner = cause instanceof Error && cause.message && !base.includes(cause.message) ? `: ${cause.message}` : '';
  return `${base}${inner}${code && !`${base}${inner}`.includes(code) ? ` (${code})` : ''}`;
}

export function classifyError(err: unknown, token?: string): RestFailure {
  if (isRateLimit(err)) {
    return { kind: 'ratelimit', status: 429, description: 'rate limited', retryAfterMs: Math.max(0, err.retryAfter), summary: `429: rate limited (retry after ${Math.ceil(err.retryAfter)} ms)` };
  }
  if (isApiError(err)) {
    const description = redactToken(err.rawError?.message ?? err.message, token);
    const code = typeof err.code === 'number' ? err.code : undefined;
    return { kind: 'api', status: err.status, ...(code !== undefined ? { code } : {}), description, summary: `${err.status}: ${description}${code ? ` (${code})` : ''}` };
  }
  if (isHttpError(err)) {
    const description = redactToken(err.message, token);
    return { kind: 'api', status: err.status, description, summary: `${err.status}: ${description}` };
  }
  const description = redactToken(causeMessage(err), token);
  return { kind: 'network', status: null, description, summary: description };
}

/** Gateway close codes after which reconnecting cannot help (Discord's docs: "do not reconnect"). */
export function terminalClose(code: number): { reason: string; fix: string } | undefined {
  switch (code) {
    case 4004:
      return { reason: 'Discord gateway closed with 4004 (authentication failed): the bot token was rejected', fix: TOKEN_FIX };
    case 4010:
      return { reason: 'Discord gateway closed with 4010 (invalid shard)', fix: 'restart the gateway; report it if it persists' };
    case 4011:
      return { reason: 'Discord gateway closed with 4011 (sharding required: the bot is in too many servers for one connection)', fix: 'sharding is not supported by this gateway yet' };
    case 4012:
      return { reason: 'Discord gateway closed with 4012 (invalid API version)', fix: 'check channels.discord.apiRoot (it must end in /api/v10)' };
    case 4013:
      return { reason: 'Discord gateway closed with 4013 (invalid intents)', fix: 'check channels.discord.intents' };
    case 4014:
      return { reason: 'Discord gateway closed with 4014 (disallowed intents): the Message Content intent (or another privileged intent) is not enabled for this bot', fix: INTENT_FIX };
    default:
      return undefined;
  }
}

/** The one-line fix for a permanent send failure, when there is an obvious one. */
function sendFix(f: RestFailure): string | undefined {
  if (f.status === 401) return TOKEN_FIX;
  if (f.code === 50007) return DM_BLOCKED_FIX;
  if (f.code === 10003 || f.status === 404) return 'Check the channel id (use user:<id> for a DM); the bot must be able to see the channel.';
  if (f.code === 50001 || f.code === 50013 || f.status === 403) return 'Give the bot View Channel and Send Messages in that channel (Server Settings → Roles / channel permissions).';
  if (f.code === 50035) return 'Discord rejected the message body (too long or malformed); check textChunkLimit (max 2000).';
  return undefined;
}

/** 429, 5xx and network failures are retried by the outbound queue; the rest need a fix. */
export function toSendError(f: RestFailure): ChannelSendError {
  if (f.kind === 'network') return new ChannelSendError(`Discord send failed: ${f.description}`, true);
  if (f.status === 429) return new ChannelSendError(f.summary, true, undefined, f.retryAfterMs ?? 1000);
  if (f.status !== null && f.status >= 500) return new ChannelSendError(f.summary, true);
  if (f.status === 401) return new ChannelSendError(`${f.summary}: the bot token was rejected`, false, TOKEN_FIX);
  return new ChannelSendError(f.summary, false, sendFix(f));
}
