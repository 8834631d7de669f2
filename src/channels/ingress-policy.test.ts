import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveTelegramAccounts, type ResolvedAccount } from './config.js';
import { decideIngress, resolveIgnoreOtherMentions, resolveRequireMention } from './ingress-policy.js';
import { resolveDiscordAccounts, type DiscordChannelConfig } from './discord/config.js';
import type { InboundFacts } from './types.js';

function account(block: Record<string, unknown>): ResolvedAccount {
  return resolveTelegramAccounts({ botToken: '1:x', ...block } as never, {})[0];
}

const dm = (senderId: string, extra: Partial<InboundFacts> = {}): InboundFacts => ({
  channel: 'telegram', accountId: 'default', messageId: '1', senderId, chatType: 'dm', chatId: senderId, text: 'hi', wasMentioned: false, canDetectMention: true, sentAt: 0, ...extra,
});
const group = (groupId: string, senderId: string, extra: Partial<InboundFacts> = {}): InboundFacts => ({
  ...dm(senderId), chatType: 'group', chatId: groupId, groupId, ...extra,
});
const none = { approvedSenders: [] };

test('dmPolicy defaults to pairing: unknown senders pair, listed and approved senders pass', () => {
  const a = account({ allowFrom: ['telegram:42'] });
  assert.equal(a.dmPolicy, 'pairing');
  assert.deepEqual(decideIngress(dm('7'), a, none), { action: 'pair' });
  assert.equal(decideIngress(dm('42'), a, none).action, 'dispatch');
  assert.equal(decideIngress(dm('7'), a, { approvedSenders: ['7'] }).action, 'dispatch');
});

test('dmPolicy disabled drops every DM with the upstream log line', () => {
  const d = decideIngress(dm('42'), account({ dmPolicy: 'disabled', allowFrom: ['42'] }), none);
  assert.equal(d.action, 'drop');
  assert.equal(d.action === 'drop' && d.log, 'telegram: drop dm (dmPolicy: disabled)');
});

test('dmPolicy open admits "*" but pairing approvals never widen a concrete list', () => {
  assert.equal(decideIngress(dm('9'), account({ dmPolicy: 'open', allowFrom: ['*'] }), none).action, 'dispatch');
  const d = decideIngress(dm('9'), account({ dmPolicy: 'open', allowFrom: ['1'] }), { approvedSenders: ['9'] });
  assert.equal(d.action === 'drop' && d.log, 'Blocked unauthorized telegram sender 9 (dmPolicy=open)');
});

test('dmPolicy allowlist: allowFrom ∪ approvals pass, others are dropped with a fix', () => {
  const a = account({ dmPolicy: 'allowlist', allowFrom: ['1'] });
  assert.equal(decideIngress(dm('1'), a, none).action, 'dispatch');
  assert.equal(decideIngress(dm('2'), a, { approvedSenders: ['2'] }).action, 'dispatch');
  const d = decideIngress(dm('3'), a, none);
  assert.equal(d.action, 'drop');
  assert.match(d.action === 'drop' ? d.fix : '', /channels\.telegram\.allowFrom/);
});

test('groups: no map + allowlist blocks all; a map is an allowlist; "*" admits all', () => {
  assert.equal(decideIngress(group('-100', '1'), account({ allowFrom: ['1'] }), none).action, 'drop');
  const listed = account({ allowFrom: ['1'], groups: { '-100': { requireMention: false } } });
  assert.equal(decideIngress(group('-100', '1'), listed, none).action, 'dispatch');
  const other = decideIngress(group('-200', '1'), listed, none);
  assert.equal(other.action === 'drop' && other.gate, 'group-not-allowed');
  assert.equal(decideIngress(group('-300', '1'), account({ allowFrom: ['1'], groups: { '*': { requireMention: false } } }), none).action, 'dispatch');
  assert.equal(decideIngress(group('-300', '1'), account({ groupPolicy: 'open' }), { approvedSenders: [] }).action === 'drop', true, 'open policy still needs a mention by default');
});

