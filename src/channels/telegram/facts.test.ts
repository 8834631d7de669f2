import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message, Update } from 'grammy/types';
import { updateToFacts, type BotIdentity } from './facts.js';

const BOT: BotIdentity = { id: 777000111, username: 'OpenClawBot' };
const ctx = { accountId: 'default', bot: BOT };
const alice = { id: 4242, is_bot: false, first_name: 'Alice', last_name: 'Liddell', username: 'alice', language_code: 'en' };
const botUser = { id: 777000111, is_bot: true, first_name: 'OpenClaw', username: 'OpenClawBot' };
const group = { id: -1001234567890, title: 'Team', type: 'supergroup' as const };
const forum = { ...group, is_forum: true as const };

function update(message: Record<string, unknown>, key = 'message', id = 900001): Update {
  return { update_id: id, [key]: { message_id: 55, date: 1_700_000_000, ...message } } as unknown as Update;
}

test('a private text message becomes dm facts with sender details', () => {
  const f = updateToFacts(update({ from: alice, chat: { id: 4242, type: 'private', first_name: 'Alice', username: 'alice' }, text: 'hello there' }), ctx);
  assert.deepEqual(f, {
    channel: 'telegram',
    accountId: 'default',
    messageId: '900001',
    nativeMessageId: '55',
    senderId: '4242',
    senderLabel: '@alice',
    senderMeta: { username: 'alice', firstName: 'Alice', lastName: 'Liddell' },
    chatType: 'dm',
    chatId: '4242',
    text: 'hello there',
    wasMentioned: false,
    canDetectMention: true,
    sentAt: 1_700_000_000_000,
  });
});

test('sender without username is labelled by first name; meta has only present keys', () => {
  const f = updateToFacts(update({ from: { id: 5, is_bot: false, first_name: 'Bob' }, chat: { id: 5, type: 'private', first_name: 'Bob' }, text: 'hi' }), ctx)!;
  assert.equal(f.senderLabel, 'Bob');
  assert.deepEqual(f.senderMeta, { firstName: 'Bob' });
});

test('captions count as text; caption entities are used for mentions', () => {
  const f = updateToFacts(update({ from: alice, chat: group, photo: [{ file_id: 'x', file_unique_id: 'y', width: 1, height: 1 }], caption: 'look @OpenClawBot', caption_entities: [{ type: 'mention', offset: 5, length: 12 }] }), ctx)!;
  assert.equal(f.text, 'look @OpenClawBot');
  assert.equal(f.wasMentioned, true);
});

test('not facts: edits, channel posts, bots, service messages, media without caption, channels', () => {
  const chat = { id: 4242, type: 'private', first_name: 'Alice' };
  assert.equal(updateToFacts(update({ from: alice, chat, text: 'edited', edit_date: 1 }, 'edited_message'), ctx), null);
  assert.equal(updateToFacts(update({ chat: { id: -100999, type: 'channel', title: 'News' }, text: 'post' }, 'channel_post'), ctx), null);
  assert.equal(updateToFacts(update({ from: { id: 1, is_bot: true, first_name: 'Other' }, chat: group, text: 'beep' }), ctx), null);
  assert.equal(updateToFacts(update({ from: alice, chat: group, new_chat_members: [botUser] }), ctx), null);
  assert.equal(updateToFacts(update({ from: alice, chat: group, sticker: { file_id: 'x' } }), ctx), null);
  assert.equal(updateToFacts(update({ from: alice, chat: group, text: '' }), ctx), null);
  assert.equal(updateToFacts({ update_id: 1, callback_query: { id: '1', from: alice, chat_instance: 'c' } } as unknown as Update, ctx), null);
});

