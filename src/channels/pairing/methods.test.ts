// channels.pairing.list|approve|dismiss through the real dispatcher (scope, params, errors), on a
// real store and config file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { localConfig, stateDirsForFile } from '../../testing/harness.js';
import { dispatchRequest } from '../../gateway/control-plane/dispatch.js';
import { IdempotencyStore } from '../../gateway/control-plane/idempotency.js';
import { silentLogger } from '../../logging/types.js';
import type { CallerInfo, GatewayServices } from '../../gateway/methods/types.js';
import { resolveAllAccounts } from '../config.js';
import type { ChannelService, DeliveryOutcome, SendTextRequest } from '../types.js';
import { PAIRING_APPROVED_TEXT } from './codes.js';
import { pairingMethods, pairingRequestedEvent } from './methods.js';
import { ChannelPairingStore, requestIdOf } from './store.js';

const newState = stateDirsForFile();

const CHANNELS = {
  telegram: {
    dmPolicy: 'pairing',
    accounts: { default: {}, work: { name: 'Work bot' }, ops: { dmPolicy: 'allowlist', allowFrom: ['1'] } },
  },
};

function setup(opts: { channels?: ChannelService } = {}) {
  const sd = newState(localConfig(undefined, { channels: CHANNELS }));
  const store = new ChannelPairingStore(sd.dir);
  const events: Array<{ event: string; payload: any }> = [];
  const defs = pairingMethods({
    store,
    accounts: () => resolveAllAccounts(JSON.parse(fs.readFileSync(sd.configPath, 'utf8')).channels, {}),
    channels: opts.channels,
    broadcast: (event, payload) => events.push({ event, payload }),
    configPath: sd.configPath,
  });
  const methods = new Map(defs.map((d) => [d.name, d]));
  const idempotency = new IdempotencyStore(path.join(sd.dir, 'idem'));
  let n = 0;
  const call = async (method: string, params: unknown, scopes: string[] = ['operator.pairing']): Promise<{ ok: boolean; payload?: any; error?: any }> => {
    const caller: CallerInfo = { connId: 'c1', role: 'operator', scopes, deviceId: 'dev1', clientId: 'test', clientMode: 'ui', isLocal: true };
    return dispatchRequest({ type: 'req', id: String(++n), method, params }, caller, () => {}, { methods, services: {} as GatewayServices, idempotency, log: silentLogger });
  };
  return { sd, store, events, call, defs, close: () => idempotency.close() };
}

test('list: pairing accounts only, requests without codes, opaque requestIds, limits, owner flag', async (t) => {
  const s = setup();
  t.after(s.close);
  const a = s.store.upsertRequest({ channel: 'telegram', senderId: '111', meta: { username: 'alice', firstName: 'Alice' } });
  const b = s.store.upsertRequest({ channel: 'telegram', accountId: 'work', senderId: '222', meta: { firstName: 'Bob', lastName: 'B' } });
  s.store.upsertRequest({ channel: 'telegram', accountId: 'ops', senderId: '333' }); // not a pairing account
  const res = await s.call('channels.pairing.list', {});
  assert.equal(res.ok, true, JSON.stringify(res.error));
  const p = res.payload;
  assert.deepEqual(p.accounts, [
    { channel: 'telegram', channelLabel: 'Telegram', accountId: 'default', notifySupported: false },
    { channel: 'telegram', channelLabel: 'Telegram', accountId: 'work', accountLabel: 'Work bot', notifySupported: false },
  ]);
  const text = JSON.stringify(p);
  for (const code of [a.code, b.code]) assert.equal(text.includes(code), false, 'the code is never in the payload');
  assert.equal(text.includes('"code"'), false);
  const [ra, rb] = s.store.listRequests();
  assert.deepEqual(p.requests, [
    {
      requestId: requestIdOf(ra), channel: 'telegram', channelLabel: 'Telegram', accountId: 'default', senderId: '111', senderLabel: '@alice',
      metadata: { username: 'alice', firstName: 'Alice' }, createdAt: Date.parse(ra.createdAt), lastSeenAt: Date.parse(ra.lastSeenAt),
      expiresAt: Date.parse(ra.createdAt) + 3_600_000, notifySupported: false,
    },
    {
      requestId: requestIdOf(rb), channel: 'telegram', channelLabel: 'Telegram', accountId: 'work', senderId: '222', senderLabel: 'Bob B',
      metadata: { firstName: 'Bob', lastName: 'B' }, createdAt: Date.parse(rb.createdAt), lastSeenAt: Date.parse(rb.lastSeenAt),
      expiresAt: Date.parse(rb.createdAt) + 3_600_000, notifySupported: false,
    },
  ]);
  assert.match(p.requests[0].requestId, /^[A-Za-z0-9_-]{32}$/);
  assert.deepEqual(p.limits, { pendingPerAccount: 3, ttlMs: 3_600_000 });
  assert.equal(p.commandOwnerConfigured, false);

  s.store.upsertRequest({ channel: 'telegram', senderId: '111' }); // seen again: same request
  const again = (await s.call('channels.pairing.list', { channel: 'telegram', accountId: 'work' })).payload;
  assert.deepEqual(again.accounts.map((x: any) => x.accountId), ['work']);
  assert.deepEqual(again.requests.map((x: any) => x.requestId), [requestIdOf(rb)], 'requestId is stable');
  assert.equal((await s.call('channels.pairing.list', {})).payload.requests[0].requestId, requestIdOf(ra), 'stable across lastSeenAt bumps');

  s.sd.writeConfig(localConfig(undefined, { channels: CHANNELS, commands: { ownerAllowFrom: ['telegram:1'] } }));
  assert.equal((await s.call('channels.pairing.list', {})).payload.commandOwnerConfigured, true);
  const bad = await s.call('channels.pairing.list', { channel: 'irc' });
  assert.equal(bad.ok, false);
  assert.equal(bad.error.code, 'INVALID_REQUEST');
});

