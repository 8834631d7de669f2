// A Discord MESSAGE_CREATE → the facts the shared channel layer decides on. Pure: no policy, no I/O.
// Only new user messages with text are facts: our own messages, other bots (unless allowBots),
// system messages (joins, pins, boosts…) and content-less messages (attachments only, or the
// Message Content intent missing) are not.
import type { GatewayMessageCreateDispatchData } from 'discord-api-types/v10';
import type { ImplicitMentionKind, InboundFacts } from '../types.js';
import { discordApi } from './packages.js';

export interface DiscordBotIdentity {
  /** Unknown until READY → mentions cannot be detected (`canDetectMention: false`). */
  id?: string;
  username?: string;
}

export interface DiscordFactsContext {
  accountId: string;
  bot: DiscordBotIdentity;
  /** channels.discord.allowBots: true admits bot authors, 'mentions' only when they mention us. */
  allowBots?: boolean | 'mentions';
  /** The bot's own managed role per guild (roles whose tags.bot_id is the bot): a ping of it is a ping of the bot. */
  botRoleIds?: ReadonlySet<string>;
}

/** The bot's managed role ids in a GUILD_CREATE's role list. */
export function managedRoleIds(roles: ReadonlyArray<{ id: string; tags?: { bot_id?: string } }> | undefined, botId: string | undefined): string[] {
  if (!botId || !roles) return [];
  return roles.filter((r) => r.tags?.bot_id === botId).map((r) => r.id);
}

/** Message types people write (everything else is a system message). */
const USER_TYPES: ReadonlySet<number> = new Set([discordApi.MessageType.Default, discordApi.MessageType.Reply, discordApi.MessageType.ChatInputCommand, discordApi.MessageType.ContextMenuCommand]);

const mentionRe = (id: string) => new RegExp(`<@!?${id}>`);

function mentionsBot(msg: GatewayMessageCreateDispatchData, botId: string | undefined, botRoles?: ReadonlySet<string>): boolean {
  if (!botId) return false;
  if (msg.mentions?.some((u) => u.id === botId)) return true;
  if (botRoles && msg.mention_roles?.some((r) => botRoles.has(r))) return true;
  return mentionRe(botId).test(msg.content);
}

/** Drops a leading `<@bot>` (and the separator after it) so the agent sees the request itself. */
export function stripLeadingMention(text: string, botId: string | undefined): string {
  if (!botId) return text;
  const m = new RegExp(`^\\s*<@!?${botId}>[\\s,:]*`).exec(text);
  if (!m) return text;
  const rest = text.slice(m[0].length);
  return rest === '' ? text : rest;
}

function implicitMention(msg: GatewayMessageCreateDispatchData, botId: string | undefined): ImplicitMentionKind | undefined {
  if (!botId) return undefined;
  return msg.referenced_message?.author?.id === botId ? 'reply_to_bot' : undefined;
}

/**
 * Addressed to another identity (upstream's `ignoreOtherMentions` facts): a user other than the bot
 * and the author, or a role, is mentioned (@everyone / @here are neither), or the message replies
 * to another bot that is not a webhook. Discord lists a pinged reply's author in `mentions`.
 */
function addressedToOthers(msg: GatewayMessageCreateDispatchData, botId: string, botRoles?: ReadonlySet<string>): boolean {
  if (msg.mentions?.some((u) => u.id !== botId && u.id !== msg.author.id)) return true;
  if (msg.mention_roles?.some((r) => !botRoles?.has(r))) return true;
  const ref = msg.referenced_message;
  return !!ref?.author?.bot && ref.author.id !== botId && !ref.webhook_id;
}

export function messageToFacts(msg: GatewayMessageCreateDispatchData, ctx: DiscordFactsContext): InboundFacts | null {
  const { bot } = ctx;
  if (!msg.author || (bot.id && msg.author.id === bot.id)) return null;
  if (msg.webhook_id) return null; // webhook posts (and our own webhook echoes) are not people
  if (!USER_TYPES.has(msg.type)) return null;
  const rawText = msg.content ?? '';
  if (rawText.trim() === '') return null;
  const wasMentioned = mentionsBot(msg, bot.id, ctx.botRoleIds);
  if (msg.author.bot) {
    const allow = ctx.allowBots ?? false;
    if (allow === false || (allow === 'mentions' && !wasMentioned)) return null;
  }

  const isGuild = !!msg.guild_id;
  const text = stripLeadingMention(rawText, bot.id);
  const implicit = implicitMention(msg, bot.id);
  const meta: Record<string, string> = { username: msg.author.username };
  if (msg.author.global_name) meta.globalName = msg.author.global_name;
  const sentAt = Date.parse(msg.timestamp);

  const facts: InboundFacts = {
    channel: 'discord',
    accountId: ctx.accountId,
    // Snowflakes are unique per platform and the same on a resumed replay: the dedupe key.
    messageId: msg.id,
    nativeMessageId: msg.id,
    senderId: msg.author.id,
    senderLabel: `@${msg.author.username}`,
    senderMeta: meta,
    chatType: isGuild ? 'group' : 'dm',
    chatId: msg.channel_id,
    text,
    wasMentioned,
    canDetectMention: !!bot.id,
    sentAt: Number.isFinite(sentAt) ? sentAt : Date.now(),
  };
  if (isGuild) {
    facts.groupId = msg.guild_id!;
    facts.threadId = msg.channel_id;
    facts.senderRoles = msg.member?.roles ?? [];
    if (bot.id && addressedToOthers(msg, bot.id, ctx.botRoleIds)) facts.addressedToOthers = true;
  }
  if (bot.id) facts.botId = bot.id;
  if (implicit) facts.implicitMention = implicit;
  if (/^\/[A-Za-z]/.test(text)) facts.isCommand = true;
  return facts;
}
