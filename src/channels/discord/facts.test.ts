// MESSAGE_CREATE → InboundFacts, case by case (pure; no sockets).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GatewayMessageCreateDispatchData } from 'discord-api-types/v10';
import { managedRoleIds, messageToFacts, stripLeadingMention } from './facts.js';

const BOT = { id: '900000000000000001', username: 'claw' };
const ctx = { accountId: 'default', bot: BOT };
const alice = { id: '100000000000000001', username: 'alice', global_name: 'Alice A', discriminator: '0', avatar: null };

function msg(extra: Partial<GatewayMessageCreateDispatchData> & Record<string, unknown> = {}): GatewayMessageCreateDispatchData {
  return {
    id: '555000000000000001',
    channel_id: '777000000000000001',
    author: alice,
    content: 'hello',
    timestamp: '2026-12-03T10:00:00.000Z',
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type: 0,
    ...extra,
  } as unknown as GatewayMessageCreateDispatchData;
}

test('a DM: chatId is the DM channel, no group fields, the message id is the dedupe key', () => {
  assert.deepEqual(messageToFacts(msg(), ctx), {
    channel: 'discord',
    accountId: 'default',
    messageId: '555000000000000001',
    nativeMessageId: '555000000000000001',
    senderId: alice.id,
    senderLabel: '@alice',
    senderMeta: { username: 'alice', globalName: 'Alice A' },
    chatType: 'dm',
    chatId: '777000000000000001',
    text: 'hello',
    wasMentioned: false,
    canDetectMention: true,
    sentAt: Date.parse('2026-12-03T10:00:00.000Z'),
    botId: BOT.id,
  });
});

test('a guild message: group = guild, thread = channel, member roles carried', () => {
  const f = messageToFacts(msg({ guild_id: '333', member: { roles: ['r1', 'r2'] } as never }), ctx)!;
  assert.equal(f.chatType, 'group');
  assert.equal(f.groupId, '333');
  assert.equal(f.threadId, '777000000000000001');
  assert.equal(f.chatId, '777000000000000001');
  assert.deepEqual(f.senderRoles, ['r1', 'r2']);
  assert.equal(f.wasMentioned, false);
});

test('mentions: the mentions array, <@id> and <@!id> in content; the leading mention is stripped', () => {
  const viaArray = messageToFacts(msg({ guild_id: '1', content: `<@${BOT.id}> what time is it?`, mentions: [{ ...alice, id: BOT.id, username: 'claw' }] }), ctx)!;
  assert.equal(viaArray.wasMentioned, true);
  assert.equal(viaArray.text, 'what time is it?');
  const bang = messageToFacts(msg({ guild_id: '1', content: `<@!${BOT.id}>, ping` }), ctx)!;
  assert.equal(bang.wasMentioned, true);
  assert.equal(bang.text, 'ping');
  const other = messageToFacts(msg({ guild_id: '1', content: '<@123> hi', mentions: [{ ...alice, id: '123' }] }), ctx)!;
  assert.equal(other.wasMentioned, false);
  assert.equal(other.text, '<@123> hi');
  assert.equal(stripLeadingMention(`<@${BOT.id}>`, BOT.id), `<@${BOT.id}>`, 'a bare mention keeps its text');
});

test('a reply to the bot is an implicit mention; a reply to someone else is not', () => {
  const toBot = messageToFacts(msg({ guild_id: '1', type: 19, referenced_message: { ...msg(), author: { ...alice, id: BOT.id } } as never }), ctx)!;
  assert.equal(toBot.implicitMention, 'reply_to_bot');
  const toAlice = messageToFacts(msg({ guild_id: '1', type: 19, referenced_message: msg() as never }), ctx)!;
  assert.equal(toAlice.implicitMention, undefined);
});

test('ignored: own messages, bots (unless allowBots), webhooks, system messages, empty content', () => {
  assert.equal(messageToFacts(msg({ author: { ...alice, id: BOT.id } }), ctx), null);
  const botAuthor = { ...alice, id: '42', bot: true };
  assert.equal(messageToFacts(msg({ author: botAuthor }), ctx), null);
  assert.ok(messageToFacts(msg({ author: botAuthor }), { ...ctx, allowBots: true }));
  assert.equal(messageToFacts(msg({ author: botAuthor, guild_id: '1' }), { ...ctx, allowBots: 'mentions' }), null);
  assert.ok(messageToFacts(msg({ author: botAuthor, guild_id: '1', content: `<@${BOT.id}> hi` }), { ...ctx, allowBots: 'mentions' }));
  assert.equal(messageToFacts(msg({ webhook_id: '9' }), ctx), null);
  assert.equal(messageToFacts(msg({ type: 7 }), ctx), null, 'member join');
  assert.equal(messageToFacts(msg({ content: '' }), ctx), null, 'attachments only, or no Message Content intent');
  assert.equal(messageToFacts(msg({ content: '   ' }), ctx), null);
});

