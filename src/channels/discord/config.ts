// `channels.discord`: the schema (typed where this gateway acts on a key, accepted where upstream has
// a key we do not act on yet, so an existing ~/.openclaw still loads) and account resolution. Guilds
// are mapped onto the shared GroupRule (guild → group, guild channel → topic), so the shared ingress
// policy decides Discord messages unchanged: facts carry groupId = guild id, threadId = channel id.
import { z } from 'zod';
import { DEFAULT_ACCOUNT_ID, type GroupPolicy } from '../types.js';
// Types only from ../config.js: it imports this file for its schema, so a value import would be a cycle.
import type { GroupRule, ResolvedAccount, TokenSource } from '../config.js';
import { secretProblem, secretValue } from '../secret-ref.js';
import { sharedAccessFields } from '../access-fields.js';

export const DISCORD_DEFAULT_API_ROOT = 'https://discord.com/api/v10';

const dmPolicy = z.enum(['pairing', 'allowlist', 'open', 'disabled']);
const groupPolicy = z.enum(['open', 'disabled', 'allowlist']);
/** Discord ids are snowflakes: strings, but hand-written JSON may carry numbers. */
const idList = z.array(z.union([z.string(), z.number()]));
const secretRef = z.strictObject({ source: z.enum(['env', 'file', 'exec']), provider: z.string(), id: z.string() });
const secret = z.union([z.string(), secretRef]);
const nonNegInt = z.number().int().nonnegative();
const posInt = z.number().int().positive();
const unknownOpt = z.unknown().optional();

/** `guilds.<guildId>.channels.<channelId>`: upstream's channel entry keys. */
const channelEntry = z.strictObject({
  requireMention: z.boolean().optional(),
  users: idList.optional(),
  roles: idList.optional(),
  enabled: z.boolean().optional(),
  systemPrompt: z.string().optional(),
  ignoreOtherMentions: z.boolean().optional(),
  // Upstream keys accepted as written (not acted on here yet).
  autoArchiveDuration: unknownOpt,
  autoThread: unknownOpt,
  autoThreadName: unknownOpt,
  includeThreadStarter: unknownOpt,
  skills: unknownOpt,
  tools: unknownOpt,
  toolsBySender: unknownOpt,
});

/** `guilds.<guildId>`: upstream's guild entry keys (plus enabled/systemPrompt, which the shared rule has). */
const guildEntry = z.strictObject({
  requireMention: z.boolean().optional(),
  users: idList.optional(),
  roles: idList.optional(),
  ignoreOtherMentions: z.boolean().optional(),
  enabled: z.boolean().optional(),
  systemPrompt: z.string().optional(),
  channels: z.record(z.string(), channelEntry).optional(),
  presenceEvents: unknownOpt,
  reactionNotifications: unknownOpt,
  slug: unknownOpt,
  tools: unknownOpt,
  toolsBySender: unknownOpt,
});

const intents = z.looseObject({
  messageContent: z.boolean().optional(),
  presence: z.boolean().optional(),
  guildMembers: z.boolean().optional(),
  voiceStates: z.boolean().optional(),
});

const discordAccountShape = {
  name: z.string().optional(),
  enabled: z.boolean().optional(),
  token: secret.optional(),
  applicationId: z.union([z.string(), z.number()]).optional(),
  intents: intents.optional(),
  dmPolicy: dmPolicy.optional(),
  allowFrom: idList.optional(),
  groupPolicy: groupPolicy.optional(),
  guilds: z.record(z.string(), guildEntry).optional(),
  allowBots: z.union([z.boolean(), z.literal('mentions')]).optional(),
  ignoreOtherMentions: z.boolean().optional(),
  apiRoot: z.string().url('expected a URL such as https://discord.com/api/v10').optional(),
  textChunkLimit: posInt.optional(),
  historyLimit: nonNegInt.optional(),
  healthMonitor: z.strictObject({ enabled: z.boolean().optional() }).optional(),
};

// Upstream's Discord schema has ~54 top-level keys (streaming, actions, dm, threadBindings, voice…);
// the ones not typed above are kept as written (loose) rather than listed, so no valid upstream
// config is refused.
const discordAccount = z.looseObject(discordAccountShape);
export const discordChannelSchema = z.looseObject({
  ...discordAccountShape,
  defaultAccount: z.string().optional(),
  accounts: z.record(z.string(), discordAccount).optional(),
});

export type DiscordChannelConfig = z.infer<typeof discordChannelSchema>;
type DiscordAccountConfig = z.infer<typeof discordAccount>;
type GuildEntry = z.infer<typeof guildEntry>;
type ChannelEntry = z.infer<typeof channelEntry>;