test('group message: groupId is the chat id, no thread unless a topic message', () => {
  const f = updateToFacts(update({ from: alice, chat: group, text: 'just chatting', message_thread_id: 12 }), ctx)!;
  assert.equal(f.chatType, 'group');
  assert.equal(f.groupId, '-1001234567890');
  assert.equal(f.chatId, '-1001234567890');
  assert.equal(f.threadId, undefined);
  assert.equal(f.wasMentioned, false);
  const basic = updateToFacts(update({ from: alice, chat: { id: -555, title: 'Old', type: 'group' }, text: 'x' }), ctx)!;
  assert.equal(basic.chatType, 'group');
  assert.equal(basic.groupId, '-555');
});

test('forum topic: threadId, and the topic-creation reply is not an implicit mention', () => {
  const created = { message_id: 12, date: 1, chat: forum, from: botUser, forum_topic_created: { name: 'Ops', icon_color: 1 }, message_thread_id: 12, is_topic_message: true };
  const f = updateToFacts(update({ from: alice, chat: forum, text: 'in topic', message_thread_id: 12, is_topic_message: true, reply_to_message: created }), ctx)!;
  assert.equal(f.threadId, '12');
  assert.equal(f.implicitMention, undefined);
  // Even without the forum_topic_created marker, a reply to the thread root is the topic itself.
  const root = { message_id: 12, date: 1, chat: forum, from: botUser, text: 'root' };
  const g = updateToFacts(update({ from: alice, chat: forum, text: 'in topic', message_thread_id: 12, is_topic_message: true, reply_to_message: root }), ctx)!;
  assert.equal(g.implicitMention, undefined);
});

test('reply to one of the bot\'s messages is an implicit mention; reply to someone else is not', () => {
  const botMsg = { message_id: 40, date: 1, chat: group, from: botUser, text: 'earlier answer' } as Message;
  const f = updateToFacts(update({ from: alice, chat: group, text: 'thanks', reply_to_message: botMsg }), ctx)!;
  assert.equal(f.implicitMention, 'reply_to_bot');
  assert.equal(f.wasMentioned, false);
  const other = updateToFacts(update({ from: alice, chat: group, text: 'thanks', reply_to_message: { ...botMsg, from: alice } }), ctx)!;
  assert.equal(other.implicitMention, undefined);
  const topicReply = updateToFacts(update({ from: alice, chat: forum, text: 'yes', message_thread_id: 12, is_topic_message: true, reply_to_message: { ...botMsg, chat: forum, message_thread_id: 12 } }), ctx)!;
  assert.equal(topicReply.implicitMention, 'reply_to_bot');
  assert.equal(topicReply.threadId, '12');
});

test('mention entity naming the bot (any case) is a mention and the leading mention is stripped', () => {
  const f = updateToFacts(update({ from: alice, chat: group, text: '@openclawbot what is up?', entities: [{ type: 'mention', offset: 0, length: 12 }] }), ctx)!;
  assert.equal(f.wasMentioned, true);
  assert.equal(f.text, 'what is up?');
  const colon = updateToFacts(update({ from: alice, chat: group, text: '@OpenClawBot: status', entities: [{ type: 'mention', offset: 0, length: 12 }] }), ctx)!;
  assert.equal(colon.text, 'status');
  const middle = updateToFacts(update({ from: alice, chat: group, text: 'hey @OpenClawBot look', entities: [{ type: 'mention', offset: 4, length: 12 }] }), ctx)!;
  assert.equal(middle.wasMentioned, true);
  assert.equal(middle.text, 'hey @OpenClawBot look');
  const only = updateToFacts(update({ from: alice, chat: group, text: '@OpenClawBot', entities: [{ type: 'mention', offset: 0, length: 12 }] }), ctx)!;
  assert.equal(only.text, '@OpenClawBot');
});

test('a mention of another user or a longer username is not a mention of the bot', () => {
  const f = updateToFacts(update({ from: alice, chat: group, text: '@OpenClawBotX and @bob', entities: [{ type: 'mention', offset: 0, length: 13 }, { type: 'mention', offset: 18, length: 4 }] }), ctx)!;
  assert.equal(f.wasMentioned, false);
  assert.equal(f.text, '@OpenClawBotX and @bob');
});

