// The one place that decides what happens to an inbound channel message. Pure: the caller passes
// the facts, the resolved account, and the pairing-store approvals it just read. Order follows
// upstream: DM policy and allowlists (+ pairing) → group policy, membership map, sender allowlist
// → addressed to someone else (ignoreOtherMentions) → mention gating. Every drop says which gate
// dropped it and what to change, because upstream users could not tell why their messages vanished.
import type { GroupRule, ResolvedAccount } from './config.js';
import type { ChannelId, GroupPolicy, InboundFacts } from './types.js';

export type IngressGate =
  | 'dm-disabled'
  | 'dm-allowlist'
  | 'dm-open-not-listed'
  | 'group-disabled'
  | 'group-not-allowed'
  | 'group-entry-disabled'
  | 'group-sender-not-allowed'
  | 'addressed-to-other'
  | 'mention-required';

export type IngressDecision =
  | { action: 'dispatch'; requireMention: boolean; via: 'dm' | 'mention' | 'implicit' | 'command' | 'always'; systemPrompt?: string }
  /** Unknown DM sender under dmPolicy=pairing: create (or refresh) a pairing request; do not process. */
  | { action: 'pair' }
  /** `keepAsContext`: the message is stored as group history for the next mention. */
  | { action: 'drop'; gate: IngressGate; log: string; fix: string; keepAsContext?: boolean };

export interface IngressContext {
  /** Pairing-store approvals for this channel account (DM access only). */
  approvedSenders: readonly string[];
  /** Case-insensitive regexes that count as a mention (messages.groupChat.mentionPatterns). */
  mentionPatterns?: readonly string[];
}

const listed = (list: readonly string[] | undefined, id: string) => !!list && (list.includes('*') || list.includes(id));

/**
 * Where channels differ in upstream's group model (the gates stay the same, in the same order):
 * which groups pass without a map, whether the sub-map (topics / guild channels) is an allowlist,
 * who must be listed as a sender, and the log lines users grep for.
 */
interface GroupModel {
  /** No `groups` map: every group passes the map gate (WhatsApp, iMessage); else only under groupPolicy open. */
  noMapAdmitsAll: boolean;
  /** A group entry's `topics` map is an allowlist of its sub-chats (Discord guild `channels`). */
  topicsAreAllowlist: boolean;
  /** Under allowlist, senders are checked only when the entry lists users/roles (Discord); else entry → groupAllowFrom → allowFrom. */
  sendersOnlyFromEntry: boolean;
  /** The config key of the group map (`groups`; Discord `guilds`). */
  mapKey: string;
  /** The config key of a group entry's sub-chat map (`topics`; Discord `channels`). */
  subMapKey: string;
  notAllowed(ch: ChannelId, groupId: string, why: string, base: string): string;
  senderBlocked(ch: ChannelId, senderId: string, groupId: string): string;
  mentionSkipped(f: InboundFacts, groupId: string): string;
  otherAddressed(f: InboundFacts, groupId: string): string;
}

const DEFAULT_MODEL: GroupModel = {
  noMapAdmitsAll: false,
  topicsAreAllowlist: false,
  sendersOnlyFromEntry: false,
  mapKey: 'groups',
  subMapKey: 'topics',
  notAllowed: (ch, groupId, why) => `${ch}: drop group message (group ${groupId} not allowed: ${why})`,
  senderBlocked: (ch, senderId, groupId) => `Blocked ${ch} group sender ${senderId} in ${groupId} (groupPolicy=allowlist, not in groupAllowFrom/allowFrom)`,
  mentionSkipped: (f, groupId) => `${f.channel}: skipping group message (mention required, chat=${groupId}${f.threadId ? `, topic=${f.threadId}` : ''}, reason=no-mention); kept as context`,
  otherAddressed: (f, groupId) => `${f.channel}: drop group message (addressed to another identity, ignoreOtherMentions=true, chat=${groupId}); kept as context`,
};

const GROUP_MODELS: Partial<Record<ChannelId, GroupModel>> = {
  discord: {
    noMapAdmitsAll: false,
    topicsAreAllowlist: true,
    sendersOnlyFromEntry: true,
    mapKey: 'guilds',
    subMapKey: 'channels',
    notAllowed: (_ch, groupId, why) => `discord: drop guild message (guild ${groupId} not allowed: ${why.replace('groups', 'guilds')})`,
    senderBlocked: () => 'Blocked discord guild sender (not in users/roles allowlist)',
    // Upstream's line, quoted by the troubleshooting guides.
    mentionSkipped: (f) => `discord: drop guild message (mention required, botId=${f.botId ?? '<missing>'}); kept as context`,
    otherAddressed: (f) => `discord: drop guild message (addressed to another identity, ignoreOtherMentions=true, botId=${f.botId ?? '<missing>'}); kept as context`,
  },
  whatsapp: {
    ...DEFAULT_MODEL,
    noMapAdmitsAll: true,
    // Upstream's lines, without a channel prefix (the logger adds [whatsapp]).
    notAllowed: (_ch, groupId, _why, base) => `Dropping message from unregistered WhatsApp group ${groupId}. Add the group JID to ${base}.groups to allow it`,
    mentionSkipped: (_f, groupId) => `Group message stored for context (no mention detected) in ${groupId}`,
  },
  imessage: { ...DEFAULT_MODEL, noMapAdmitsAll: true },
};

