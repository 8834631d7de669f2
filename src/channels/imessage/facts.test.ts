import { test } from 'node:test';
import assert from 'node:assert/strict';
import { messageToFacts, normalizeHandle, renderIMessageText, sendParams, type ImsgMessage } from './facts.js';

const dm: ImsgMessage = {
  id: 101,
  chat_id: 7,
  guid: 'A1B2-C3',
  sender: '+1 (555) 010-9999',
  sender_name: 'Alice',
  is_from_me: false,
  text: 'hello there',
  created_at: '2026-12-03T10:00:00.000Z',
  chat_identifier: '+15550109999',
  chat_guid: 'iMessage;-;+15550109999',
  participants: ['+15550109999'],
  is_group: false,
};

test('a DM: sender handle normalized, reply to chat_id, guid as the stable id', () => {
  const f = messageToFacts(dm, { accountId: 'default' });
  assert.deepEqual(f, {
    channel: 'imessage',
    accountId: 'default',
    messageId: 'A1B2-C3',
    nativeMessageId: 'A1B2-C3',
    senderId: '+15550109999',
    senderLabel: 'Alice',
    senderMeta: { name: 'Alice' },
    chatType: 'dm',
    chatId: 'chat_id:7',
    text: 'hello there',
    wasMentioned: false,
    canDetectMention: false,
    sentAt: Date.parse('2026-12-03T10:00:00.000Z'),
  });
});

test('a group message: groupId is the chat id, mentions cannot be detected natively', () => {
  const f = messageToFacts({ ...dm, chat_id: 42, is_group: true, chat_guid: 'iMessage;+;chat123', participants: ['+15550109999', 'bob@example.com'] }, { accountId: 'a' });
  assert.equal(f?.chatType, 'group');
  assert.equal(f?.groupId, '42');
  assert.equal(f?.chatId, 'chat_id:42');
  assert.equal(f?.canDetectMention, false);
  assert.equal(f?.wasMentioned, false);
  // no is_group: the guid's `;+;` marker says group
  const g = messageToFacts({ ...dm, is_group: undefined, chat_guid: 'iMessage;+;chat9' }, { accountId: 'a' });
  assert.equal(g?.chatType, 'group');
});

test('our own messages, tapbacks, empty text and rows without a sender are not facts', () => {
  assert.equal(messageToFacts({ ...dm, is_from_me: true }, { accountId: 'a' }), null);
  assert.equal(messageToFacts({ ...dm, is_reaction: true }, { accountId: 'a' }), null);
  assert.equal(messageToFacts({ ...dm, text: '' }, { accountId: 'a' }), null);
  assert.equal(messageToFacts({ ...dm, text: '   ' }, { accountId: 'a' }), null);
  assert.equal(messageToFacts({ ...dm, text: null }, { accountId: 'a' }), null);
  assert.equal(messageToFacts({ ...dm, sender: undefined }, { accountId: 'a' }), null);
  assert.equal(messageToFacts(null, { accountId: 'a' }), null);
});

test('messageId falls back to the rowid; sentAt to now; control commands are flagged', () => {
  const f = messageToFacts({ ...dm, guid: undefined, created_at: 'garbage', text: '/new start over' }, { accountId: 'a', now: 1234 });
  assert.equal(f?.messageId, 'rowid:101');
  assert.equal(f?.sentAt, 1234);
  assert.equal(f?.isCommand, true);
  assert.equal(messageToFacts(dm, { accountId: 'a' })?.isCommand, undefined);
});

test('handles: prefixes dropped, emails lower-cased, phone punctuation removed', () => {
  assert.equal(normalizeHandle('imessage:Bob@Example.com'), 'bob@example.com');
  assert.equal(normalizeHandle(' +44 20 7946-0958 '), '+442079460958');
  assert.equal(normalizeHandle(15550001111), '15550001111');
});

test('send params: chat_id / chat_guid / chat_identifier targets, else a handle with service and region', () => {
  assert.deepEqual(sendParams('chat_id:42', 'hi'), { chat_id: 42, text: 'hi' });
  assert.deepEqual(sendParams('chat_guid:iMessage;+;chat1', 'hi'), { chat_guid: 'iMessage;+;chat1', text: 'hi' });
  assert.deepEqual(sendParams('chat_identifier:chat1', 'hi'), { chat_identifier: 'chat1', text: 'hi' });
  assert.deepEqual(sendParams('+1 555 010 9999', 'hi', { service: 'imessage', region: 'US' }), { to: '+15550109999', text: 'hi', service: 'imessage', region: 'US' });
});

test('outbound text: Markdown fence lines dropped (Messages shows them literally), code kept', () => {
  assert.equal(renderIMessageText('Pairing code:\n```\nABCD2345\n```\n\nAsk with:\n```bash\nopenclaw pairing approve imessage ABCD2345\n```'), 'Pairing code:\nABCD2345\n\nAsk with:\nopenclaw pairing approve imessage ABCD2345');
  assert.equal(renderIMessageText('inline ``` stays'), 'inline ``` stays');
});
