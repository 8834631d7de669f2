import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveIMessageAccounts } from './config.js';
import { channelsSchema, resolveAllAccounts, unimplementedChannels } from '../config.js';

test('no block: no account; an enabled block: one configured default account with imsg defaults', () => {
  assert.deepEqual(resolveIMessageAccounts(undefined, {}), []);
  const [a] = resolveIMessageAccounts({}, {});
  assert.equal(a.channel, 'imessage');
  assert.equal(a.accountId, 'default');
  assert.equal(a.enabled, true);
  assert.equal(a.configured, true);
  assert.equal(a.tokenSource, 'none');
  assert.equal(a.dmPolicy, 'pairing');
  assert.equal(a.groupPolicy, 'allowlist');
  assert.deepEqual(a.imessage, { cliPath: 'imsg' });
  assert.equal(resolveIMessageAccounts({ enabled: false }, {})[0].enabled, false);
});

test('typed keys, handles normalized, groups as rules, accounts inherit the block', () => {
  const accounts = resolveIMessageAccounts(
    {
      cliPath: '/opt/imsg',
      dbPath: '/Users/bot/Library/Messages/chat.db',
      service: 'sms',
      region: 'US',
      allowFrom: ['imessage:+1 555 010 9999', 'Bob@Example.com', '*'],
      groups: { '42': { requireMention: false, systemPrompt: 'be brief', allowFrom: ['+15550001111'] } },
      probeTimeoutMs: 5000,
      textChunkLimit: 1000,
      accounts: { work: { cliPath: '/opt/imsg-work', dmPolicy: 'allowlist' }, home: {} },
    },
    {},
    { groupPolicy: 'open' },
  );
  assert.deepEqual(accounts.map((a) => a.accountId), ['work', 'home']);
  const [work, home] = accounts;
  assert.deepEqual(work.imessage, { cliPath: '/opt/imsg-work', dbPath: '/Users/bot/Library/Messages/chat.db', service: 'sms', region: 'US', probeTimeoutMs: 5000 });
  assert.equal(work.dmPolicy, 'allowlist');
  assert.equal(home.imessage?.cliPath, '/opt/imsg');
  assert.deepEqual(home.allowFrom, ['+15550109999', 'bob@example.com', '*']);
  assert.equal(home.groupPolicy, 'open');
  assert.deepEqual(home.groups?.['42'], { requireMention: false, enabled: undefined, allowFrom: ['+15550001111'], systemPrompt: 'be brief' });
  assert.equal(home.textChunkLimit, 1000);
});

test('channels.imessage in the channels schema: typed keys checked, upstream keys kept; resolved and implemented', () => {
  const ok = channelsSchema.safeParse({ imessage: { cliPath: 'imsg', service: 'auto', includeAttachments: true, catchup: { enabled: true }, sendTransport: 'auto' } });
  assert.equal(ok.success, true);
  const bad = channelsSchema.safeParse({ imessage: { service: 'carrier-pigeon' } });
  assert.equal(bad.success, false);
  const open = channelsSchema.safeParse({ imessage: { dmPolicy: 'open', allowFrom: ['+15550001111'] } });
  assert.equal(open.success, false, 'dmPolicy "open" needs "*" like every channel');
  assert.deepEqual(resolveAllAccounts({ imessage: {} }, {}).map((a) => `${a.channel}:${a.accountId}`), ['imessage:default']);
  assert.deepEqual(unimplementedChannels({ imessage: {}, discord: {}, slack: {} }), ['slack']);
});
