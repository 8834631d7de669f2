import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveTelegramAccounts, type ResolvedAccount } from './config.js';
import { decideIngress, resolveRequireMention } from './ingress-policy.js';
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
