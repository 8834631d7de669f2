// `channels.whatsapp`: the keys this gateway acts on typed, upstream's other keys accepted as
// written (so an existing ~/.openclaw still loads), and account resolution. An account is
// "configured" when its auth dir holds Baileys' creds.json, i.e. `openclaw channels login` linked it.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { resolveStateDir } from '../../config/paths.js';
import type { GroupRule, ResolvedAccount } from '../config.js';
import { DEFAULT_ACCOUNT_ID, type GroupPolicy } from '../types.js';
import { sharedAccessFields } from '../access-fields.js';

type Env = Record<string, string | undefined>;

const dmPolicy = z.enum(['pairing', 'allowlist', 'open', 'disabled']);
const groupPolicy = z.enum(['open', 'disabled', 'allowlist']);
const idList = z.array(z.union([z.string(), z.number()]));
const nonNegInt = z.number().int().nonnegative();
const posInt = z.number().int().positive();

const groupEntry = z.looseObject({
  requireMention: z.boolean().optional(),
  enabled: z.boolean().optional(),
  allowFrom: idList.optional(),
  systemPrompt: z.string().optional(),
  // upstream keys accepted, not acted on here yet
  tools: z.looseObject({}).optional(),
  toolsBySender: z.record(z.string(), z.looseObject({})).optional(),
});

const accountShape = {
  name: z.string().optional(),
  enabled: z.boolean().optional(),
  /** Baileys multi-file auth dir; default <stateDir>/credentials/whatsapp/<accountId>. */
  authDir: z.string().optional(),
  dmPolicy: dmPolicy.optional(),
  allowFrom: idList.optional(),
  groupPolicy: groupPolicy.optional(),
  groupAllowFrom: idList.optional(),
  groups: z.record(z.string(), groupEntry).optional(),
  selfChatMode: z.boolean().optional(),
  sendReadReceipts: z.boolean().optional(),
  mediaMaxMb: z.number().positive().optional(),
  textChunkLimit: posInt.optional(),
  historyLimit: nonNegInt.optional(),
  healthMonitor: z.looseObject({ enabled: z.boolean().optional() }).optional(),
};

// looseObject: upstream's remaining keys (pluginHooks, actions, configWrites, …) are kept as written.
const whatsappAccount = z.looseObject(accountShape);
export const whatsappChannelSchema = z.looseObject({
  ...accountShape,
  defaultAccount: z.string().optional(),
  accounts: z.record(z.string(), whatsappAccount).optional(),
});

export type WhatsAppChannelConfig = z.infer<typeof whatsappChannelSchema>;
type WhatsAppAccountConfig = z.infer<typeof whatsappAccount>;

/** A resolved WhatsApp account: the shared fields plus what only the WhatsApp adapter reads. */
export interface WhatsAppResolvedAccount extends ResolvedAccount {
  channel: 'whatsapp';
  authDir: string;
  /** Linked number from creds.json (`+E164`), when linked. */
  selfNumber?: string;
  selfChatMode: boolean;
  sendReadReceipts: boolean;
  mediaMaxMb?: number;
}

/** `+15551234567` from `+1 555-123-4567`, `15551234567`, `whatsapp:+15551234567`; `*` kept. */
export function normalizeE164(entry: string | number): string {
  let s = String(entry).trim();
  if (s.toLowerCase().startsWith('whatsapp:')) s = s.slice('whatsapp:'.length).trim();
  if (s === '*') return s;
  // A JID (`15551234567@s.whatsapp.net`, `…:12@s.whatsapp.net`): its user part.
  if (s.includes('@')) s = s.split('@')[0].split(':')[0];
  const digits = s.replace(/[\s\-().]/g, '');
  return /^\+?\d+$/.test(digits) ? `+${digits.replace(/^\+/, '')}` : s;
}

const normList = (list: Array<string | number> | undefined) => list?.map(normalizeE164);

export function defaultAuthDir(accountId: string, env: Env = process.env): string {
  return path.join(resolveStateDir(env), 'credentials', 'whatsapp', accountId);
}

/** The linked number in `<authDir>/creds.json` (`me.id` = `15551234567:12@s.whatsapp.net`), or undefined. */
export function readLinkedNumber(authDir: string): { linked: boolean; selfNumber?: string } {
  const file = path.join(authDir, 'creds.json');
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch {
    return { linked: false };
  }
  try {
    const creds = JSON.parse(raw) as { me?: { id?: string } };
    const id = creds.me?.id;
    // creds.json exists before the phone scanned the QR (keys only): linked once `me` is set.
    if (!id) return { linked: false };
    return { linked: true, selfNumber: normalizeE164(id) };
  } catch {
    return { linked: false };
  }
}

function toGroupRule(g: z.infer<typeof groupEntry>): GroupRule {
  return { requireMention: g.requireMention, enabled: g.enabled, allowFrom: normList(g.allowFrom), systemPrompt: g.systemPrompt };
}

/**
 * Every WhatsApp account of `block`. Without a block nothing runs (link first, then the block is
 * written by `channels login`). Upstream's "groups omitted = every group is eligible" is expressed
 * through the shared policy as a `"*"` entry with default rules: the group passes the membership
 * gate, the sender allowlist (groupAllowFrom, else allowFrom) and mention gating still apply.
 */
export function resolveWhatsAppAccounts(block: WhatsAppChannelConfig | undefined, env: Env = process.env, defaults?: { groupPolicy?: GroupPolicy }): WhatsAppResolvedAccount[] {
  if (!block) return [];
  const ids = Object.keys(block.accounts ?? {});
  return (ids.length ? ids : [DEFAULT_ACCOUNT_ID]).map((accountId) => {
    const acc = { ...block, ...(block.accounts?.[accountId] ?? {}) } as WhatsAppAccountConfig;
    const authDir = acc.authDir ? path.resolve(acc.authDir) : defaultAuthDir(accountId, env);
    const { linked, selfNumber } = readLinkedNumber(authDir);
    const selfChatMode = acc.selfChatMode === true;
    const allowFrom = normList(acc.allowFrom) ?? [];
    // Self-chat mode: the linked number talks to itself and is never asked to pair.
    if (selfChatMode && selfNumber && !allowFrom.includes(selfNumber)) allowFrom.push(selfNumber);
    const groups: Record<string, GroupRule> = acc.groups ? Object.fromEntries(Object.entries(acc.groups).map(([jid, g]) => [jid, toGroupRule(g)])) : { '*': {} };
    return {
      channel: 'whatsapp' as const,
      accountId,
      name: acc.name,
      enabled: acc.enabled !== false,
      configured: linked,
      tokenSource: 'none', // a linked session, not a token: status says linked (upstream has no token bit for WhatsApp)
      ...sharedAccessFields(acc, normList, defaults),
      allowFrom,
      groups,
      authDir,
      ...(selfNumber ? { selfNumber } : {}),
      selfChatMode,
      sendReadReceipts: acc.sendReadReceipts !== false,
      ...(acc.mediaMaxMb !== undefined ? { mediaMaxMb: acc.mediaMaxMb } : {}),
    };
  });
}
