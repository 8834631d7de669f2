// WhatsApp Web cannot be reached or faked from tests, so the adapter is tested at the Baileys
// library boundary: a fake socket (testing/fake-socket.ts: an EventEmitter `ev` plus a recording
// `sendMessage` answering `{ key: { id } }`) emits the events and real message shapes Baileys does.
// No test opens a real Baileys socket: every adapter here gets an injected socket factory.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { decideIngress } from '../ingress-policy.js';
import { pairingReplyText } from '../pairing/codes.js';
import { ChannelSendError, type ChannelAdapter, type InboundFacts } from '../types.js';
import { silentLogger, type Logger } from '../../logging/types.js';
import { createWhatsAppAdapter, createWhatsAppAdapterWith, toJid } from './adapter.js';
import { resolveWhatsAppAccounts, type WhatsAppChannelConfig, type WhatsAppResolvedAccount } from './config.js';
import { dmMessage, fakeFactory, groupMessage, SELF, writeLinkedCreds, type FakeWaSocket } from './testing/fake-socket.js';

const roots: string[] = [];
after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

function setup(block: WhatsAppChannelConfig = {}, o: { linked?: boolean } = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-adapter-'));
  roots.push(root);
  const env = { OPENCLAW_STATE_DIR: root, OPENCLAW_WHATSAPP_RETRY_BASE_MS: '20' };
  const authDir = path.join(root, 'credentials', 'whatsapp', 'default');
  if (o.linked !== false) writeLinkedCreds(authDir);
  const account = resolveWhatsAppAccounts(block, env)[0];
  return { root, env, authDir, account };
}

const lines: string[] = [];
const log: Logger = { debug: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m), child: () => log };

const until = async <T>(fn: () => T | undefined | false, ms = 3000): Promise<T> => {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};
const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

async function started(block: WhatsAppChannelConfig = {}, sink?: (f: InboundFacts) => Promise<void>) {
  const s = setup(block);
  const factory = fakeFactory();
  const got: InboundFacts[] = [];
  const adapter = createWhatsAppAdapterWith(s.account, { log, env: s.env, socketFactory: factory });
  await adapter.start(sink ?? (async (f) => void got.push(f)));
  const sock = await until(() => factory.sockets[0]);
  sock.open();
  await until(() => adapter.runtime().connected);
  return { ...s, factory, adapter, sock, got };
}

test('not linked: no socket is opened; runtime says "not linked" with the login fix; probe fails', async () => {
  const s = setup({}, { linked: false });
  assert.equal(s.account.configured, false);
  const factory = fakeFactory();
  const adapter = createWhatsAppAdapterWith(s.account, { log, env: s.env, socketFactory: factory });
  await adapter.start(async () => {});
  await tick();
  assert.equal(factory.sockets.length, 0);
  const rt = adapter.runtime();
  assert.equal(rt.running, false);
  assert.equal(rt.terminal, true);
  assert.match(rt.lastError ?? '', /^not linked/);
  assert.deepEqual(rt.issues?.map((i) => i.fix), ['openclaw channels login --channel whatsapp']);
  const probe = await adapter.probe(1000);
  assert.equal(probe.ok, false);
  assert.equal(probe.linked, false);
  assert.equal(probe.error, 'not linked');
  assert.equal(probe.fix, 'openclaw channels login --channel whatsapp');
  // the registry's factory signature (account, {log, env}) with no socket factory also stays off the network
  const viaRegistry = createWhatsAppAdapter(s.account, { log: silentLogger, env: s.env });
  await viaRegistry.start(async () => {});
  assert.match(viaRegistry.runtime().lastError ?? '', /^not linked/);
});

test('open → connected with the linked number; probe reports linked/connected/self honestly', async () => {
  const { adapter } = await started();
  const rt = adapter.runtime();
  assert.equal(rt.running, true);
  assert.equal(rt.connected, true);
  assert.equal(rt.bot, undefined, 'upstream prints linked, not a bot: bit, for WhatsApp');
  assert.equal(rt.linked, true);
  assert.deepEqual(rt.snapshot, { self: { e164: '+15551234567' } });
  assert.ok(rt.lastConnectedAt);
  const probe = await adapter.probe(1000);
  assert.equal(probe.ok, true);
  assert.equal(probe.linked, true);
  assert.equal(probe.connected, true);
  assert.deepEqual(probe.self, { number: '+15551234567', name: 'Claw' });
  assert.ok(lines.some((l) => l.includes('[default] starting provider (+15551234567)')));
  await adapter.stop();
  assert.equal((await adapter.probe(1000)).ok, false, 'probe fails when not connected');
});

