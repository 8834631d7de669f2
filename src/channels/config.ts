// The `channels.*` section of openclaw.json: its schema (typed where we implement a key, accepted
// where upstream has a key we do not act on yet, so an existing ~/.openclaw still loads), the
// access-policy checks upstream makes at validation time, and per-account resolution
// (`channels.<id>.accounts.<accountId>` overrides the channel block; the default account is `default`).
import fs from 'node:fs';
import { z } from 'zod';
import { CHANNEL_FACTS, CHANNEL_ORDER } from './catalog.js';
import { DEFAULT_ACCOUNT_ID, type ChannelId, type DmPolicy, type GroupPolicy } from './types.js';
import { discordChannelSchema, resolveDiscordAccounts, type DiscordChannelConfig, type DiscordExtras } from './discord/config.js';
import { imessageChannelSchema, resolveIMessageAccounts, type IMessageChannelConfig } from './imessage/config.js';
import { resolveWhatsAppAccounts, whatsappChannelSchema, type WhatsAppChannelConfig } from './whatsapp/config.js';
import { secretProblem, secretValue } from './secret-ref.js';
import { sharedAccessFields } from './access-fields.js';

const dmPolicy = z.enum(['pairing', 'allowlist', 'open', 'disabled']);
const groupPolicy = z.enum(['open', 'disabled', 'allowlist']);
/** Sender ids: Telegram numeric ids arrive as numbers from hand-written JSON. */
const idList = z.array(z.union([z.string(), z.number()]));
const secretRef = z.strictObject({ source: z.enum(['env', 'file', 'exec']), provider: z.string(), id: z.string() });
const secret = z.union([z.string(), secretRef]);
const nonNegInt = z.number().int().nonnegative();
const posInt = z.number().int().positive();
const toolPolicy = z.looseObject({});

const topicEntry = z.looseObject({
  requireMention: z.boolean().optional(),
  enabled: z.boolean().optional(),
  groupPolicy: groupPolicy.optional(),
  allowFrom: idList.optional(),
  systemPrompt: z.string().optional(),
});

const telegramGroupEntry = z.strictObject({
  requireMention: z.boolean().optional(),
  enabled: z.boolean().optional(),
  groupPolicy: groupPolicy.optional(),
  allowFrom: idList.optional(),
  systemPrompt: z.string().optional(),
  topics: z.record(z.string(), topicEntry).optional(),
  // Upstream keys accepted as written (not acted on here yet).
  tools: toolPolicy.optional(),
  toolsBySender: z.record(z.string(), toolPolicy).optional(),
  skills: z.array(z.string()).optional(),
  ingest: z.boolean().optional(),
  disableAudioPreflight: z.boolean().optional(),
  errorPolicy: z.enum(['always', 'once', 'silent']).optional(),
});

/** Keys upstream's Telegram schema has that this gateway accepts but does not act on. */
export const TELEGRAM_ACCEPTED_KEYS = [
  'ackReaction', 'actions', 'autoTopicLabel', 'capabilities', 'commands', 'configWrites', 'contextVisibility',
  'customCommands', 'defaultTo', 'direct', 'dmHistoryLimit', 'dms', 'errorPolicy', 'execApprovals',
  'heartbeatVisibility', 'joinIntro', 'linkPreview', 'markdown', 'mediaMaxMb', 'mentionPatterns', 'network',
  'proxy', 'reactionLevel', 'reactionNotifications', 'replyToMode', 'responsePrefix', 'richMessages',
  'silentErrorReplies', 'streaming', 'threadBindings', 'trustedLocalFileRoots', 'webhookCertPath',
] as const;

const accepted = Object.fromEntries(TELEGRAM_ACCEPTED_KEYS.map((k) => [k, z.unknown().optional()])) as Record<(typeof TELEGRAM_ACCEPTED_KEYS)[number], z.ZodOptional<z.ZodUnknown>>;

const telegramAccountShape = {
  name: z.string().optional(),
  enabled: z.boolean().optional(),
  botToken: secret.optional(),
  tokenFile: z.string().optional(),
  apiRoot: z.string().url('expected a URL such as https://api.telegram.org').optional(),
  dmPolicy: dmPolicy.optional(),
  allowFrom: idList.optional(),
  groupPolicy: groupPolicy.optional(),
  groupAllowFrom: idList.optional(),
  groups: z.record(z.string(), telegramGroupEntry).optional(),
  historyLimit: nonNegInt.optional(),
  textChunkLimit: posInt.optional(),
  healthMonitor: z.strictObject({ enabled: z.boolean().optional() }).optional(),
  webhookUrl: z.string().optional(),
  webhookSecret: secret.optional(),
  webhookPath: z.string().startsWith('/', 'expected a path starting with "/"').refine((p) => p !== '/healthz', 'must not be /healthz').optional(),
  webhookHost: z.string().optional(),
  webhookPort: nonNegInt.max(65535).optional(),
  ...accepted,
};

