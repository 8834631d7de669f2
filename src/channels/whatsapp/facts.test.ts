// WhatsApp Web cannot be reached or faked from tests: facts.ts is tested on real Baileys
// WAMessage shapes (as `messages.upsert` delivers them), at the library boundary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKLOG_GRACE_MS, e164FromJid, isIgnoredJid, messageToFacts } from './facts.js';
import { dmMessage, groupMessage, SELF } from './testing/fake-socket.js';

const now = Date.now();
const input = { accountId: 'default', me: SELF, connectedAt: now, now };
const GROUP = '120363025246125486@g.us';

test('DM: chatId is the JID, senderId the +E164, messageId the stable key.id; text from conversation, extendedText and captions', () => {
  const m = dmMessage('+15550001111', ' hello ', { id: '3EB0AAA' });
  const f = messageToFacts(m, input)!;
  assert.equal(f.chatType, 'dm');
  assert.equal(f.chatId, '15550001111@s.whatsapp.net');
  assert.equal(f.senderId, '+15550001111');
  assert.equal(f.messageId, '3EB0AAA');
  assert.equal(f.nativeMessageId, '3EB0AAA');
  assert.equal(f.text, 'hello');
  assert.equal(f.senderLabel, 'Alice');
  assert.equal(f.backlog, false);
  assert.equal(f.selfChat, false);
  assert.equal(f.botId, '+15551234567');
  assert.equal(f.sentAt, (m.messageTimestamp as number) * 1000);
  const ext = { ...m, message: { extendedTextMessage: { text: 'from a link preview' } } };
  assert.equal(messageToFacts(ext, input)!.text, 'from a link preview');
  const img = { ...m, message: { imageMessage: { caption: 'look at this' } } };
  assert.equal(messageToFacts(img, input)!.text, 'look at this');
  const eph = { ...m, message: { ephemeralMessage: { message: { extendedTextMessage: { text: 'disappearing' } } } } };
  assert.equal(messageToFacts(eph, input)!.text, 'disappearing');
  // a protocol message / reaction without text is not a chat message
  assert.equal(messageToFacts({ ...m, message: { reactionMessage: { text: '👍' } } }, input), null);
  assert.equal(messageToFacts({ ...m, message: null }, input), null);
  // a Long timestamp
  assert.equal(messageToFacts({ ...m, messageTimestamp: { toNumber: () => 1_700_000_000 } }, input)!.sentAt, 1_700_000_000_000);
});

test('status@broadcast, broadcast lists and newsletters are ignored', () => {
  for (const jid of ['status@broadcast', '1234567890@broadcast', '120363000000000000@newsletter']) {
    assert.equal(isIgnoredJid(jid), true, jid);
    assert.equal(messageToFacts(dmMessage('+15550001111', 'hi', { remoteJid: jid }), input), null, jid);
  }
  assert.equal(isIgnoredJid('15550001111@s.whatsapp.net'), false);
});

test('our own outbound (fromMe) is ignored; the self chat is flagged, never a plain DM', () => {
  assert.equal(messageToFacts(dmMessage('+15550001111', 'sent from my phone', { fromMe: true }), input), null);
  const self = messageToFacts(dmMessage('+15551234567', 'note to self', { fromMe: true }), input)!;
  assert.equal(self.selfChat, true);
  // the self chat addressed by LID
  const lid = messageToFacts(dmMessage('x', 'note', { fromMe: true, remoteJid: '98765432109876@lid' }), input)!;
  assert.equal(lid.selfChat, true);
});

test('backlog: older than connect time − 30 s is marked; within the grace it is new', () => {
  const old = messageToFacts(dmMessage('+15550001111', 'from yesterday', { ts: Math.floor((now - BACKLOG_GRACE_MS - 5000) / 1000) }), input)!;
  assert.equal(old.backlog, true);
  const recent = messageToFacts(dmMessage('+15550001111', 'just before connect', { ts: Math.floor((now - 10_000) / 1000) }), input)!;
  assert.equal(recent.backlog, false);
});

test('group: groupId = chatId = group JID, sender from participant; mentions, reply-to-bot, canDetectMention', () => {
  const plain = messageToFacts(groupMessage(GROUP, '+15550002222', 'just chatting'), input)!;
  assert.equal(plain.chatType, 'group');
  assert.equal(plain.chatId, GROUP);
  assert.equal(plain.groupId, GROUP);
  assert.equal(plain.senderId, '+15550002222');
  assert.equal(plain.wasMentioned, false);
  assert.equal(plain.implicitMention, undefined);
  assert.equal(plain.canDetectMention, true);

  const mentioned = messageToFacts(groupMessage(GROUP, '+15550002222', '@15551234567 hi', { mentionedJid: ['15551234567@s.whatsapp.net'] }), input)!;
  assert.equal(mentioned.wasMentioned, true);
  const byLid = messageToFacts(groupMessage(GROUP, '+15550002222', '@Claw hi', { mentionedJid: ['98765432109876@lid'] }), input)!;
  assert.equal(byLid.wasMentioned, true);
  const other = messageToFacts(groupMessage(GROUP, '+15550002222', '@someone', { mentionedJid: ['15559999999@s.whatsapp.net'] }), input)!;
  assert.equal(other.wasMentioned, false);

  const reply = messageToFacts(groupMessage(GROUP, '+15550002222', 'and a follow-up', { replyToParticipant: '15551234567:7@s.whatsapp.net' }), input)!;
  assert.equal(reply.implicitMention, 'reply_to_bot');
  assert.equal(reply.wasMentioned, false);

  const blind = messageToFacts(groupMessage(GROUP, '+15550002222', 'hi'), { ...input, me: undefined })!;
  assert.equal(blind.canDetectMention, false);
  // our own message from another device in a group
  assert.equal(messageToFacts(groupMessage(GROUP, '+15551234567', 'me, elsewhere'), input), null);
  // a LID participant with its phone-number alternative
  const lidSender = groupMessage(GROUP, 'x', 'hi');
  lidSender.key.participant = '11112222333344@lid';
  lidSender.key.participantAlt = '15550003333@s.whatsapp.net';
  assert.equal(messageToFacts(lidSender, input)!.senderId, '+15550003333');
});

test('commands are flagged; e164FromJid drops device suffixes and refuses LIDs', () => {
  assert.equal(messageToFacts(dmMessage('+15550001111', '/new'), input)!.isCommand, true);
  assert.equal(e164FromJid('15551234567:7@s.whatsapp.net'), '+15551234567');
  assert.equal(e164FromJid('98765432109876@lid'), undefined);
});