test('inbound: facts delivered one at a time, each only after the sink resolved; read receipt after', async () => {
  const order: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const { sock } = await started({}, async (f) => {
    order.push(`in:${f.text}`);
    if (f.text === 'one') await gate;
    order.push(`done:${f.text}`);
  });
  sock.upsert([dmMessage('+15550001111', 'one', { id: 'A1' }), dmMessage('+15550001111', 'two', { id: 'A2' })]);
  sock.upsert([dmMessage('+15550001111', 'three', { id: 'A3' })]);
  await until(() => order.length === 1);
  await tick();
  assert.deepEqual(order, ['in:one']);
  assert.equal(sock.read.length, 0, 'not marked read before the sink resolved');
  release();
  await until(() => order.length === 6);
  assert.deepEqual(order, ['in:one', 'done:one', 'in:two', 'done:two', 'in:three', 'done:three']);
  await until(() => sock.read.length === 3);
  assert.deepEqual(sock.read.map((k) => k.id), ['A1', 'A2', 'A3']);
});

test('history appended (type "append") is not delivered', async () => {
  const { sock, got } = await started();
  sock.upsert([dmMessage('+15550001111', 'old sync')], 'append');
  await tick();
  assert.equal(got.length, 0);
});

/** The gateway's decision for each delivered message, and the pairing reply it would send. */
async function pairingHarness(block: WhatsAppChannelConfig = {}) {
  let adapter!: ChannelAdapter;
  let account!: WhatsAppResolvedAccount;
  const decisions: string[] = [];
  const ctx = await started(block, async (f) => {
    const d = decideIngress(f, account, { approvedSenders: [] });
    decisions.push(`${f.senderId}:${d.action}`);
    if (d.action === 'pair') await adapter.send({ accountId: f.accountId, chatId: f.chatId, text: pairingReplyText('whatsapp', f.senderId, 'ABCD2345') });
  });
  adapter = ctx.adapter;
  account = ctx.account;
  return { ...ctx, decisions };
}

test('pairing guards: an unknown DM is challenged; backlog (older than connect − 30 s), own fromMe messages and the self number are never', async () => {
  const { sock, decisions } = await pairingHarness();
  const ts = Math.floor((Date.now() - 31_000 - 60_000) / 1000);
  sock.upsert([
    dmMessage('+15550001111', 'sent while we were offline', { ts }),
    dmMessage('+15550002222', 'what I typed on my phone', { fromMe: true }),
    dmMessage('+15551234567', 'note to self', { fromMe: true }),
    dmMessage('x', 'note to self by LID', { fromMe: true, remoteJid: '98765432109876@lid' }),
    dmMessage('+15550003333', 'story', { remoteJid: 'status@broadcast' }),
    dmMessage('+15550003333', 'list', { remoteJid: '1234567890@broadcast' }),
    dmMessage('+15550004444', 'hello?'),
  ]);
  await until(() => sock.sent.length === 1);
  await tick(50);
  assert.deepEqual(decisions, ['+15550004444:pair']);
  assert.equal(sock.sent.length, 1);
  assert.equal(sock.sent[0].jid, '15550004444@s.whatsapp.net');
  assert.match(sock.sent[0].content.text, /Your WhatsApp phone number: \+15550004444/);
  assert.ok(lines.some((l) => /skipping backlog message .* from \+15550001111/.test(l)));
  // our own pairing reply echoes back as fromMe: still nothing
  sock.upsert([{ key: { remoteJid: sock.sent[0].jid, fromMe: true, id: sock.sent[0].id }, message: { conversation: sock.sent[0].content.text }, messageTimestamp: Math.floor(Date.now() / 1000) }]);
  await tick(50);
  assert.equal(sock.sent.length, 1);
});

test('selfChatMode: notes to self are delivered as the (allowed) linked number, never challenged, and our replies there are not re-read', async () => {
  const { sock, decisions, adapter } = await pairingHarness({ selfChatMode: true });
  sock.upsert([dmMessage('+15551234567', 'remind me', { fromMe: true })]);
  await until(() => decisions.length === 1);
  assert.deepEqual(decisions, ['+15551234567:dispatch']);
  const { messageIds } = await adapter.send({ accountId: 'default', chatId: '+15551234567', text: 'reminder set' });
  sock.upsert([{ key: { remoteJid: '15551234567@s.whatsapp.net', fromMe: true, id: messageIds[0] }, message: { conversation: 'reminder set' }, messageTimestamp: Math.floor(Date.now() / 1000) }]);
  await tick(50);
  assert.equal(decisions.length, 1);
});