test('group senders: groupAllowFrom, else allowFrom; DM approvals never grant group access', () => {
  const a = account({ allowFrom: ['1'], groups: { '-100': { requireMention: false } } });
  const d = decideIngress(group('-100', '2'), a, { approvedSenders: ['2'] });
  assert.equal(d.action === 'drop' && d.gate, 'group-sender-not-allowed');
  const b = account({ allowFrom: ['1'], groupAllowFrom: ['*'], groups: { '-100': { requireMention: false } } });
  assert.equal(decideIngress(group('-100', '2'), b, none).action, 'dispatch');
  const c = account({ groups: { '-100': { groupPolicy: 'open', requireMention: false } } });
  assert.equal(decideIngress(group('-100', '99'), c, none).action, 'dispatch');
});

test('mention gating: requireMention defaults true; mention, reply-to-bot, command and patterns pass', () => {
  const a = account({ groupAllowFrom: ['*'], groups: { '-100': {} } });
  const skip = decideIngress(group('-100', '1'), a, none);
  assert.equal(skip.action === 'drop' && skip.gate, 'mention-required');
  assert.equal(skip.action === 'drop' && skip.keepAsContext, true);
  assert.equal(decideIngress(group('-100', '1', { wasMentioned: true }), a, none).action, 'dispatch');
  assert.equal(decideIngress(group('-100', '1', { implicitMention: 'reply_to_bot' }), a, none).action, 'dispatch');
  assert.equal(decideIngress(group('-100', '1', { isCommand: true }), a, none).action, 'dispatch');
  assert.equal(decideIngress(group('-100', '1', { text: 'hey Claw, help' }), a, { approvedSenders: [], mentionPatterns: ['\\bclaw\\b'] }).action, 'dispatch');
  assert.equal(decideIngress(group('-100', '1', { canDetectMention: false }), a, none).action, 'dispatch');
  assert.equal(decideIngress(group('-100', '1', { text: 'x' }), a, { approvedSenders: [], mentionPatterns: ['(unclosed'] }).action, 'drop');
});

test('requireMention resolution: topic → group → "*" → true', () => {
  const a = account({ groups: { '*': { requireMention: false }, '-1': { requireMention: true, topics: { '5': { requireMention: false } } }, '-2': {} } });
  assert.equal(resolveRequireMention(a, '-1'), true);
  assert.equal(resolveRequireMention(a, '-1', '5'), false);
  assert.equal(resolveRequireMention(a, '-2'), false);
  assert.equal(resolveRequireMention(a, '-9'), false);
  assert.equal(resolveRequireMention(account({ groups: { '-1': {} } }), '-1'), true);
});

test('groupPolicy disabled and disabled entries drop', () => {
  const d = decideIngress(group('-100', '1'), account({ groupPolicy: 'disabled', groups: { '*': {} } }), none);
  assert.equal(d.action === 'drop' && d.gate, 'group-disabled');
  const e = decideIngress(group('-100', '1', { wasMentioned: true }), account({ groupAllowFrom: ['*'], groups: { '-100': { enabled: false } } }), none);
  assert.equal(e.action === 'drop' && e.gate, 'group-entry-disabled');
});

// Other channels' group models, on accounts shaped as their resolvers produce them.
const as = (channel: 'discord' | 'whatsapp', block: Record<string, unknown>): ResolvedAccount => ({ ...account(block), channel });
const on = (channel: 'discord' | 'whatsapp', f: InboundFacts): InboundFacts => ({ ...f, channel });

test('whatsapp: without a groups map every group is eligible; with one, unlisted groups get upstream\'s line', () => {
  const open = as('whatsapp', { groupAllowFrom: ['+1555'] });
  assert.equal(decideIngress(on('whatsapp', group('g1@g.us', '+1555', { wasMentioned: true })), open, none).action, 'dispatch');
  const blocked = decideIngress(on('whatsapp', group('g1@g.us', '+1999', { wasMentioned: true })), open, none);
  assert.equal(blocked.action === 'drop' && blocked.gate, 'group-sender-not-allowed');
  const mapped = as('whatsapp', { groupAllowFrom: ['*'], groups: { 'g2@g.us': {} } });
  const d = decideIngress(on('whatsapp', group('g1@g.us', '+1555')), mapped, none);
  assert.equal(d.action === 'drop' && d.log, 'Dropping message from unregistered WhatsApp group g1@g.us. Add the group JID to channels.whatsapp.groups to allow it');
  const skip = decideIngress(on('whatsapp', group('g2@g.us', '+1555')), mapped, none);
  assert.equal(skip.action === 'drop' && skip.log, 'Group message stored for context (no mention detected) in g2@g.us');
});