/** What only the Discord adapter reads (resolved with defaults), kept on ResolvedAccount.discord. */
export interface DiscordExtras {
  applicationId?: string;
  /** Message Content intent requested (default true); false = DMs + explicit mentions only. */
  messageContent: boolean;
  guildMembers: boolean;
  presence: boolean;
  voiceStates: boolean;
  allowBots: boolean | 'mentions';
}

type Env = Record<string, string | undefined>;

/** `discord:` / `user:` prefixes and `<@id>` mentions are not part of the id. */
export function normalizeDiscordId(entry: string | number): string {
  const s = String(entry).trim();
  const m = /^<@!?(\d+)>$/.exec(s);
  if (m) return m[1];
  for (const p of ['discord:', 'user:']) if (s.toLowerCase().startsWith(p)) return s.slice(p.length);
  return s;
}

const norm = (list: Array<string | number> | undefined) => list?.map(normalizeDiscordId);

function accountIds(block: { accounts?: Record<string, unknown> }): string[] {
  const ids = Object.keys(block.accounts ?? {});
  return ids.length ? ids : [DEFAULT_ACCOUNT_ID];
}

function channelRule(c: ChannelEntry): GroupRule {
  return { requireMention: c.requireMention, enabled: c.enabled, allowFrom: norm(c.users), roles: c.roles?.map(String), systemPrompt: c.systemPrompt, ignoreOtherMentions: c.ignoreOtherMentions };
}

/** A guild entry as the shared GroupRule: `users` → allowFrom, channels → topics. */
export function guildRule(g: GuildEntry): GroupRule {
  const topics = g.channels ? Object.fromEntries(Object.entries(g.channels).map(([id, c]) => [id, channelRule(c)])) : undefined;
  return { requireMention: g.requireMention, enabled: g.enabled, allowFrom: norm(g.users), roles: g.roles?.map(String), systemPrompt: g.systemPrompt, ignoreOtherMentions: g.ignoreOtherMentions, ...(topics ? { topics } : {}) };
}


/** Upstream accepts `Bot <token>` pasted from docs; the header prefix is added by the REST client. */
const stripBotPrefix = (t: string | undefined) => t?.replace(/^Bot\s+/i, '') || undefined;

/**
 * Every Discord account of `block`. Token precedence: `token` (string or SecretRef) > env
 * DISCORD_BOT_TOKEN (default account only, and only once a `channels.discord` block exists).
 */
export function resolveDiscordAccounts(block: DiscordChannelConfig | undefined, env: Env = process.env, channelDefaults?: { groupPolicy?: GroupPolicy }): ResolvedAccount[] {
  if (!block) return [];
  return accountIds(block).map((accountId) => {
    const acc = { ...block, ...(block.accounts?.[accountId] ?? {}) } as DiscordAccountConfig;
    let token: string | undefined;
    let tokenSource: TokenSource = 'none';
    let tokenError: string | undefined;
    const configured = secretValue(acc.token, env);
    const refProblem = configured === undefined ? secretProblem(acc.token, env) : undefined;
    if (configured !== undefined || refProblem) {
      token = stripBotPrefix(configured);
      tokenError = refProblem && `token ${refProblem}`;
      tokenSource = 'config';
    } else if (accountId === DEFAULT_ACCOUNT_ID && env.DISCORD_BOT_TOKEN?.trim()) {
      token = stripBotPrefix(env.DISCORD_BOT_TOKEN.trim());
      tokenSource = 'env';
    }
    const groups = acc.guilds ? Object.fromEntries(Object.entries(acc.guilds).map(([id, g]) => [id, guildRule(g)])) : undefined;
    const discord: DiscordExtras = {
      ...(acc.applicationId !== undefined ? { applicationId: String(acc.applicationId) } : {}),
      messageContent: acc.intents?.messageContent !== false,
      guildMembers: acc.intents?.guildMembers === true,
      presence: acc.intents?.presence === true,
      voiceStates: acc.intents?.voiceStates === true,
      allowBots: acc.allowBots ?? false,
    };
    return {
      channel: 'discord' as const,
      accountId,
      name: acc.name,
      enabled: acc.enabled !== false,
      configured: !!token,
      token,
      tokenSource,
      tokenError,
      ...sharedAccessFields(acc, norm, channelDefaults),
      groups,
      // Upstream sets it per guild / guild channel; the account-level key is this gateway's default for all guilds.
      ...(acc.ignoreOtherMentions !== undefined ? { ignoreOtherMentions: acc.ignoreOtherMentions } : {}),
      apiRoot: acc.apiRoot ?? DISCORD_DEFAULT_API_ROOT,
      discord,
    };
  });
}