test('reconnect: a transient close (428) backs off and reconnects; 515 reconnects at once; messages flow again', async () => {
  const { sock, factory, adapter, got } = await started();
  sock.close(428);
  assert.equal(adapter.runtime().connected, false);
  await until(() => adapter.runtime().lastError);
  assert.match(adapter.runtime().lastError ?? '', /status 428/);
  assert.equal(adapter.runtime().terminal, false);
  const second = await until(() => factory.sockets[1]);
  second.open();
  await until(() => adapter.runtime().connected);
  assert.equal(adapter.runtime().lastError, null);
  second.close(515);
  const third = await until(() => factory.sockets[2]);
  third.open();
  await until(() => adapter.runtime().connected);
  third.upsert([dmMessage('+15550001111', 'after reconnect')]);
  await until(() => got.length === 1);
  assert.equal(got[0].text, 'after reconnect');
  assert.ok(lines.some((l) => /restart \(status 515\)/.test(l)));
  await adapter.stop();
});

test('loggedOut (401): terminal, not retried, runtime issue carries the relink fix', async () => {
  const { sock, factory, adapter } = await started();
  sock.close(401);
  await tick(150);
  assert.equal(factory.sockets.length, 1, 'no silent retry loop');
  const rt = adapter.runtime();
  assert.equal(rt.terminal, true);
  assert.equal(rt.running, false);
  assert.equal(rt.connected, false);
  assert.match(rt.lastError ?? '', /logged out \(status 401\)/);
  assert.deepEqual(rt.issues?.map((i) => i.fix), ['openclaw channels logout --channel whatsapp --yes, then openclaw channels login --channel whatsapp']);
  const probe = await adapter.probe(1000);
  assert.equal(probe.ok, false);
  assert.match(String(probe.error), /logged out \(status 401\)/);
  assert.equal(probe.fix, 'openclaw channels logout --channel whatsapp --yes, then openclaw channels login --channel whatsapp');
  await assert.rejects(adapter.send({ accountId: 'default', chatId: '+15550001111', text: 'x' }), /No active WhatsApp Web listener \(account: default\)/);
});

test('a socket that asks for a QR inside the gateway is "not linked" (terminal), never shown or retried', async () => {
  const s = setup();
  const factory = fakeFactory({ onSocket: (sock) => sock.qr('2@abc,def,ghi') });
  const adapter = createWhatsAppAdapterWith(s.account, { log, env: s.env, socketFactory: factory });
  await adapter.start(async () => {});
  await until(() => adapter.runtime().terminal);
  await tick(100);
  assert.equal(factory.sockets.length, 1);
  assert.match(adapter.runtime().lastError ?? '', /^not linked: WhatsApp asks for a QR scan/);
  assert.equal(adapter.runtime().issues?.[0].fix, 'openclaw channels login --channel whatsapp');
});

test('send: fails fast without an open socket; counts only with a message id; a throw is retryable', async () => {
  const s = setup();
  const idle = createWhatsAppAdapterWith(s.account, { log, env: s.env, socketFactory: fakeFactory() });
  const err = await idle.send({ accountId: 'default', chatId: '+15550001111', text: 'hi' }).catch((e: unknown) => e);
  assert.ok(err instanceof ChannelSendError);
  assert.equal(err.message, 'No active WhatsApp Web listener (account: default)');
  assert.equal(err.retryable, true);
  assert.equal(err.fix, 'openclaw channels status --probe --channel whatsapp');

  const { sock, adapter } = await started();
  const ok = await adapter.send({ accountId: 'default', chatId: '+15550001111', text: 'hello' });
  assert.deepEqual(ok.messageIds, [sock.sent[0].id]);
  assert.deepEqual(sock.sent[0].content, { text: 'hello' });
  assert.equal(sock.sent[0].jid, '15550001111@s.whatsapp.net');
  const group = await adapter.send({ accountId: 'default', chatId: '120363025246125486@g.us', text: 'hi all' });
  assert.equal(sock.sent[1].jid, '120363025246125486@g.us');
  assert.equal(group.messageIds.length, 1);

  sock.sendMode = 'no-id';
  const noId = await adapter.send({ accountId: 'default', chatId: '+15550001111', text: 'lost?' }).catch((e: unknown) => e);
  assert.ok(noId instanceof ChannelSendError);
  assert.equal(noId.retryable, true);
  assert.match(noId.message, /did not return a message id/);
  sock.sendMode = 'throw';
  const thrown = await adapter.send({ accountId: 'default', chatId: '+15550001111', text: 'x' }).catch((e: unknown) => e);
  assert.ok(thrown instanceof ChannelSendError);
  assert.equal(thrown.retryable, true);
  assert.match(thrown.message, /status 500/);
  await adapter.stop();
  await assert.rejects(adapter.send({ accountId: 'default', chatId: '+15550001111', text: 'after stop' }), /No active WhatsApp Web listener/);
});