export function decideIngress(facts: InboundFacts, account: ResolvedAccount, ctx: IngressContext): IngressDecision {
  return facts.chatType === 'dm' ? decideDm(facts, account, ctx) : decideGroup(facts, account, ctx);
}

function decideDm(f: InboundFacts, a: ResolvedAccount, ctx: IngressContext): IngressDecision {
  const ch = f.channel;
  const base = configBase(ch, a.accountId);
  switch (a.dmPolicy) {
    case 'disabled':
      return drop('dm-disabled', `${ch}: drop dm (dmPolicy: disabled)`, `openclaw config set ${base}.dmPolicy pairing`);
    case 'open':
      // Pairing approvals never widen `open`: only "*" or the listed senders pass.
      if (listed(a.allowFrom, f.senderId)) return { action: 'dispatch', requireMention: false, via: 'dm' };
      return drop('dm-open-not-listed', `Blocked unauthorized ${ch} sender ${f.senderId} (dmPolicy=open)`, `add "*" (or ${f.senderId}) to ${base}.allowFrom`);
    case 'allowlist':
      if (listed(a.allowFrom, f.senderId) || ctx.approvedSenders.includes(f.senderId)) return { action: 'dispatch', requireMention: false, via: 'dm' };
      return drop('dm-allowlist', `Blocked unauthorized ${ch} sender ${f.senderId} (dmPolicy=allowlist, reason=not in allowFrom)`, `add ${f.senderId} to ${base}.allowFrom, or set ${base}.dmPolicy pairing`);
    case 'pairing':
    default:
      if (listed(a.allowFrom, f.senderId) || ctx.approvedSenders.includes(f.senderId)) return { action: 'dispatch', requireMention: false, via: 'dm' };
      return { action: 'pair' };
  }
}