test('discord: guilds are the allowlist, a guild\'s channels map narrows it, users/roles gate senders only when set', () => {
  const a = as('discord', { groups: { G1: { requireMention: true, topics: { C1: {}, C2: { requireMention: false } } }, G2: {} } });
  const msg = (guild: string, channel: string, sender: string, extra: Partial<InboundFacts> = {}) => on('discord', group(guild, sender, { chatId: channel, threadId: channel, botId: 'B0T', ...extra }));
  const skipped = decideIngress(msg('G1', 'C1', 'u1'), a, none);
  assert.equal(skipped.action === 'drop' && skipped.log, 'discord: drop guild message (mention required, botId=B0T); kept as context');
  assert.equal(decideIngress(msg('G1', 'C2', 'u1'), a, none).action, 'dispatch', 'channel-level requireMention false wins');
  const otherChannel = decideIngress(msg('G1', 'C9', 'u1', { wasMentioned: true }), a, none);
  assert.equal(otherChannel.action === 'drop' && otherChannel.log, 'discord: drop guild message (channel C9 not allowed in guild G1)');
  assert.equal(decideIngress(msg('G2', 'C5', 'anyone', { wasMentioned: true }), a, none).action, 'dispatch', 'no users/roles: every member of an allowed guild');
  const unlisted = decideIngress(msg('G3', 'C1', 'u1', { wasMentioned: true }), a, none);
  assert.equal(unlisted.action === 'drop' && unlisted.log, 'discord: drop guild message (guild G3 not allowed: not in guilds)');

  // Telegram's resolver knows no roles: the rule is set as the Discord resolver builds it.
  const gated: ResolvedAccount = { ...as('discord', {}), groups: { G1: { allowFrom: ['u1'], roles: ['R-mod'] } } };
  assert.equal(decideIngress(msg('G1', 'C1', 'u1', { wasMentioned: true }), gated, none).action, 'dispatch');
  assert.equal(decideIngress(msg('G1', 'C1', 'u2', { wasMentioned: true, senderRoles: ['R-mod'] }), gated, none).action, 'dispatch', 'a role admits');
  const no = decideIngress(msg('G1', 'C1', 'u2', { wasMentioned: true, senderRoles: ['R-other'] }), gated, none);
  assert.equal(no.action === 'drop' && no.log, 'Blocked discord guild sender (not in users/roles allowlist)');
  assert.match(no.action === 'drop' ? no.fix : '', /channels\.discord\.guilds\["G1"\]\.users/);
});

