// DM pairing codes and the texts around them, exactly as upstream has them: 8 characters from a
// 32-symbol alphabet without 0/O/1/I, unique among the channel's pending codes, valid for one hour
// from creation, at most 3 pending per channel account. Pure: no files, no clock of its own.
import crypto from 'node:crypto';
import type { ChannelId } from '../types.js';

export const PAIRING_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const PAIRING_CODE_LENGTH = 8;
/** Draws before giving up on a code unique among the channel's pending ones. */
export const PAIRING_CODE_MAX_ATTEMPTS = 500;
/** Upstream CHANNEL_PAIRING_PENDING_TTL_MS: counted from createdAt, not lastSeenAt. */
export const CHANNEL_PAIRING_PENDING_TTL_MS = 3_600_000;
/** Pending requests per channel account; a new sender past the cap gets no code and no reply. */
export const CHANNEL_PAIRING_PENDING_MAX = 3;

export const PAIRING_APPROVED_TEXT = '✅ OpenClaw access approved. Send a message to start chatting.';

const ID_LINES: Record<ChannelId, (id: string) => string> = {
  telegram: (id) => `Your Telegram user id: ${id}`,
  whatsapp: (id) => `Your WhatsApp phone number: ${id}`,
  discord: (id) => `Your Discord user id: ${id}`,
  imessage: (id) => `Your iMessage sender id: ${id}`,
};

export function pairingIdLine(channel: ChannelId, senderId: string): string {
  return ID_LINES[channel](senderId);
}

/** The challenge the bot sends an unknown sender (plain text; Telegram renders it as HTML). */
export function pairingReplyText(channel: ChannelId, senderId: string, code: string): string {
  return [
    'OpenClaw: access not configured.',
    '',
    pairingIdLine(channel, senderId),
    'Pairing code:',
    '```',
    code,
    '```',
    '',
    'Ask the bot owner to approve with:',
    '```',
    `openclaw pairing approve ${channel} ${code}`,
    '```',
  ].join('\n');
}

/** One random code (crypto.randomInt per symbol). */
export function randomPairingCode(randomInt: (max: number) => number = (max) => crypto.randomInt(max)): string {
  let code = '';
  for (let i = 0; i < PAIRING_CODE_LENGTH; i++) code += PAIRING_CODE_ALPHABET[randomInt(PAIRING_CODE_ALPHABET.length)];
  return code;
}

/** A code not in `taken` (compared upper-case). Throws after PAIRING_CODE_MAX_ATTEMPTS draws. */
export function generateUniquePairingCode(taken: Iterable<string>, randomInt?: (max: number) => number): string {
  const used = new Set([...taken].map((c) => c.toUpperCase()));
  for (let i = 0; i < PAIRING_CODE_MAX_ATTEMPTS; i++) {
    const code = randomPairingCode(randomInt);
    if (!used.has(code)) return code;
  }
  throw new Error(`could not draw a pairing code unique among ${used.size} pending codes in ${PAIRING_CODE_MAX_ATTEMPTS} attempts`);
}

/** Upper-cased and trimmed, for case-insensitive matching. */
export function normalizePairingCode(code: string): string {
  return code.trim().toUpperCase();
}

/** True for a well-formed code (any case). */
export function isPairingCodeShape(code: string): boolean {
  const c = normalizePairingCode(code);
  return c.length === PAIRING_CODE_LENGTH && [...c].every((ch) => PAIRING_CODE_ALPHABET.includes(ch));
}

/** When a request created at `createdAtMs` stops being pending. */
export function pairingExpiresAt(createdAtMs: number): number {
  return createdAtMs + CHANNEL_PAIRING_PENDING_TTL_MS;
}

export function isPairingExpired(createdAtMs: number, now: number): boolean {
  return !Number.isFinite(createdAtMs) || now >= pairingExpiresAt(createdAtMs);
}