test('text_mention of the bot user counts; of someone else does not', () => {
  const f = updateToFacts(update({ from: alice, chat: group, text: 'OpenClaw help', entities: [{ type: 'text_mention', offset: 0, length: 8, user: botUser }] }), ctx)!;
  assert.equal(f.wasMentioned, true);
  const g = updateToFacts(update({ from: alice, chat: group, text: 'Alice help', entities: [{ type: 'text_mention', offset: 0, length: 5, user: alice }] }), ctx)!;
  assert.equal(g.wasMentioned, false);
});

test('commands: bare and addressed to us are ours; addressed to another bot is neither command nor mention', () => {
  const bare = updateToFacts(update({ from: alice, chat: group, text: '/new', entities: [{ type: 'bot_command', offset: 0, length: 4 }] }), ctx)!;
  assert.equal(bare.isCommand, true);
  assert.equal(bare.wasMentioned, false);
  const ours = updateToFacts(update({ from: alice, chat: group, text: '/status@OpenClawBot now', entities: [{ type: 'bot_command', offset: 0, length: 19 }] }), ctx)!;
  assert.equal(ours.isCommand, true);
  assert.equal(ours.wasMentioned, true);
  assert.equal(ours.text, '/status now');
  const theirs = updateToFacts(update({ from: alice, chat: group, text: '/new@OtherBot', entities: [{ type: 'bot_command', offset: 0, length: 13 }] }), ctx)!;
  assert.equal(theirs.isCommand, undefined);
  assert.equal(theirs.wasMentioned, false);
  assert.equal(theirs.text, '/new@OtherBot');
  const notFirst = updateToFacts(update({ from: alice, chat: group, text: 'try /new', entities: [{ type: 'bot_command', offset: 4, length: 4 }] }), ctx)!;
  assert.equal(notFirst.isCommand, undefined);
  const dmCmd = updateToFacts(update({ from: alice, chat: { id: 4242, type: 'private', first_name: 'Alice' }, text: '/start', entities: [{ type: 'bot_command', offset: 0, length: 6 }] }), ctx)!;
  assert.equal(dmCmd.isCommand, true);
  assert.equal(dmCmd.chatType, 'dm');
});

test('without a bot username mentions cannot be detected; commands for any bot are not ours', () => {
  const blind = { accountId: 'work', bot: { id: BOT.id } };
  const f = updateToFacts(update({ from: alice, chat: group, text: '@OpenClawBot hi', entities: [{ type: 'mention', offset: 0, length: 12 }] }), blind)!;
  assert.equal(f.canDetectMention, false);
  assert.equal(f.wasMentioned, false);
  assert.equal(f.accountId, 'work');
  assert.equal(f.text, '@OpenClawBot hi');
  const cmd = updateToFacts(update({ from: alice, chat: group, text: '/new@OpenClawBot', entities: [{ type: 'bot_command', offset: 0, length: 16 }] }), blind)!;
  assert.equal(cmd.isCommand, undefined);
  // A reply to the bot is still recognised by id.
  const reply = updateToFacts(update({ from: alice, chat: group, text: 'ok', reply_to_message: { message_id: 1, date: 1, chat: group, from: botUser, text: 'q' } }), blind)!;
  assert.equal(reply.implicitMention, 'reply_to_bot');
});

test('hand-built updates without entities still detect a whole-word @bot mention', () => {
  const f = updateToFacts(update({ from: alice, chat: group, text: 'ping @OpenClawBot.' }), ctx)!;
  assert.equal(f.wasMentioned, true);
  const g = updateToFacts(update({ from: alice, chat: group, text: 'mail x@OpenClawBot_dev' }), ctx)!;
  assert.equal(g.wasMentioned, false);
});