test('typing → composing presence (best effort); toJid', async () => {
  const { sock, adapter } = await started();
  await adapter.typing!('+15550001111');
  assert.deepEqual(sock.presence, [{ type: 'composing', jid: '15550001111@s.whatsapp.net' }]);
  sock.sendPresenceUpdate = async () => {
    throw new Error('boom');
  };
  await adapter.typing!('+15550001111'); // never throws
  assert.equal(toJid('+1 555 000 1111'), '15550001111@s.whatsapp.net');
  assert.equal(toJid('120363025246125486@g.us'), '120363025246125486@g.us');
});

test('creds.update: saved through saveCreds, creds.json.bak kept, files 0600 and the dir 0700', async () => {
  const { sock, authDir, factory } = await started();
  const before = fs.readFileSync(path.join(authDir, 'creds.json'), 'utf8');
  fs.chmodSync(authDir, 0o755);
  sock.credsUpdate({ me: SELF });
  await until(() => factory.saves === 1);
  await tick();
  assert.equal(fs.readFileSync(path.join(authDir, 'creds.json.bak'), 'utf8'), before);
  sock.credsUpdate({});
  await until(() => factory.saves === 2);
  await tick();
  assert.equal(JSON.parse(fs.readFileSync(path.join(authDir, 'creds.json.bak'), 'utf8')).saved, 1, 'the backup is the previous creds.json');
  assert.equal(fs.statSync(authDir).mode & 0o777, 0o700);
  for (const f of fs.readdirSync(authDir)) assert.equal(fs.statSync(path.join(authDir, f)).mode & 0o777, 0o600, f);
});

test('group mention facts reach the sink; groups omitted = every group eligible (shared policy via "*")', async () => {
  const GROUP = '120363025246125486@g.us';
  let account!: WhatsAppResolvedAccount;
  const seen: Array<{ f: InboundFacts; action: string }> = [];
  const ctx = await started({ groupAllowFrom: ['*'] }, async (f) => void seen.push({ f, action: decideIngress(f, account, { approvedSenders: [] }).action }));
  account = ctx.account;
  ctx.sock.upsert([
    groupMessage(GROUP, '+15550002222', 'just chatting'),
    groupMessage(GROUP, '+15550002222', '@15551234567 ping', { mentionedJid: ['15551234567@s.whatsapp.net'] }),
    groupMessage(GROUP, '+15550002222', 'follow-up', { replyToParticipant: '15551234567@s.whatsapp.net' }),
  ]);
  await until(() => seen.length === 3);
  assert.deepEqual(seen.map((s) => [s.f.groupId, s.f.senderId, s.f.wasMentioned, s.f.implicitMention ?? null, s.action]), [
    [GROUP, '+15550002222', false, null, 'drop'],
    [GROUP, '+15550002222', true, null, 'dispatch'],
    [GROUP, '+15550002222', false, 'reply_to_bot', 'dispatch'],
  ]);
  // the reply quotes the message it answers (the manager passes replyTo for groups)
  await ctx.adapter.send({ accountId: 'default', chatId: GROUP, text: 'pong', replyTo: seen[1].f.messageId });
  const quoted = ctx.sock.sent.at(-1)!.opts?.quoted as { key: { id: string } } | undefined;
  assert.equal(quoted?.key.id, seen[1].f.messageId);
  await ctx.adapter.send({ accountId: 'default', chatId: GROUP, text: 'no quote', replyTo: 'unknown-id' });
  assert.equal(ctx.sock.sent.at(-1)!.opts, undefined);
  // with a groups map, an unlisted group is dropped
  const listed = resolveWhatsAppAccounts({ groupAllowFrom: ['*'], groups: { 'other@g.us': { requireMention: true } } }, ctx.env)[0];
  assert.equal(decideIngress(seen[1].f, listed, { approvedSenders: [] }).action, 'drop');
});

test('logout while connected: WhatsApp is told (sock.logout), the 401 that follows is not a terminal error, the session is moved aside', async () => {
  const { adapter, sock, factory, authDir } = await started();
  const out = await adapter.logout!();
  assert.equal(out.loggedOut, true);
  assert.equal(out.cleared, true);
  assert.equal((sock as FakeWaSocket & { loggedOut?: boolean }).loggedOut, true);
  assert.equal(fs.existsSync(authDir), false);
  assert.ok(fs.existsSync(path.join(String(out.backupPath), 'creds.json')), 'keys kept in the backup');
  const rt = adapter.runtime();
  assert.equal(rt.running, false);
  assert.equal(rt.terminal, false, 'our own logout is not "logged out on the phone"');
  assert.equal(rt.linked, false);
  await tick(60);
  assert.equal(factory.sockets.length, 1, 'no reconnect after logout');
});
