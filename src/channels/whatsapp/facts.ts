// Pure: one Baileys WAMessage (from `messages.upsert`) → InboundFacts, or null when it is not an
// inbound chat message for us. No policy here: only the guards that keep the gateway from talking
// to itself or to WhatsApp's broadcast lists, and a `backlog` mark for history WhatsApp replays
// on connect (the adapter does not deliver it as new messages, so it never gets a pairing reply).
// Baileys is not imported: the shapes below are the subset of its WAMessage / contextInfo we read.
import type { InboundFacts } from '../types.js';
import { parseControlCommand } from '../control-commands.js';

/** Messages older than connect time minus this are backlog (replayed history), not new. */
export const BACKLOG_GRACE_MS = 30_000;

export interface WaContextInfo {
  mentionedJid?: string[] | null;
  participant?: string | null;
  stanzaId?: string | null;
}

export interface WaMessageContent {
  conversation?: string | null;
  extendedTextMessage?: { text?: string | null; contextInfo?: WaContextInfo | null } | null;
  imageMessage?: { caption?: string | null; contextInfo?: WaContextInfo | null } | null;
  videoMessage?: { caption?: string | null; contextInfo?: WaContextInfo | null } | null;
  documentMessage?: { caption?: string | null; contextInfo?: WaContextInfo | null } | null;
  ephemeralMessage?: { message?: WaMessageContent | null } | null;
  viewOnceMessage?: { message?: WaMessageContent | null } | null;
  viewOnceMessageV2?: { message?: WaMessageContent | null } | null;
  documentWithCaptionMessage?: { message?: WaMessageContent | null } | null;
  [k: string]: unknown;
}

/** The fields of Baileys' WAMessage read here. */
export interface WaMessage {
  key: { remoteJid?: string | null; fromMe?: boolean | null; id?: string | null; participant?: string | null; remoteJidAlt?: string; participantAlt?: string };
  message?: WaMessageContent | null;
  /** Seconds since the epoch: a number or a protobuf Long. */
  messageTimestamp?: number | { toNumber(): number } | string | null;
  pushName?: string | null;
}

/** Our own identity on WhatsApp: `sock.user` (`id` = `15551234567:12@s.whatsapp.net`, `lid` = `…@lid`). */
export interface WaSelf {
  id?: string;
  lid?: string;
  name?: string;
}

export type WaFacts = InboundFacts & {
  /** Older than connect time − 30 s: replayed history; never delivered as a new message. */
  backlog: boolean;
  /** A message in our own "Message yourself" chat. */
  selfChat: boolean;
};

/** `15551234567` from `15551234567:12@s.whatsapp.net` (device suffix and server dropped). */
export function jidUser(jid: string | null | undefined): string {
  if (!jid) return '';
  return jid.split('@')[0].split(':')[0];
}

export function jidServer(jid: string | null | undefined): string {
  if (!jid) return '';
  const i = jid.indexOf('@');
  return i < 0 ? '' : jid.slice(i + 1);
}

/** `status@broadcast`, broadcast lists, newsletters: not chats we answer. */
export function isIgnoredJid(jid: string): boolean {
  const server = jidServer(jid);
  return jid === 'status@broadcast' || server === 'broadcast' || server === 'newsletter' || jid.includes('@status');
}

/** `+15551234567` for a phone-number JID; undefined for a LID or anything else. */
export function e164FromJid(jid: string | null | undefined): string | undefined {
  if (!jid || jidServer(jid) !== 's.whatsapp.net') return undefined;
  const user = jidUser(jid);
  return /^\d+$/.test(user) ? `+${user}` : undefined;
}

function unwrap(m: WaMessageContent | null | undefined): WaMessageContent | undefined {
  let cur = m ?? undefined;
  for (let i = 0; i < 4 && cur; i++) {
    const inner = cur.ephemeralMessage?.message ?? cur.viewOnceMessage?.message ?? cur.viewOnceMessageV2?.message ?? cur.documentWithCaptionMessage?.message;
    if (!inner) break;
    cur = inner;
  }
  return cur;
}