test('discord ignoreOtherMentions: a message addressed to someone else is dropped even without requireMention; an explicit bot mention wins', () => {
  const discord = (block: Record<string, unknown>) => resolveDiscordAccounts({ token: 't', ...block } as DiscordChannelConfig, {})[0];
  const msg = (guild: string, channel: string, extra: Partial<InboundFacts> = {}) => on('discord', group(guild, 'u1', { chatId: channel, threadId: channel, botId: 'B0T', ...extra }));
  const a = discord({ guilds: { G1: { requireMention: false, ignoreOtherMentions: true } } });

  const d = decideIngress(msg('G1', 'C1', { addressedToOthers: true }), a, none);
  assert.equal(d.action === 'drop' && d.gate, 'addressed-to-other');
  assert.equal(d.action === 'drop' && d.log, 'discord: drop guild message (addressed to another identity, ignoreOtherMentions=true, botId=B0T); kept as context');
  assert.equal(d.action === 'drop' && d.fix, `mention the bot explicitly, or openclaw config set 'channels.discord.guilds["G1"].ignoreOtherMentions' false`);
  assert.equal(d.action === 'drop' && d.keepAsContext, true);

  assert.equal(decideIngress(msg('G1', 'C1'), a, none).action, 'dispatch', 'not addressed to anyone: requireMention false lets it through');
  assert.equal(decideIngress(msg('G1', 'C1', { addressedToOthers: true, wasMentioned: true }), a, none).action, 'dispatch', 'the bot mentioned too');
  assert.equal(decideIngress(msg('G1', 'C1', { addressedToOthers: true, implicitMention: 'reply_to_bot' }), a, none).action, 'drop', 'only an explicit mention wins');
  assert.equal(decideIngress(msg('G1', 'C1', { addressedToOthers: true, canDetectMention: false }), a, none).action, 'dispatch', 'no bot identity: fail open');
  assert.equal(decideIngress(msg('G1', 'C1', { addressedToOthers: true, text: 'claw?' }), a, { approvedSenders: [], mentionPatterns: ['claw'] }).action, 'drop', 'a mention pattern is not an explicit mention');

  // off by default; the earlier gates still come first
  const off = discord({ guilds: { G1: { requireMention: false } } });
  assert.equal(decideIngress(msg('G1', 'C1', { addressedToOthers: true }), off, none).action, 'dispatch');
  const unlisted = decideIngress(msg('G9', 'C1', { addressedToOthers: true }), a, none);
  assert.equal(unlisted.action === 'drop' && unlisted.gate, 'group-not-allowed');
  // with requireMention (the default) too: this gate names the reason, not "mention required"
  const gated = decideIngress(msg('G2', 'C1', { addressedToOthers: true }), discord({ guilds: { G2: { ignoreOtherMentions: true } } }), none);
  assert.equal(gated.action === 'drop' && gated.gate, 'addressed-to-other');
});

test('discord ignoreOtherMentions resolution: channel → guild → "*" guild → account, with the path that decided', () => {
  const discord = (block: Record<string, unknown>, accountId = 'default') => resolveDiscordAccounts({ token: 't', ...block } as DiscordChannelConfig, {}).find((x) => x.accountId === accountId)!;
  const model = { mapKey: 'guilds', subMapKey: 'channels' };
  const base = 'channels.discord';
  const a = discord({
    ignoreOtherMentions: true,
    guilds: { '*': { ignoreOtherMentions: false }, G1: { ignoreOtherMentions: true, channels: { C1: { ignoreOtherMentions: false }, C2: {} } }, G2: {} },
  });
  assert.deepEqual(resolveIgnoreOtherMentions(a, 'G1', 'C1', base, model), { on: false, key: 'channels.discord.guilds["G1"].channels["C1"]' });
  assert.deepEqual(resolveIgnoreOtherMentions(a, 'G1', 'C2', base, model), { on: true, key: 'channels.discord.guilds["G1"]' });
  assert.deepEqual(resolveIgnoreOtherMentions(a, 'G2', 'C1', base, model), { on: false, key: 'channels.discord.guilds["*"]' });
  assert.deepEqual(resolveIgnoreOtherMentions(a, 'G7', 'C1', base, model), { on: false, key: 'channels.discord.guilds["*"]' });
  const accountWide = discord({ groupPolicy: 'open', ignoreOtherMentions: true });
  assert.deepEqual(resolveIgnoreOtherMentions(accountWide, 'G1', 'C1', base, model), { on: true, key: 'channels.discord' });
  assert.deepEqual(resolveIgnoreOtherMentions(discord({}), 'G1', undefined, base, model), { on: false, key: 'channels.discord' });
  // an open-policy account without a guilds map: the account-wide key decides, and the fix names it
  const d = decideIngress(on('discord', group('G1', 'u1', { chatId: 'C1', threadId: 'C1', botId: 'B0T', addressedToOthers: true, wasMentioned: false })), discord({ groupPolicy: 'open', ignoreOtherMentions: true, accounts: { work: {} } }, 'work'), none);
  assert.equal(d.action === 'drop' && d.fix, `mention the bot explicitly, or openclaw config set 'channels.discord.accounts.work.ignoreOtherMentions' false`);
});