test('without a bot id nothing can be detected; a leading /word is a command', () => {
  const f = messageToFacts(msg({ guild_id: '1', content: `<@${BOT.id}> hi` }), { accountId: 'default', bot: {} })!;
  assert.equal(f.canDetectMention, false);
  assert.equal(f.wasMentioned, false);
  assert.equal(f.botId, undefined);
  assert.equal(messageToFacts(msg({ content: '/new' }), ctx)!.isCommand, true);
  assert.equal(messageToFacts(msg({ guild_id: '1', content: `<@${BOT.id}> /reset now` }), ctx)!.isCommand, true);
  assert.equal(messageToFacts(msg({ content: '/ not a command' }), ctx)!.isCommand, undefined);
});

test('addressed to others (ignoreOtherMentions facts): other users or roles mentioned, or a reply to another bot; never @everyone, the bot or the author', () => {
  const guild = (extra: Partial<GatewayMessageCreateDispatchData> & Record<string, unknown>) => messageToFacts(msg({ guild_id: '1', ...extra }), ctx)!;
  const bob = { ...alice, id: '100000000000000002', username: 'bob' };
  assert.equal(guild({ content: '<@100000000000000002> look', mentions: [bob] }).addressedToOthers, true, 'another user');
  assert.equal(guild({ content: '<@&700> heads up', mention_roles: ['700'] }).addressedToOthers, true, 'a role');
  const otherBot = { ...msg(), author: { ...alice, id: '42', username: 'helper', bot: true } };
  assert.equal(guild({ type: 19, referenced_message: otherBot as never }).addressedToOthers, true, 'a reply to another bot');
  // not addressed to someone else
  assert.equal(guild({ content: 'hi all', mention_everyone: true }).addressedToOthers, undefined, '@everyone / @here');
  assert.equal(guild({ content: `<@${BOT.id}> hi`, mentions: [{ ...alice, id: BOT.id }] }).addressedToOthers, undefined, 'only the bot');
  assert.equal(guild({ content: `<@${alice.id}> me`, mentions: [alice] }).addressedToOthers, undefined, 'the author themself');
  assert.equal(guild({ type: 19, referenced_message: { ...otherBot, webhook_id: '9' } as never }).addressedToOthers, undefined, 'a reply to a webhook post');
  assert.equal(guild({ type: 19, referenced_message: msg({ author: bob }) as never }).addressedToOthers, undefined, 'an unpinged reply to a person');
  assert.equal(guild({ type: 19, referenced_message: { ...msg(), author: { ...alice, id: BOT.id, bot: true } } as never }).addressedToOthers, undefined, 'a reply to the bot');
  // the bot's own managed role (learned from GUILD_CREATE) addresses the bot, not someone else
  const withRole = messageToFacts(msg({ guild_id: '1', content: '<@&800> status?', mention_roles: ['800'] }), { ...ctx, botRoleIds: new Set(managedRoleIds([{ id: '800', tags: { bot_id: BOT.id } }, { id: '700' }], BOT.id)) })!;
  assert.deepEqual([withRole.wasMentioned, withRole.addressedToOthers], [true, undefined], 'the bot role');
  assert.deepEqual(managedRoleIds([{ id: '800', tags: { bot_id: '9' } }], BOT.id), [], 'another bot\'s managed role is not ours');
  // the bot and someone else: a fact; the policy lets the explicit bot mention win
  const both = guild({ content: `<@${BOT.id}> and <@${bob.id}>`, mentions: [{ ...alice, id: BOT.id }, bob] });
  assert.deepEqual([both.wasMentioned, both.addressedToOthers], [true, true]);
  // DMs and an unknown bot identity: never set
  assert.equal(messageToFacts(msg({ mentions: [bob] }), ctx)!.addressedToOthers, undefined, 'a DM');
  assert.equal(messageToFacts(msg({ guild_id: '1', mentions: [bob] }), { accountId: 'default', bot: {} })!.addressedToOthers, undefined, 'no bot id');
});