test('approve: operator.pairing is enough; broadcasts resolved; never bootstraps the owner implicitly; a stale id is an error', async (t) => {
  const s = setup();
  t.after(s.close);
  s.store.upsertRequest({ channel: 'telegram', senderId: '111' });
  const [r] = s.store.listRequests();
  const requestId = requestIdOf(r);
  const configBefore = fs.readFileSync(s.sd.configPath, 'utf8');
  const res = await s.call('channels.pairing.approve', { channel: 'telegram', requestId });
  assert.equal(res.ok, true, JSON.stringify(res.error));
  assert.deepEqual(res.payload, { requestId, senderId: '111', notification: 'not-requested', commandOwnerBootstrap: 'not-requested' });
  assert.deepEqual(s.store.allowEntries('telegram'), ['111']);
  assert.equal(fs.readFileSync(s.sd.configPath, 'utf8'), configBefore, 'the UI path does not touch commands.ownerAllowFrom');
  assert.equal(s.events.length, 1);
  assert.equal(s.events[0].event, 'channel.pairing.resolved');
  const { ts, ...rest } = s.events[0].payload;
  assert.deepEqual(rest, { requestId, channel: 'telegram', accountId: 'default', senderId: '111', decision: 'approved' });
  assert.equal(typeof ts, 'number');

  const stale = await s.call('channels.pairing.approve', { channel: 'telegram', requestId });
  assert.deepEqual({ ok: stale.ok, code: stale.error.code, message: stale.error.message }, { ok: false, code: 'INVALID_REQUEST', message: 'pending DM access request no longer exists' });
  const wrongAccount = s.store.upsertRequest({ channel: 'telegram', senderId: '444' }) && requestIdOf(s.store.listRequests()[0]);
  const other = await s.call('channels.pairing.approve', { channel: 'telegram', accountId: 'work', requestId: wrongAccount });
  assert.equal(other.error.message, 'pending DM access request no longer exists');
});

test('approve with bootstrapCommandOwner needs operator.admin (FORBIDDEN otherwise, nothing changed)', async (t) => {
  const s = setup();
  t.after(s.close);
  s.store.upsertRequest({ channel: 'telegram', senderId: '111' });
  s.store.upsertRequest({ channel: 'telegram', senderId: '222' });
  const [r1, r2] = s.store.listRequests();
  const denied = await s.call('channels.pairing.approve', { channel: 'telegram', requestId: requestIdOf(r1), bootstrapCommandOwner: true });
  assert.equal(denied.ok, false);
  assert.equal(denied.error.code, 'FORBIDDEN');
  assert.equal(denied.error.message, 'missing scope: operator.admin');
  assert.equal(s.store.listRequests().length, 2, 'not approved');
  assert.equal(s.events.length, 0);

  const ok = await s.call('channels.pairing.approve', { channel: 'telegram', requestId: requestIdOf(r1), bootstrapCommandOwner: true }, ['operator.admin']);
  assert.equal(ok.payload.commandOwnerBootstrap, 'configured');
  assert.deepEqual(JSON.parse(fs.readFileSync(s.sd.configPath, 'utf8')).commands, { ownerAllowFrom: ['telegram:111'] });
  assert.ok(fs.existsSync(`${s.sd.configPath}.bak`), 'config edits keep a backup');
  const second = await s.call('channels.pairing.approve', { channel: 'telegram', requestId: requestIdOf(r2), bootstrapCommandOwner: true }, ['operator.pairing', 'operator.admin']);
  assert.equal(second.payload.commandOwnerBootstrap, 'already-configured');
  assert.deepEqual(JSON.parse(fs.readFileSync(s.sd.configPath, 'utf8')).commands.ownerAllowFrom, ['telegram:111']);
});