const telegramAccount = z.strictObject(telegramAccountShape);
export const telegramChannelSchema = z.strictObject({
  ...telegramAccountShape,
  defaultAccount: z.string().optional(),
  accounts: z.record(z.string(), telegramAccount).optional(),
});

/** Discord / WhatsApp: the shared access keys typed, the rest kept (their adapters land later). */
const genericAccount = z.looseObject({
  name: z.string().optional(),
  enabled: z.boolean().optional(),
  dmPolicy: dmPolicy.optional(),
  allowFrom: idList.optional(),
  groupPolicy: groupPolicy.optional(),
  groupAllowFrom: idList.optional(),
  historyLimit: nonNegInt.optional(),
});
const genericChannel = genericAccount.extend({
  defaultAccount: z.string().optional(),
  accounts: z.record(z.string(), genericAccount).optional(),
});

export const channelsSchema = z
  .looseObject({
    telegram: telegramChannelSchema.optional(),
    discord: discordChannelSchema.optional(),
    whatsapp: whatsappChannelSchema.optional(),
    imessage: imessageChannelSchema.optional(),
    defaults: z.looseObject({ groupPolicy: groupPolicy.optional() }).optional(),
  })
  .superRefine((channels, ctx) => {
    for (const [id, block] of Object.entries(channels)) {
      if (id === 'defaults' || !block || typeof block !== 'object') continue;
      for (const v of [...accessViolations(id, block as AccessBlock), ...webhookViolations(id, block as AccessBlock)]) ctx.addIssue({ code: 'custom', path: v.path.slice(1), message: v.message }); // zod prefixes this schema's own key
    }
  });

interface AccessBlock {
  dmPolicy?: string;
  allowFrom?: Array<string | number>;
  webhookUrl?: string;
  webhookSecret?: unknown;
  accounts?: Record<string, AccessBlock>;
}

/** Upstream's rule: a webhook without a secret would accept updates from anyone who finds the URL. */
export function webhookViolations(channel: string, block: AccessBlock): Array<{ path: string[]; message: string }> {
  const out: Array<{ path: string[]; message: string }> = [];
  const base = `channels.${channel}`;
  if (block.webhookUrl && !block.webhookSecret) out.push({ path: ['channels', channel, 'webhookUrl'], message: `${base}.webhookUrl requires ${base}.webhookSecret` });
  for (const [id, acc] of Object.entries(block.accounts ?? {})) {
    if (acc?.webhookUrl && !acc.webhookSecret && !block.webhookSecret) {
      out.push({ path: ['channels', channel, 'accounts', id, 'webhookUrl'], message: `${base}.accounts.${id}.webhookUrl requires ${base}.webhookSecret or ${base}.accounts.${id}.webhookSecret` });
    }
  }
  return out;
}

/** Upstream's validation-time access rules, per channel block and per account (with inheritance). */
export function accessViolations(channel: string, block: AccessBlock): Array<{ path: string[]; message: string }> {
  const out: Array<{ path: string[]; message: string }> = [];
  const check = (scope: string, path: string[], policy: string | undefined, allowFrom: Array<string | number> | undefined, allowPath: string) => {
    if (policy === 'open' && !(allowFrom ?? []).map(String).includes('*')) {
      out.push({ path: [...path, 'dmPolicy'], message: `${scope}.dmPolicy="open" requires ${allowPath} to include "*"` });
    }
    if (policy === 'allowlist' && (allowFrom ?? []).length === 0) {
      out.push({ path: [...path, 'dmPolicy'], message: `${scope}.dmPolicy="allowlist" but ${allowPath} is empty; all DMs will be dropped. Add at least one sender ID to ${allowPath} or change ${scope}.dmPolicy.` });
    }
  };
  const base = `channels.${channel}`;
  const accounts = block.accounts ?? {};

  // The channel-level rule applies when the block is used as an account itself (no accounts map, no
  // default account) or when some account inherits both keys from it.
  const inheritsBoth = (a: AccessBlock | undefined) => !a || (a.dmPolicy === undefined && a.allowFrom === undefined);
  if (Object.keys(accounts).length === 0 || accounts[DEFAULT_ACCOUNT_ID] === undefined || Object.values(accounts).some(inheritsBoth)) check(base, ['channels', channel], block.dmPolicy, block.allowFrom, `${base}.allowFrom`);
  for (const [id, acc] of Object.entries(accounts)) {
    if (inheritsBoth(acc)) continue;
    const scope = `${base}.accounts.${id}`;
    const allowFrom = acc.allowFrom ?? block.allowFrom;
    check(scope, ['channels', channel, 'accounts', id], acc.dmPolicy ?? block.dmPolicy, allowFrom, acc.allowFrom ? `${scope}.allowFrom` : `${base}.allowFrom`);
  }
  return out;
}

