// One `imsg rpc` watch notification (`method: "message"`, `params.message`) → the facts the shared
// channel layer decides on. Pure: no policy, no I/O. Our own messages (`is_from_me`), tapbacks and
// messages without text are not facts. iMessage has no mention entities, so `canDetectMention` is
// false and only messages.groupChat.mentionPatterns can gate groups.
import { parseControlCommand } from '../control-commands.js';
import type { InboundFacts } from '../types.js';

/** The fields of imsg's Message object this gateway reads (imsg docs/rpc.md, "Objects"). */
export interface ImsgMessage {
  /** chat.db rowid: increases with every row; the watch cursor (`since_rowid`). */
  id?: number;
  chat_id?: number;
  guid?: string;
  reply_to_guid?: string;
  sender?: string;
  sender_name?: string;
  is_from_me?: boolean;
  text?: string | null;
  created_at?: string;
  chat_identifier?: string;
  chat_guid?: string;
  chat_name?: string;
  participants?: string[];
  is_group?: boolean;
  is_reaction?: boolean;
  attachments?: unknown[];
}

/**
 * A handle as allowlists and pairing store it: `imessage:`/`imsg:` prefixes dropped, emails
 * lower-cased, phone numbers without spaces, dashes, dots or parentheses (`+1 (555) 010-9999` →
 * `+15550109999`).
 */
export function normalizeHandle(raw: string | number): string {
  let s = String(raw).trim();
  for (const p of ['imessage:', 'imsg:', 'sms:']) if (s.toLowerCase().startsWith(p)) s = s.slice(p.length).trim();
  if (s.includes('@')) return s.toLowerCase();
  if (/^\+?[\d\s().-]+$/.test(s) && /\d/.test(s)) return s.replace(/[\s().-]/g, '');
  return s;
}

/** A group chat: imsg says so, or the chat guid has the group marker (`iMessage;+;chat…`). */
function isGroupMessage(m: ImsgMessage): boolean {
  if (typeof m.is_group === 'boolean') return m.is_group;
  return typeof m.chat_guid === 'string' && m.chat_guid.includes(';+;');
}

/** Where a reply goes: `chat_id:<n>` (imsg's preferred routing id), else the chat guid, else the handle. */
export function replyTarget(m: ImsgMessage, senderId: string): string | undefined {
  if (typeof m.chat_id === 'number' && Number.isFinite(m.chat_id)) return `chat_id:${m.chat_id}`;
  if (m.chat_guid) return `chat_guid:${m.chat_guid}`;
  if (m.chat_identifier && isGroupMessage(m)) return `chat_identifier:${m.chat_identifier}`;
  return senderId || undefined;
}

export function messageToFacts(m: ImsgMessage | null | undefined, ctx: { accountId: string; now?: number }): InboundFacts | null {
  if (!m || typeof m !== 'object') return null;
  if (m.is_from_me) return null;
  if (m.is_reaction) return null;
  const text = typeof m.text === 'string' ? m.text : '';
  if (text.trim() === '') return null;
  const senderId = m.sender ? normalizeHandle(m.sender) : '';
  if (!senderId) return null;
  const chatId = replyTarget(m, senderId);
  if (!chatId) return null;
  const messageId = m.guid ? m.guid : typeof m.id === 'number' ? `rowid:${m.id}` : undefined;
  if (!messageId) return null; // without a stable id a redelivery could not be recognised
  const group = isGroupMessage(m);
  const parsed = m.created_at ? Date.parse(m.created_at) : NaN;
  const facts: InboundFacts = {
    channel: 'imessage',
    accountId: ctx.accountId,
    messageId,
    senderId,
    chatType: group ? 'group' : 'dm',
    chatId,
    text,
    wasMentioned: false,
    canDetectMention: false,
    sentAt: Number.isFinite(parsed) ? parsed : (ctx.now ?? Date.now()),
  };
  if (m.guid) facts.nativeMessageId = m.guid;
  if (m.sender_name) {
    facts.senderLabel = m.sender_name;
    facts.senderMeta = { name: m.sender_name };
  }
  if (group) facts.groupId = typeof m.chat_id === 'number' ? String(m.chat_id) : (m.chat_guid ?? m.chat_identifier ?? chatId);
  if (parseControlCommand(text)) facts.isCommand = true;
  return facts;
}

/** An outbound target → imsg `send` params: `chat_id:`, `chat_guid:`, `chat_identifier:` or a handle (`to`). */
export function sendParams(target: string, text: string, opts: { service?: string; region?: string } = {}): Record<string, unknown> {
  const t = target.trim();
  const m = /^(chat_id|chat_guid|chat_identifier):(.+)$/i.exec(t);
  if (m) {
    const kind = m[1].toLowerCase();
    const v = m[2].trim();
    if (kind === 'chat_id' && /^\d+$/.test(v)) return { chat_id: Number(v), text };
    if (kind !== 'chat_id') return { [kind]: v, text };
  }
  return { to: normalizeHandle(t), text, ...(opts.service ? { service: opts.service } : {}), ...(opts.region ? { region: opts.region } : {}) };
}

/**
 * Messages shows text as written: Markdown code fences (the pairing reply has two) would arrive as
 * literal ``` lines. The fence lines are dropped; the code inside stays as it is.
 */
export function renderIMessageText(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s*```[\w+-]*\s*$/.test(line))
    .join('\n');
}
