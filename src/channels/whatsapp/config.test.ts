// channels.whatsapp: schema and account resolution (no socket involved).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { channelsSchema, resolveAllAccounts } from '../config.js';
import { normalizeE164, readLinkedNumber, resolveWhatsAppAccounts, whatsappChannelSchema } from './config.js';
import { writeLinkedCreds } from './testing/fake-socket.js';

const roots: string[] = [];
after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));
const stateDir = () => {
  const r = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-config-'));
  roots.push(r);
  return r;
};

test('schema: typed keys checked, upstream keys kept (mediaMaxMb, pluginHooks, actions, configWrites), access rules apply', () => {
  const block = { dmPolicy: 'pairing', allowFrom: ['+15551234567'], mediaMaxMb: 50, selfChatMode: false, sendReadReceipts: true, pluginHooks: { messageReceived: true }, actions: { reactions: true, polls: false }, configWrites: false, groups: { '120363025246125486@g.us': { requireMention: true, tools: { allow: ['x'] } } }, accounts: { work: { authDir: '/tmp/wa-work', name: 'Work' } } };
  assert.deepEqual(whatsappChannelSchema.parse(block), block);
  assert.equal(whatsappChannelSchema.safeParse({ dmPolicy: 'sometimes' }).success, false);
  assert.equal(whatsappChannelSchema.safeParse({ groups: { x: { requireMention: 'yes' } } }).success, false);
  const open = channelsSchema.safeParse({ whatsapp: { dmPolicy: 'open', allowFrom: ['+15551234567'] } });
  assert.equal(open.success, false);
  assert.match(JSON.stringify(open.error?.issues), /channels\.whatsapp\.dmPolicy=\\"open\\" requires channels\.whatsapp\.allowFrom to include \\"\*\\"/);
});

test('accounts: no block → none; default authDir under the state dir; configured only once linked (creds.json with me.id)', () => {
  const dir = stateDir();
  const env = { OPENCLAW_STATE_DIR: dir };
  assert.deepEqual(resolveWhatsAppAccounts(undefined, env), []);
  const [a] = resolveWhatsAppAccounts({}, env);
  assert.equal(a.authDir, path.join(dir, 'credentials', 'whatsapp', 'default'));
  assert.equal(a.configured, false);
  assert.equal(a.tokenSource, 'none');
  assert.equal(a.dmPolicy, 'pairing');
  assert.equal(a.groupPolicy, 'allowlist');
  // keys only (before the phone scanned the QR): not linked yet
  fs.mkdirSync(a.authDir, { recursive: true });
  fs.writeFileSync(path.join(a.authDir, 'creds.json'), JSON.stringify({ noiseKey: {} }));
  assert.equal(readLinkedNumber(a.authDir).linked, false);
  writeLinkedCreds(a.authDir);
  const [linked] = resolveAllAccounts({ whatsapp: {} }, env);
  assert.equal(linked.channel, 'whatsapp');
  assert.equal(linked.configured, true);
  assert.equal(linked.tokenSource, 'none', 'WhatsApp has a session, never a token bit');
  assert.equal((linked as typeof a).selfNumber, '+15551234567');
});

test('accounts map, authDir override, E.164 normalisation, selfChatMode allows the linked number, groups omitted = "*"', () => {
  const dir = stateDir();
  const env = { OPENCLAW_STATE_DIR: dir };
  const custom = path.join(dir, 'elsewhere');
  writeLinkedCreds(custom);
  const accts = resolveWhatsAppAccounts({ allowFrom: ['whatsapp:+1 (555) 000-1111', 15550002222, '*'], groupAllowFrom: ['+15550003333'], accounts: { work: { authDir: custom, selfChatMode: true }, home: { groups: { 'g@g.us': { requireMention: false, allowFrom: ['15550004444'] } } } } }, env, { groupPolicy: 'open' });
  const work = accts.find((a) => a.accountId === 'work')!;
  const home = accts.find((a) => a.accountId === 'home')!;
  assert.equal(work.authDir, custom);
  assert.equal(work.configured, true);
  assert.deepEqual(work.allowFrom, ['+15550001111', '+15550002222', '*', '+15551234567']);
  assert.deepEqual(work.groups, { '*': {} });
  assert.equal(work.groupPolicy, 'open');
  assert.deepEqual(work.groupAllowFrom, ['+15550003333']);
  assert.equal(home.authDir, path.join(dir, 'credentials', 'whatsapp', 'home'));
  assert.equal(home.configured, false);
  assert.deepEqual(home.groups, { 'g@g.us': { requireMention: false, enabled: undefined, allowFrom: ['+15550004444'], systemPrompt: undefined } });
  assert.equal(normalizeE164('15551234567:7@s.whatsapp.net'), '+15551234567');
});