export type TelegramChannelConfig = z.infer<typeof telegramChannelSchema>;
export type TelegramGroupEntry = z.infer<typeof telegramGroupEntry>;

export type TokenSource = 'tokenFile' | 'config' | 'env' | 'none';

/** Group entry as the ingress policy reads it (Telegram `groups.<id>`, later Discord channels…). */
export interface GroupRule {
  requireMention?: boolean;
  enabled?: boolean;
  groupPolicy?: GroupPolicy;
  allowFrom?: string[];
  /** Role ids that admit a sender (Discord `roles`; `users` map onto allowFrom). */
  roles?: string[];
  systemPrompt?: string;
  /** Drop messages addressed to someone else but not the bot (Discord guild / channel `ignoreOtherMentions`). */
  ignoreOtherMentions?: boolean;
  topics?: Record<string, GroupRule>;
}

/** One channel account with every default applied: what the runtime and status read. */
export interface ResolvedAccount {
  channel: ChannelId;
  accountId: string;
  name?: string;
  enabled: boolean;
  /** Has the credentials it needs to connect. */
  configured: boolean;
  token?: string;
  tokenSource: TokenSource;
  /** Why the token could not be read (tokenFile missing, symlink…). */
  tokenError?: string;
  dmPolicy: DmPolicy;
  allowFrom: string[];
  groupPolicy: GroupPolicy;
  /** undefined: falls back to allowFrom. */
  groupAllowFrom?: string[];
  /** undefined: no membership map (every group passes the map gate). */
  groups?: Record<string, GroupRule>;
  /** Account-wide default of GroupRule.ignoreOtherMentions (below every group entry); undefined: false. */
  ignoreOtherMentions?: boolean;
  /** undefined: messages.groupChat.historyLimit, else DEFAULT_HISTORY_LIMIT. */
  historyLimit?: number;
  textChunkLimit?: number;
  apiRoot?: string;
  webhook?: { url: string; secret?: string; path: string; host: string; port: number };
  healthMonitor: boolean;
  /** Discord only: applicationId, intents, allowBots (discord/config.ts). */
  discord?: DiscordExtras;
  /** iMessage: how `imsg rpc` is spawned and what `send` is told. */
  imessage?: { cliPath: string; dbPath?: string; service?: 'imessage' | 'sms' | 'auto'; region?: string; probeTimeoutMs?: number };
}

export const DEFAULT_HISTORY_LIMIT = 50;

/** Telegram prefixes (`telegram:`, `tg:`) and Discord's (`discord:`) are not part of the id. */
export function normalizeSenderEntry(channel: ChannelId, entry: string | number): string {
  const s = String(entry).trim();
  const prefixes = channel === 'telegram' ? ['telegram:', 'tg:'] : [`${channel}:`];
  for (const p of prefixes) if (s.toLowerCase().startsWith(p)) return s.slice(p.length);
  return s;
}

const norm = (channel: ChannelId, list: Array<string | number> | undefined) => list?.map((e) => normalizeSenderEntry(channel, e));

/** The account ids a channel block defines (`default` when it has no accounts map). */
export function accountIds(block: { accounts?: Record<string, unknown>; defaultAccount?: string } | undefined): string[] {
  if (!block) return [];
  const ids = Object.keys(block.accounts ?? {});
  return ids.length ? ids : [DEFAULT_ACCOUNT_ID];
}

type Env = Record<string, string | undefined>;

