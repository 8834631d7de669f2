// The one place that decides what happens to an inbound channel message. Pure: the caller passes
// the facts, the resolved account, and the pairing-store approvals it just read. Order follows
// upstream: DM policy and allowlists (+ pairing) → group policy, membership map, sender allowlist
// → mention gating. Every drop says which gate dropped it and what to change, because upstream
// users could not tell why their messages vanished.
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
  const { rule, listed: inMap } = groupRuleFor(a, groupId, f.threadId);
  const policy: GroupPolicy = rule?.groupPolicy ?? a.groupPolicy;
  const groupKey = `${base}.groups[${JSON.stringify(groupId)}]`; // bracketed: group ids start with "-" and config set must not store quotes

  if (policy === 'disabled') {
    return drop('group-disabled', `${ch}: drop group message (groupPolicy: disabled, chat=${groupId})`, `openclaw config set ${rule?.groupPolicy ? `'${groupKey}.groupPolicy'` : `${base}.groupPolicy`} allowlist`);
  }
  if (a.groups ? !inMap : policy !== 'open') {
    const why = a.groups ? 'not in groups' : 'groupPolicy: allowlist, no groups configured';
    return drop('group-not-allowed', `${ch}: drop group message (group ${groupId} not allowed: ${why})`, `openclaw config set '${groupKey}' '{"requireMention":true}'`);
  }
  if (rule?.enabled === false) {
    return drop('group-entry-disabled', `${ch}: drop group message (group ${groupId} disabled in config)`, `openclaw config set '${groupKey}.enabled' true`);
  }
  if (policy === 'allowlist') {
    // Group senders are checked against config only: DM pairing approvals never grant group access.
    const senders = rule?.allowFrom ?? a.groupAllowFrom ?? a.allowFrom;
    if (!listed(senders, f.senderId)) {
      return drop('group-sender-not-allowed', `Blocked ${ch} group sender ${f.senderId} in ${groupId} (groupPolicy=allowlist, not in groupAllowFrom/allowFrom)`, `add ${f.senderId} (or "*") to ${base}.groupAllowFrom`);
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
    log: `${ch}: skipping group message (mention required, chat=${groupId}${f.threadId ? `, topic=${f.threadId}` : ''}, reason=no-mention); kept as context`,
    fix: `mention the bot, reply to it, or openclaw config set '${groupKey}.requireMention' false`,
    keepAsContext: true,
  };
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