test('approve notify: unsupported without the channel layer, sent / failed through ChannelService.sendText', async (t) => {
  const sent: SendTextRequest[] = [];
  let answer: DeliveryOutcome = { ok: true, messageIds: ['9'] };
  const channels: ChannelService = {
    sendText: async (req) => (sent.push(req), answer),
    status: async () => assert.fail('not used'),
    isRunning: () => true,
  };
  const s = setup({ channels });
  t.after(s.close);
  for (const id of ['1', '2']) s.store.upsertRequest({ channel: 'telegram', accountId: 'work', senderId: id });
  const [a, b] = s.store.listRequests();
  const r1 = await s.call('channels.pairing.approve', { channel: 'telegram', accountId: 'work', requestId: requestIdOf(a), notify: true });
  assert.equal(r1.payload.notification, 'sent');
  assert.deepEqual(sent, [{ channel: 'telegram', accountId: 'work', to: '1', text: PAIRING_APPROVED_TEXT }]);
  answer = { ok: false, error: 'chat not found' };
  const r2 = await s.call('channels.pairing.approve', { channel: 'telegram', requestId: requestIdOf(b), notify: true });
  assert.equal(r2.payload.notification, 'failed');
  assert.deepEqual(s.store.allowEntries('telegram', 'work'), ['1', '2'], 'a failed notification does not undo the approval');
  assert.equal((await s.call('channels.pairing.list', {})).payload.accounts[0].notifySupported, true);

  const bare = setup();
  t.after(bare.close);
  bare.store.upsertRequest({ channel: 'telegram', senderId: '5' });
  const r3 = await bare.call('channels.pairing.approve', { channel: 'telegram', requestId: requestIdOf(bare.store.listRequests()[0]), notify: true });
  assert.equal(r3.payload.notification, 'unsupported');
});

test('dismiss: gone without approval, broadcast, the sender may ask again', async (t) => {
  const s = setup();
  t.after(s.close);
  const first = s.store.upsertRequest({ channel: 'telegram', senderId: '111' });
  const requestId = requestIdOf(s.store.listRequests()[0]);
  const res = await s.call('channels.pairing.dismiss', { channel: 'telegram', requestId });
  assert.deepEqual(res.payload, { requestId, dismissed: true });
  assert.equal(s.events[0].payload.decision, 'dismissed');
  assert.deepEqual(s.store.allowEntries('telegram'), []);
  assert.equal((await s.call('channels.pairing.dismiss', { channel: 'telegram', requestId })).error.message, 'pending DM access request no longer exists');
  const again = s.store.upsertRequest({ channel: 'telegram', senderId: '111' });
  assert.equal(again.created, true);
  assert.notEqual(again.code, first.code);
});

test('every method needs operator.pairing', async (t) => {
  const s = setup();
  t.after(s.close);
  assert.deepEqual(s.defs.map((d) => [d.name, d.scope]), [
    ['channels.pairing.list', 'operator.pairing'],
    ['channels.pairing.approve', 'operator.pairing'],
    ['channels.pairing.dismiss', 'operator.pairing'],
  ]);
  for (const d of s.defs) {
    const res = await s.call(d.name, { channel: 'telegram', requestId: 'x' }, ['operator.read', 'operator.write']);
    assert.equal(res.error?.code, 'FORBIDDEN', d.name);
  }
});

test('pairingRequestedEvent: the list row of a new request, without its code', () => {
  const sd = newState();
  const store = new ChannelPairingStore(sd.dir);
  const { request, code } = store.upsertRequest({ channel: 'discord', senderId: '42', meta: { tag: 'bob#1' } });
  const ev = pairingRequestedEvent(request!);
  assert.equal(JSON.stringify(ev).includes(code), false);
  assert.equal(ev.requestId, requestIdOf(request!));
  assert.equal(ev.senderLabel, 'bob#1');
  assert.deepEqual(ev.metadata, { tag: 'bob#1' });
  assert.equal(ev.channelLabel, 'Discord');
  assert.equal(ev.expiresAt, ev.createdAt + 3_600_000);
});