/** Reads `tokenFile`: a regular file (symlinks are rejected, like upstream), trimmed. */
function readTokenFile(file: string): { token?: string; error?: string } {
  try {
    const st = fs.lstatSync(file);
    if (st.isSymbolicLink()) return { error: `tokenFile ${file} is a symlink; point tokenFile at the real file` };
    if (!st.isFile()) return { error: `tokenFile ${file} is not a regular file` };
    const token = fs.readFileSync(file, 'utf8').trim();
    return token ? { token } : { error: `tokenFile ${file} is empty` };
  } catch (err) {
    return { error: `cannot read tokenFile ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
}


/** Resolves every Telegram account of `block`. Token precedence: tokenFile > botToken > env (default account only). */
export function resolveTelegramAccounts(block: TelegramChannelConfig | undefined, env: Env = process.env, channelDefaults?: { groupPolicy?: GroupPolicy }): ResolvedAccount[] {
  // TELEGRAM_BOT_TOKEN alone configures the default account (upstream's status counts it as configured too).
  if (!block) {
    if (!env.TELEGRAM_BOT_TOKEN?.trim()) return [];
    block = {} as TelegramChannelConfig;
  }
  return accountIds(block).map((accountId) => {
    const acc = { ...block, ...(block.accounts?.[accountId] ?? {}) } as TelegramChannelConfig;
    let token: string | undefined;
    let tokenSource: TokenSource = 'none';
    let tokenError: string | undefined;
    const configured = secretValue(acc.botToken, env);
    const refProblem = configured === undefined ? secretProblem(acc.botToken, env, 'tokenFile: "<path>"') : undefined;
    if (acc.tokenFile) {
      const r = readTokenFile(acc.tokenFile);
      token = r.token;
      tokenError = r.error;
      tokenSource = 'tokenFile';
    } else if (configured !== undefined || refProblem) {
      token = configured;
      tokenError = refProblem && `botToken ${refProblem}`;
      tokenSource = 'config';
    } else if (accountId === DEFAULT_ACCOUNT_ID && env.TELEGRAM_BOT_TOKEN?.trim()) {
      token = env.TELEGRAM_BOT_TOKEN.trim();
      tokenSource = 'env';
    }
    const groups = acc.groups ? Object.fromEntries(Object.entries(acc.groups).map(([id, g]) => [id, toGroupRule(g)])) : undefined;
    const webhook = acc.webhookUrl
      ? { url: acc.webhookUrl, secret: secretValue(acc.webhookSecret, env), path: acc.webhookPath ?? '/telegram-webhook', host: acc.webhookHost ?? '127.0.0.1', port: acc.webhookPort ?? 8787 }
      : undefined;
    return {
      channel: 'telegram' as const,
      accountId,
      name: acc.name,
      enabled: acc.enabled !== false,
      configured: !!token,
      token,
      tokenSource,
      tokenError,
      ...sharedAccessFields(acc, (l) => norm('telegram', l), channelDefaults),
      groups,
      apiRoot: acc.apiRoot,
      webhook,
    };
  });
}

function toGroupRule(g: TelegramGroupEntry | z.infer<typeof topicEntry>): GroupRule {
  const topics = 'topics' in g && g.topics ? Object.fromEntries(Object.entries(g.topics).map(([id, t]) => [id, toGroupRule(t)])) : undefined;
  return {
    requireMention: g.requireMention,
    enabled: g.enabled,
    groupPolicy: g.groupPolicy,
    allowFrom: norm('telegram', g.allowFrom),
    systemPrompt: g.systemPrompt,
    ...(topics ? { topics } : {}),
  };
}

/** Every account of every implemented channel in the config. */
/** How each implemented channel's accounts are read from its `channels.<id>` block. */
const ACCOUNT_RESOLVERS: Partial<Record<ChannelId, (block: unknown, env: Env, defaults?: { groupPolicy?: GroupPolicy }) => ResolvedAccount[]>> = {
  telegram: (block, env, defaults) => resolveTelegramAccounts(block as TelegramChannelConfig | undefined, env, defaults),
  discord: (block, env, defaults) => resolveDiscordAccounts(block as DiscordChannelConfig | undefined, env, defaults),
  whatsapp: (block, env, defaults) => resolveWhatsAppAccounts(block as WhatsAppChannelConfig | undefined, env, defaults),
  imessage: (block, env, defaults) => resolveIMessageAccounts(block as IMessageChannelConfig | undefined, env, defaults),
};

export function resolveAllAccounts(channels: unknown, env: Env = process.env): ResolvedAccount[] {
  const c = (channels ?? {}) as Record<string, unknown> & { defaults?: { groupPolicy?: GroupPolicy } };
  return CHANNEL_ORDER.flatMap((id) => ACCOUNT_RESOLVERS[id]?.(c[id], env, c.defaults) ?? []);
}

/** Channel blocks present in the config that this gateway has no adapter for (reported, not refused). */
export function unimplementedChannels(channels: unknown): string[] {
  if (!channels || typeof channels !== 'object') return [];
  return Object.keys(channels).filter((id) => id !== 'defaults' && !(CHANNEL_FACTS as Record<string, { implemented: boolean } | undefined>)[id]?.implemented);
}
