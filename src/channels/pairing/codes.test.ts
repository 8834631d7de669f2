import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PAIRING_ID_LABELS } from '../catalog.js';
import {
  CHANNEL_PAIRING_PENDING_MAX,
  CHANNEL_PAIRING_PENDING_TTL_MS,
  PAIRING_APPROVED_TEXT,
  PAIRING_CODE_ALPHABET,
  PAIRING_CODE_LENGTH,
  generateUniquePairingCode,
  isPairingCodeShape,
  isPairingExpired,
  pairingReplyText,
  randomPairingCode,
} from './codes.js';

test('constants are upstream’s', () => {
  assert.equal(PAIRING_CODE_ALPHABET, 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789');
  assert.equal(PAIRING_CODE_ALPHABET.length, 32);
  for (const ambiguous of '0O1I') assert.equal(PAIRING_CODE_ALPHABET.includes(ambiguous), false);
  assert.equal(PAIRING_CODE_LENGTH, 8);
  assert.equal(CHANNEL_PAIRING_PENDING_TTL_MS, 3_600_000);
  assert.equal(CHANNEL_PAIRING_PENDING_MAX, 3);
  assert.equal(PAIRING_APPROVED_TEXT, '✅ OpenClaw access approved. Send a message to start chatting.');
  assert.deepEqual(PAIRING_ID_LABELS, { telegram: 'telegramUserId', whatsapp: 'whatsappSenderId', discord: 'discordUserId', imessage: 'imessageSenderId' });
});

test('codes are 8 symbols of the alphabet, and every symbol occurs', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const code = randomPairingCode();
    assert.match(code, /^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$/);
    assert.ok(isPairingCodeShape(code) && isPairingCodeShape(code.toLowerCase()));
    for (const ch of code) seen.add(ch);
  }
  assert.equal(seen.size, 32);
  assert.equal(isPairingCodeShape('ABCD0123'), false);
});

test('a unique code avoids the taken ones (case-insensitive) and gives up after 500 draws', () => {
  // A generator that first draws the taken code twice, then something else.
  const draws = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];
  let i = 0;
  const code = generateUniquePairingCode(['aaaaaaaa'], () => draws[i++]);
  assert.equal(code, 'BBBBBBBB');
  assert.equal(i, 24);
  let calls = 0;
  assert.throws(
    () => generateUniquePairingCode(['AAAAAAAA'], () => (calls++, 0)),
    /could not draw a pairing code unique among 1 pending codes in 500 attempts/,
  );
  assert.equal(calls, 500 * 8);
});

test('TTL counts from createdAt', () => {
  assert.equal(isPairingExpired(1000, 1000 + CHANNEL_PAIRING_PENDING_TTL_MS - 1), false);
  assert.equal(isPairingExpired(1000, 1000 + CHANNEL_PAIRING_PENDING_TTL_MS), true);
  assert.equal(isPairingExpired(NaN, 0), true);
});

test('the challenge text is upstream’s, byte for byte, per channel', () => {
  const fence = '```';
  assert.equal(
    pairingReplyText('telegram', '123456789', 'ABCD2345'),
    `OpenClaw: access not configured.\n\nYour Telegram user id: 123456789\nPairing code:\n${fence}\nABCD2345\n${fence}\n\nAsk the bot owner to approve with:\n${fence}\nopenclaw pairing approve telegram ABCD2345\n${fence}`,
  );
  assert.match(pairingReplyText('whatsapp', '+15551234567', 'X'), /\nYour WhatsApp phone number: \+15551234567\n/);
  assert.match(pairingReplyText('discord', '42', 'X'), /\nYour Discord user id: 42\n/);
  assert.match(pairingReplyText('imessage', 'a@b.c', 'X'), /\nYour iMessage sender id: a@b\.c\n/);
  assert.match(pairingReplyText('imessage', 'a@b.c', 'X'), /openclaw pairing approve imessage X\n```$/);
});
