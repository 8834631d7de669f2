// A Telegram Update → the facts the shared channel layer decides on. Pure: no policy, no I/O.
// Only new `message` updates from people that carry text (or a caption) are facts; edits,
// channel posts, bot messages and service messages are not.
import type { Message, MessageEntity, Update } from 'grammy/types';
import type { ImplicitMentionKind, InboundFacts } from '../types.js';

export interface BotIdentity {
  id?: number;
  /** Without the `@`. Unknown → mentions cannot be detected (`canDetectMention: false`). */
  username?: string;
}

const eq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether the message names the bot explicitly: an `@bot` mention or a text_mention of the bot user. */
function mentionsBot(text: string, entities: MessageEntity[] | undefined, bot: BotIdentity): boolean {
  if (entities) {
    return entities.some((e) => {
      if (e.type === 'mention') return !!bot.username && eq(text.slice(e.offset, e.offset + e.length), `@${bot.username}`);
      if (e.type === 'text_mention') return bot.id !== undefined && e.user.id === bot.id;
      return false;
    });
  }
  // Telegram always sends entities for mentions; this is for hand-built updates without any.
  return !!bot.username && new RegExp(`(^|[^\\w@])@${escapeRe(bot.username)}(?![\\w])`, 'i').test(text);
}

/** The leading `/command[@bot]`: whether it is ours, and the text with `@bot` dropped from it. */
function leadingCommand(text: string, entities: MessageEntity[] | undefined, bot: BotIdentity): { ours: boolean; addressed: boolean; text: string } | undefined {
  const e = entities?.find((x) => x.type === 'bot_command' && x.offset === 0);
  if (!e) return undefined;
  const cmd = text.slice(0, e.length);
  const at = cmd.indexOf('@');
  if (at < 0) return { ours: true, addressed: false, text };
  const target = cmd.slice(at + 1);
  // `/new@otherbot` is for another bot in the group.
  if (!bot.username || !eq(target, bot.username)) return { ours: false, addressed: false, text };
  return { ours: true, addressed: true, text: cmd.slice(0, at) + text.slice(e.length) };
}

/** Drops a leading `@bot` (and the separator after it) so the agent sees the request itself. */
function stripLeadingMention(text: string, bot: BotIdentity): string {
  if (!bot.username) return text;
  const m = new RegExp(`^@${escapeRe(bot.username)}(?![\\w])[\\s,:]*`, 'i').exec(text);
  if (!m) return text;
  const rest = text.slice(m[0].length);
  return rest === '' ? text : rest;
}

function implicitMention(msg: Message, bot: BotIdentity): ImplicitMentionKind | undefined {
  const reply = msg.reply_to_message;
  if (!reply || bot.id === undefined || reply.from?.id !== bot.id) return undefined;
  // In a forum topic every message "replies" to the topic's creation message; that is not a reply to us.
  if (reply.forum_topic_created || (msg.is_topic_message && reply.message_id === msg.message_thread_id)) return undefined;
  return 'reply_to_bot';
}

function senderOf(msg: Message): { label?: string; meta?: Record<string, string> } {
  const from = msg.from!;
  const meta: Record<string, string> = {};
  if (from.username) meta.username = from.username;
  if (from.first_name) meta.firstName = from.first_name;
  if (from.last_name) meta.lastName = from.last_name;
  const label = from.username ? `@${from.username}` : from.first_name || undefined;
  return { label, meta: Object.keys(meta).length ? meta : undefined };
}

export function updateToFacts(update: Update, ctx: { accountId: string; bot: BotIdentity }): InboundFacts | null {
  const msg = update.message;
  if (!msg || !msg.from || msg.from.is_bot) return null;
  const rawText = msg.text ?? msg.caption;
  if (rawText === undefined || rawText === '') return null;
  const entities = msg.text !== undefined ? msg.entities : msg.caption_entities;
  const type = msg.chat.type;
  if (type !== 'private' && type !== 'group' && type !== 'supergroup') return null;
  const { bot } = ctx;

  const command = leadingCommand(rawText, entities, bot);
  const wasMentioned = mentionsBot(rawText, entities, bot) || !!command?.addressed;
  const text = command?.addressed ? command.text : stripLeadingMention(rawText, bot);
  const implicit = implicitMention(msg, bot);
  const sender = senderOf(msg);
  const isGroup = type !== 'private';
  const threadId = isGroup && msg.is_topic_message && msg.message_thread_id !== undefined ? String(msg.message_thread_id) : undefined;

  const facts: InboundFacts = {
    channel: 'telegram',
    accountId: ctx.accountId,
    messageId: String(update.update_id),
    nativeMessageId: String(msg.message_id),
    senderId: String(msg.from.id),
    chatType: isGroup ? 'group' : 'dm',
    chatId: String(msg.chat.id),
    text,
    wasMentioned,
    canDetectMention: !!bot.username,
    sentAt: msg.date * 1000,
  };
  if (sender.label) facts.senderLabel = sender.label;
  if (sender.meta) facts.senderMeta = sender.meta;
  if (isGroup) facts.groupId = String(msg.chat.id);
  if (threadId) facts.threadId = threadId;
  if (implicit) facts.implicitMention = implicit;
  if (command?.ours) facts.isCommand = true;
  return facts;
}
