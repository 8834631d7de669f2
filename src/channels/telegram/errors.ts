// Bot API failures → one shape (status, description, retry hint), the token scrubbed out of every
// message (grammY's network errors carry the request URL, which contains the token), and the
// mapping of send failures onto ChannelSendError (retryable or not, with the fix).
import { ChannelSendError } from '../types.js';

export const TOKEN_FIX = 'openclaw channels add --channel telegram --token <token> (or check channels.telegram.botToken)';

export interface ApiFailure {
  /** `api`: Telegram answered with an error; `network`: no answer (refused, reset, timeout). */
  kind: 'api' | 'network';
  /** Bot API error_code; null for network failures. */
  status: number | null;
  description: string;
  retryAfterMs?: number;
  migrateToChatId?: number;
  /** `409: Conflict: …` (upstream's lastError style) or the network message. */
  summary: string;
}

/** Removes bot tokens: `bot<id>:<secret>` in URLs, and the literal token wherever it appears. */
export function redactToken(text: string, token?: string): string {
  let out = text.replace(/bot\d+:[A-Za-z0-9_-]+/g, 'bot<redacted>');
  if (token && token.length >= 8) out = out.split(token).join('<redacted>');
  return out;
}

interface GrammyLike {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

const isApiError = (e: unknown): e is GrammyLike =>
  typeof e === 'object' && e !== null && typeof (e as GrammyLike).error_code === 'number' && typeof (e as GrammyLike).description === 'string';

function causeMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // grammY's HttpError keeps the underlying fetch error in `.error`.
  const inner = (err as { error?: unknown }).error;
  if (err.name === 'HttpError' && inner instanceof Error) {
    const code = (inner as NodeJS.ErrnoException).code;
    return `${err.message.replace(/!$/, '')}: ${inner.message}${code && !inner.message.includes(code) ? ` (${code})` : ''}`;
  }
  return err.message;
}

export function classifyError(err: unknown, token?: string): ApiFailure {
  if (isApiError(err)) {
    const description = redactToken(err.description, token);
    const retryAfter = err.parameters?.retry_after;
    return {
      kind: 'api',
      status: err.error_code,
      description,
      ...(typeof retryAfter === 'number' ? { retryAfterMs: retryAfter * 1000 } : {}),
      ...(typeof err.parameters?.migrate_to_chat_id === 'number' ? { migrateToChatId: err.parameters.migrate_to_chat_id } : {}),
      summary: `${err.error_code}: ${description}`,
    };
  }
  const description = redactToken(causeMessage(err), token);
  return { kind: 'network', status: null, description, summary: description };
}

/** The one-line fix for a permanent send failure, when there is an obvious one. */
function sendFix(f: ApiFailure): string | undefined {
  const d = f.description.toLowerCase();
  if (f.status === 401 || f.status === 404) return TOKEN_FIX;
  if (f.migrateToChatId !== undefined) return `The group became a supergroup: use chat id ${f.migrateToChatId} (also in channels.telegram.groups).`;
  if (d.includes('blocked by the user')) return 'The user blocked the bot; they must unblock it (or send /start) before it can message them.';
  if (d.includes("can't initiate conversation")) return 'The user must open the bot in Telegram and press Start first.';
  if (d.includes('kicked') || d.includes('not a member')) return 'Add the bot back to the group (and allow it to post).';
  if (d.includes('chat not found')) return 'Check the chat id; a user must have started the bot, a group must contain it.';
  return undefined;
}

/** 429, 5xx and network failures are retried by the outbound queue; the rest need a fix. */
export function toSendError(f: ApiFailure): ChannelSendError {
  if (f.kind === 'network') return new ChannelSendError(`Telegram sendMessage failed: ${f.description}`, true);
  if (f.status === 429) return new ChannelSendError(f.summary, true, undefined, f.retryAfterMs ?? 1000);
  if (f.status !== null && f.status >= 500) return new ChannelSendError(f.summary, true);
  if (f.status === 401) return new ChannelSendError(`${f.summary}: the bot token was rejected`, false, TOKEN_FIX);
  return new ChannelSendError(f.summary, false, sendFix(f));
}