export function messageText(m: WaMessageContent | undefined): string {
  if (!m) return '';
  return (m.conversation ?? m.extendedTextMessage?.text ?? m.imageMessage?.caption ?? m.videoMessage?.caption ?? m.documentMessage?.caption ?? '') || '';
}

function contextInfo(m: WaMessageContent | undefined): WaContextInfo | undefined {
  return m?.extendedTextMessage?.contextInfo ?? m?.imageMessage?.contextInfo ?? m?.videoMessage?.contextInfo ?? m?.documentMessage?.contextInfo ?? undefined;
}

function timestampMs(ts: WaMessage['messageTimestamp'], fallback: number): number {
  if (ts === null || ts === undefined) return fallback;
  const n = typeof ts === 'object' ? ts.toNumber() : Number(ts);
  return Number.isFinite(n) && n > 0 ? n * 1000 : fallback;
}

const sameUser = (a: string | null | undefined, b: string | null | undefined) => !!a && !!b && jidUser(a) === jidUser(b) && jidServer(a) === jidServer(b);
const isMe = (jid: string | null | undefined, me: WaSelf) => sameUser(jid, me.id) || sameUser(jid, me.lid);

export interface FactsInput {
  accountId: string;
  me: WaSelf | undefined;
  /** When this socket reached `connection: open` (ms). */
  connectedAt: number;
  now?: number;
}

/**
 * null: not for us (no key, a status/broadcast, our own outbound, a protocol message without text).
 * Messages we sent from the phone into our own chat (`fromMe` in self chat) come back with
 * `selfChat: true` so the adapter can honour selfChatMode; every other `fromMe` is dropped here.
 */
export function messageToFacts(msg: WaMessage, input: FactsInput): WaFacts | null {
  const jid = msg.key?.remoteJid;
  const id = msg.key?.id;
  if (!jid || !id) return null;
  if (isIgnoredJid(jid)) return null;
  const me = input.me;
  const isGroup = jidServer(jid) === 'g.us';
  const selfChat = !isGroup && !!me && (isMe(jid, me) || isMe(msg.key.remoteJidAlt, me));
  if (msg.key.fromMe && !selfChat) return null;
  const content = unwrap(msg.message);
  const text = messageText(content).trim();
  if (!text) return null;
  const now = input.now ?? Date.now();
  const sentAt = timestampMs(msg.messageTimestamp, now);
  const backlog = sentAt < input.connectedAt - BACKLOG_GRACE_MS;
  const ctx = contextInfo(content);
  const meKnown = !!me?.id || !!me?.lid;
  const base = { channel: 'whatsapp' as const, accountId: input.accountId, messageId: id, nativeMessageId: id, text, sentAt, canDetectMention: meKnown, backlog, selfChat, ...(parseControlCommand(text) ? { isCommand: true } : {}), ...(me?.id ? { botId: e164FromJid(me.id) ?? jidUser(me.id) } : {}) };
  const label = msg.pushName?.trim() || undefined;
  if (isGroup) {
    const participant = msg.key.participant ?? undefined;
    // Prefer the phone-number form when WhatsApp addresses the sender by LID.
    const senderJid = (participant && e164FromJid(participant) ? participant : msg.key.participantAlt) ?? participant;
    if (!senderJid) return null;
    if (me && isMe(senderJid, me)) return null; // our own message from another device
    const senderId = e164FromJid(senderJid) ?? e164FromJid(participant) ?? senderJid;
    const wasMentioned = meKnown && (ctx?.mentionedJid ?? []).some((j) => isMe(j, me!));
    const replyToBot = meKnown && isMe(ctx?.participant, me!);
    return { ...base, chatType: 'group', chatId: jid, groupId: jid, senderId, ...(label ? { senderLabel: label } : {}), wasMentioned, ...(replyToBot ? { implicitMention: 'reply_to_bot' as const } : {}) };
  }
  const senderJid = e164FromJid(jid) ? jid : (msg.key.remoteJidAlt ?? jid);
  const senderId = e164FromJid(senderJid) ?? senderJid;
  return { ...base, chatType: 'dm', chatId: jid, senderId, ...(label ? { senderLabel: label, senderMeta: { pushName: label } } : {}), wasMentioned: false };
}