/** The rule for a group (and topic): topic entry over group entry over `"*"`. */
export function groupRuleFor(a: ResolvedAccount, groupId: string, threadId?: string): { rule?: GroupRule; listed: boolean } {
  if (!a.groups) return { listed: false };
  const group = a.groups[groupId] ?? a.groups['*'];
  if (!group) return { listed: false };
  const topic = threadId ? (group.topics?.[threadId] ?? group.topics?.['*']) : undefined;
  return { rule: topic ? { ...group, ...defined(topic) } : group, listed: true };
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** requireMention: most specific scope → the `"*"` entry → true. */
export function resolveRequireMention(a: ResolvedAccount, groupId: string, threadId?: string): boolean {
  const { rule } = groupRuleFor(a, groupId, threadId);
  return rule?.requireMention ?? a.groups?.['*']?.requireMention ?? true;
}

function decideGroup(f: InboundFacts, a: ResolvedAccount, ctx: IngressContext): IngressDecision {
  const ch = f.channel;
  const base = configBase(ch, a.accountId);
  const groupId = f.groupId ?? f.chatId;
  const model = GROUP_MODELS[ch] ?? DEFAULT_MODEL;
  const { rule, listed: inMap } = groupRuleFor(a, groupId, f.threadId);
  const policy: GroupPolicy = rule?.groupPolicy ?? a.groupPolicy;
  const groupKey = `${base}.${model.mapKey}[${JSON.stringify(groupId)}]`; // bracketed: group ids start with "-" and config set must not store quotes

  if (policy === 'disabled') {
    return drop('group-disabled', `${ch}: drop group message (groupPolicy: disabled, chat=${groupId})`, `openclaw config set ${rule?.groupPolicy ? `'${groupKey}.groupPolicy'` : `${base}.groupPolicy`} allowlist`);
  }
  if (a.groups ? !inMap : policy !== 'open' && !model.noMapAdmitsAll) {
    const why = a.groups ? 'not in groups' : 'groupPolicy: allowlist, no groups configured';
    return drop('group-not-allowed', model.notAllowed(ch, groupId, why, base), `openclaw config set '${groupKey}' '{"requireMention":true}'`);
  }
  if (model.topicsAreAllowlist && f.threadId && inMap) {
    const entry = a.groups?.[groupId] ?? a.groups?.['*'];
    const subs = entry?.topics;
    if (subs && Object.keys(subs).length > 0 && !subs[f.threadId] && !subs['*']) {
      return drop('group-not-allowed', `${ch}: drop guild message (channel ${f.threadId} not allowed in guild ${groupId})`, `openclaw config set '${groupKey}.${model.subMapKey}[${JSON.stringify(f.threadId)}]' '{"requireMention":true}'`);
    }
  }
  if (rule?.enabled === false) {
    return drop('group-entry-disabled', `${ch}: drop group message (group ${groupId} disabled in config)`, `openclaw config set '${groupKey}.enabled' true`);
  }
  if (policy === 'allowlist') {
    // Group senders are checked against config only: DM pairing approvals never grant group access.
    const roles = rule?.roles ?? [];
    const byRole = roles.length > 0 && (f.senderRoles ?? []).some((r) => roles.includes(r));
    const senders = model.sendersOnlyFromEntry ? rule?.allowFrom : (rule?.allowFrom ?? a.groupAllowFrom ?? a.allowFrom);
    const checked = !model.sendersOnlyFromEntry || senders !== undefined || roles.length > 0;
    if (checked && !byRole && !listed(senders, f.senderId)) {
      const fix = model.sendersOnlyFromEntry ? `add ${f.senderId} to ${groupKey}.users (or one of their roles to .roles)` : `add ${f.senderId} (or "*") to ${base}.groupAllowFrom`;
      return drop('group-sender-not-allowed', model.senderBlocked(ch, f.senderId, groupId), fix);
    }
  }

  // Addressed to someone else: dropped even where no mention is required. Upstream: "an explicit
  // mention of the current bot still wins" (a reply to the bot that tags @alice does not); without
  // a bot identity nothing is "someone else", so the gate stays open.
  if (f.addressedToOthers && !f.wasMentioned && f.canDetectMention) {
    const ignore = resolveIgnoreOtherMentions(a, groupId, f.threadId, base, model);
    if (ignore.on) {
      return {
        action: 'drop',
        gate: 'addressed-to-other',
        log: model.otherAddressed(f, groupId),
        fix: `mention the bot explicitly, or openclaw config set '${ignore.key}.ignoreOtherMentions' false`,
        keepAsContext: true,
      };
    }
  }

  const requireMention = resolveRequireMention(a, groupId, f.threadId);
  const patternHit = matchesMentionPattern(f.text, ctx.mentionPatterns);
  const canDetect = f.canDetectMention || (ctx.mentionPatterns?.length ?? 0) > 0;
  const systemPrompt = rule?.systemPrompt;
  if (!requireMention) return { action: 'dispatch', requireMention, via: 'always', systemPrompt };
  if (f.wasMentioned || patternHit) return { action: 'dispatch', requireMention, via: 'mention', systemPrompt };
  if (f.implicitMention) return { action: 'dispatch', requireMention, via: 'implicit', systemPrompt };
  // An authorized control command that mentions nobody passes the gate.
  if (f.isCommand) return { action: 'dispatch', requireMention, via: 'command', systemPrompt };
  if (!canDetect) return { action: 'dispatch', requireMention, via: 'always', systemPrompt };
  return {
    action: 'drop',
    gate: 'mention-required',
    log: model.mentionSkipped(f, groupId),
    fix: `mention the bot, reply to it, or openclaw config set '${groupKey}.requireMention' false`,
    keepAsContext: true,
  };
}

/**
 * ignoreOtherMentions: sub-chat entry → group entry → the `"*"` entry → the account → false, with
 * the config path of the scope that decided (for the fix).
 */
export function resolveIgnoreOtherMentions(a: ResolvedAccount, groupId: string, threadId: string | undefined, base: string, model: Pick<GroupModel, 'mapKey' | 'subMapKey'>): { on: boolean; key: string } {
  const key = (id: string) => `${base}.${model.mapKey}[${JSON.stringify(id)}]`;
  const scopes: Array<[GroupRule | undefined, string]> = [];
  const groupKey = a.groups?.[groupId] ? groupId : a.groups?.['*'] ? '*' : undefined;
  const entry = groupKey !== undefined ? a.groups![groupKey] : undefined;
  if (entry && threadId && entry.topics) {
    const sub = entry.topics[threadId] ? threadId : entry.topics['*'] ? '*' : undefined;
    if (sub !== undefined) scopes.push([entry.topics[sub], `${key(groupKey!)}.${model.subMapKey}[${JSON.stringify(sub)}]`]);
  }
  if (entry) scopes.push([entry, key(groupKey!)]);
  if (groupKey !== '*' && a.groups?.['*']) scopes.push([a.groups['*'], key('*')]);
  for (const [rule, k] of scopes) if (rule?.ignoreOtherMentions !== undefined) return { on: rule.ignoreOtherMentions, key: k };
  return { on: a.ignoreOtherMentions ?? false, key: base };
}

/** Case-insensitive "safe" match: an invalid pattern never matches (and never throws). */
export function matchesMentionPattern(text: string, patterns: readonly string[] | undefined): boolean {
  if (!patterns?.length) return false;
  for (const p of patterns) {
    try {
      if (p.length <= 200 && new RegExp(p, 'i').test(text)) return true;
    } catch {
      // invalid pattern: ignored (doctor reports config problems)
    }
  }
  return false;
}

function configBase(ch: ChannelId, accountId: string): string {
  return accountId === 'default' ? `channels.${ch}` : `channels.${ch}.accounts.${accountId}`;
}

function drop(gate: IngressGate, log: string, fix: string): IngressDecision {
  return { action: 'drop', gate, log, fix };
}
