// The Discord adapter on its own, against the local fake Discord (real HTTP and WebSocket, the real
// @discordjs/rest and @discordjs/ws clients inside the adapter): connect + READY, inbound facts
// (DMs, guild mentions, per-channel order, sink failures), a dropped connection resumed without
// losing what was sent in the gap, terminal close codes, outbound (replies, `user:<id>` DMs, error
// mapping), probe, a prompt stop(), and the token never showing up in logs or errors.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createDiscordAdapter, restBase, messageContentIntent, readyTimeoutFix, READY_TIMEOUT_MS, RUNTIME_READY_TIMEOUT_MS } from './adapter.js';
import { DM_BLOCKED_FIX, INTENT_FIX, TOKEN_FIX } from './errors.js';
import { resolveDiscordAccounts, type DiscordChannelConfig } from './config.js';
import { FLAG_GATEWAY_MESSAGE_CONTENT, FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED, snowflake, startFakeDiscord, type FakeDiscord, type FakeDiscordBot } from './testing/fake-discord.js';
import { ChannelSendError, type ChannelAdapter, type InboundFacts } from '../types.js';
import type { Logger, LogLevel } from '../../logging/types.js';

interface LogLine {
  level: LogLevel;
  msg: string;
  fields?: Record<string, unknown>;
}

function captureLog(): { lines: LogLine[]; log: Logger; text: () => string } {
  const lines: LogLine[] = [];
  const at = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push({ level, msg, ...(fields ? { fields } : {}) });
  };
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  const text = () => lines.map((l) => `${l.level} ${l.msg}${l.fields ? ` ${JSON.stringify(l.fields)}` : ''}`).join('\n');
  return { lines, log, text };
}

let seq = 0;
function newBot(extra: Partial<FakeDiscordBot> = {}): FakeDiscordBot {
  seq++;
  const id = snowflake();
  // Real shape: base64(id).timestamp.hmac
  const token = `${Buffer.from(id).toString('base64url')}.GhT${seq}xY.unit-test-secret-part-${seq}-abcdefghijklmnopqrstuv`;
  return { token, id, username: `unit_bot_${seq}`, ...extra };
}

const FAST_ENV = { OPENCLAW_DISCORD_READY_TIMEOUT_MS: '1500', OPENCLAW_DISCORD_RETRY_BASE_MS: '20' };

interface Harness {
  fake: FakeDiscord;
  bot: FakeDiscordBot;
  adapter: ChannelAdapter;
  lines: LogLine[];
  logText: () => string;
  got: InboundFacts[];
}

async function harness(t: TestContext, opts: { config?: Partial<DiscordChannelConfig>; bot?: Partial<FakeDiscordBot>; token?: string; env?: Record<string, string> } = {}): Promise<Harness> {
  const bot = newBot(opts.bot);
  const fake = await startFakeDiscord({ bots: [bot], heartbeatIntervalMs: 200 });
  const [account] = resolveDiscordAccounts({ token: opts.token ?? bot.token, apiRoot: fake.apiRoot, ...opts.config } as DiscordChannelConfig, {});
  const { lines, log, text } = captureLog();
  const adapter = createDiscordAdapter(account, { log, env: { ...FAST_ENV, ...opts.env } });
  t.after(async () => {
    await adapter.stop();
    await fake.close();
  });
  return { fake, bot, adapter, lines, logText: text, got: [] };
}

const recordingSink = (h: Harness) => async (f: InboundFacts) => {
  h.got.push(f);
};

async function eventually(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alice = { id: '100000000000000001', username: 'alice', global_name: 'Alice' };

function assertNoToken(h: Harness, extra = ''): void {
  const secret = h.bot.token.split('.')[2];
  assert.ok(!h.logText().includes(secret), 'token secret in logs');
  assert.ok(!JSON.stringify(h.adapter.runtime()).includes(secret), 'token secret in runtime()');
  assert.ok(!extra.includes(secret), 'token secret in an error');
}

// ---- helpers

test('restBase: apiRoot with /v10 becomes api + version for @discordjs/rest', () => {
  assert.deepEqual(restBase('https://discord.com/api/v10'), { api: 'https://discord.com/api', version: '10' });
  assert.deepEqual(restBase('http://127.0.0.1:9/api/v10/'), { api: 'http://127.0.0.1:9/api', version: '10' });
  assert.deepEqual(restBase('http://127.0.0.1:9/api'), { api: 'http://127.0.0.1:9/api', version: '10' });
  assert.deepEqual(restBase(undefined), { api: 'https://discord.com/api', version: '10' });
});

test('messageContentIntent: ApplicationFlags bit 18 enabled, bit 19 limited, neither disabled', () => {
  assert.equal(messageContentIntent(FLAG_GATEWAY_MESSAGE_CONTENT), 'enabled');
  assert.equal(messageContentIntent(FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED), 'limited');
  assert.equal(messageContentIntent(0), 'disabled');
});

// ---- connect and inbound

test('start: GET /gateway/bot, IDENTIFY with our intents over ?v=10&encoding=json, READY → connected with the bot identity', async (t) => {
  const h = await harness(t);
  await h.adapter.start(recordingSink(h));
  const rt = h.adapter.runtime();
  assert.equal(rt.running, true);
  assert.equal(rt.connected, true);
  assert.equal(rt.mode, 'gateway');
  assert.deepEqual(rt.bot, { id: h.bot.id, username: h.bot.username });
  assert.equal(rt.lastError, null);
  // READY's application flags (the fake's default: the Portal toggle) in upstream's snapshot field
  assert.deepEqual(rt.snapshot, { application: { id: h.bot.id, flags: FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED, intents: { messageContent: 'limited' } } });
  assert.ok(h.fake.calls.some((c) => c.method === 'GET' && c.path === '/gateway/bot'));
  assert.match(h.fake.connectUrls[0], /^\/?\?v=10&encoding=json$/);
  const identify = h.fake.received.find((r) => r.op === 2)!;
  assert.equal(identify.d.intents, 1 | (1 << 9) | (1 << 12) | (1 << 15));
  assert.match(h.logText(), new RegExp(`info \\[default\\] starting provider \\(@${h.bot.username}\\)`));
  // heartbeats flow (interval 200 ms) and count as transport activity
  await eventually(() => h.fake.received.filter((r) => r.op === 1).length >= 2, 'two heartbeats');
  assertNoToken(h);
});

test('intents.messageContent false: IDENTIFY without the Message Content intent', async (t) => {
  const h = await harness(t, { config: { intents: { messageContent: false, guildMembers: true } } });
  await h.adapter.start(recordingSink(h));
  assert.equal(h.fake.received.find((r) => r.op === 2)!.d.intents, 1 | (1 << 9) | (1 << 12) | (1 << 1));
});

test('a DM reaches the sink as InboundFacts', async (t) => {
  const h = await harness(t);
  await h.adapter.start(recordingSink(h));
  const m = h.fake.dm(h.bot.token, alice, 'hello there');
  await eventually(() => h.got.length === 1, 'the DM at the sink');
  assert.deepEqual(h.got[0], {
    channel: 'discord',
    accountId: 'default',
    messageId: m.id,
    nativeMessageId: m.id,
    senderId: alice.id,
    senderLabel: '@alice',
    senderMeta: { username: 'alice', globalName: 'Alice' },
    chatType: 'dm',
    chatId: m.channel_id,
    text: 'hello there',
    wasMentioned: false,
    canDetectMention: true,
    sentAt: Date.parse(m.timestamp),
    botId: h.bot.id,
  });
});

test('guild messages: a mention, a reply to the bot, and plain chatter carry the right mention facts', async (t) => {
  const h = await harness(t);
  await h.adapter.start(recordingSink(h));
  h.fake.guildMessage(h.bot.token, '3001', '4001', alice, `<@${h.bot.id}> ping`, { roles: ['role-a'] });
  h.fake.guildMessage(h.bot.token, '3001', '4001', alice, 'just chatting');
  const botMsg = { id: snowflake(), channel_id: '4001', author: { id: h.bot.id, username: h.bot.username, bot: true }, content: 'earlier answer' };
  h.fake.guildMessage(h.bot.token, '3001', '4001', alice, 'and a follow-up', { referenced: botMsg });
  await eventually(() => h.got.length === 3, 'three guild facts');
  const [mention, chatter, reply] = h.got;
  assert.deepEqual([mention.chatType, mention.groupId, mention.threadId, mention.chatId, mention.wasMentioned, mention.text, mention.senderRoles], ['group', '3001', '4001', '4001', true, 'ping', ['role-a']]);
  assert.equal(chatter.wasMentioned, false);
  assert.equal(chatter.implicitMention, undefined);
  assert.equal(reply.implicitMention, 'reply_to_bot');
  assert.equal(reply.wasMentioned, false);
});

test('delivery: one at a time per channel, in order; a failing sink is retried, then logged, never fatal', async (t) => {
  const h = await harness(t);
  let inFlight = 0;
  let maxInFlight = 0;
  let fails = 1;
  await h.adapter.start(async (f) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await pause(20);
    inFlight--;
    if (f.text === 'flaky' && fails-- > 0) throw new Error('ingress queue busy');
    if (f.text === 'broken') throw new Error('ingress queue unavailable');
    h.got.push(f);
  });
  for (const text of ['one', 'flaky', 'two', 'broken', 'three']) h.fake.dm(h.bot.token, alice, text);
  await eventually(() => h.got.length === 4, 'four delivered', 8000);
  assert.deepEqual(h.got.map((f) => f.text), ['one', 'flaky', 'two', 'three']);
  assert.equal(maxInFlight, 1, 'one message of a channel at a time');
  assert.match(h.logText(), /not stored \(retrying\): ingress queue busy/);
  assert.match(h.logText(), /not stored \(dropped\): ingress queue unavailable/);
  assert.equal(h.adapter.runtime().running, true);
});

test('a dropped connection is resumed (RESUME with session id + seq) and the message sent in the gap arrives', async (t) => {
  const h = await harness(t);
  await h.adapter.start(recordingSink(h));
  h.fake.dm(h.bot.token, alice, 'before the drop');
  await eventually(() => h.got.length === 1, 'first DM');
  const ready = h.fake.received.find((r) => r.op === 2);
  assert.ok(ready);
  h.fake.dropConnection(h.bot.token);
  h.fake.dm(h.bot.token, alice, 'sent during the gap');
  await eventually(() => h.got.length === 2, 'the gap message after RESUME', 5000);
  assert.equal(h.got[1].text, 'sent during the gap');
  const resume = h.fake.received.find((r) => r.op === 6)!;
  assert.ok(resume, 'a RESUME was sent');
  assert.equal(resume.d.seq, 2, 'READY (1) and the first DM (2) were seen');
  assert.equal(h.fake.received.filter((r) => r.op === 2).length, 1, 'no second IDENTIFY');
  await eventually(() => h.adapter.runtime().connected && h.adapter.runtime().lastError === null, 'connected again, error cleared');
  assert.match(h.logText(), /gateway session resumed/);
  // and it keeps working after the resume
  h.fake.dm(h.bot.token, alice, 'after the resume');
  await eventually(() => h.got.length === 3, 'a DM after the resume');
});

test('INVALID_SESSION (not resumable) → a fresh IDENTIFY and READY; messages flow again', async (t) => {
  const h = await harness(t);
  await h.adapter.start(recordingSink(h));
  h.fake.invalidSession(h.bot.token, false);
  // Discord allows one IDENTIFY per 5 s (max_concurrency 1); the library waits that out.
  await h.fake.waitForReady(h.bot.token, 2, 9000);
  h.fake.dm(h.bot.token, alice, 'new session');
  await eventually(() => h.got.some((f) => f.text === 'new session'), 'a DM on the new session');
  assert.equal(h.fake.received.filter((r) => r.op === 2).length, 2);
});

test('close 4014 (disallowed intents) → terminal, lastError names the Message Content intent with the fix; no reconnect', async (t) => {
  const h = await harness(t, { bot: { disallowedIntents: 1 << 15 } });
  const t0 = Date.now();
  await h.adapter.start(recordingSink(h));
  assert.ok(Date.now() - t0 < 1500, 'start did not wait for the READY timeout');
  const rt = h.adapter.runtime();
  assert.equal(rt.terminal, true);
  assert.equal(rt.connected, false);
  assert.equal(rt.running, false);
  assert.match(rt.lastError!, /4014 \(disallowed intents\).*Message Content intent/);
  assert.deepEqual(rt.issues?.[0]?.fix, INTENT_FIX);
  const closeLine = h.lines.find((l) => l.msg.includes('4014 (disallowed intents)'));
  assert.equal(closeLine?.level, 'error', h.logText());
  assert.ok(closeLine?.msg.endsWith(`Fix: ${INTENT_FIX}`), closeLine?.msg);
  assert.match(INTENT_FIX, /Developer Portal → Bot → Privileged Gateway Intents.*then: openclaw gateway restart$/);
  assert.deepEqual(rt.snapshot, { application: { intents: { messageContent: 'disabled' } } }, 'status shows intents:content=disabled');
  await pause(800);
  assert.equal(h.fake.connectUrls.length, 1, 'no reconnect after a terminal close');
  assertNoToken(h);
});

test('close 4004 (authentication failed) on a live session → terminal with the token fix', async (t) => {
  const h = await harness(t);
  await h.adapter.start(recordingSink(h));
  h.fake.closeWith(4004, h.bot.token, 'Authentication failed.');
  await eventually(() => h.adapter.runtime().terminal === true, 'terminal');
  const rt = h.adapter.runtime();
  assert.match(rt.lastError!, /4004 \(authentication failed\)/);
  assert.equal(rt.issues?.[0]?.fix, TOKEN_FIX);
  assert.match(TOKEN_FIX, /^openclaw channels add --channel discord --token <token>/);
  await pause(800);
  assert.equal(h.fake.connectUrls.length, 1, 'no reconnect');
});

test('a rejected token: GET /gateway/bot 401 → terminal before any socket opens; the token is not in the logs', async (t) => {
  const h = await harness(t, { token: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gbad00.this-token-is-wrong-and-secret-xyz' });
  await h.adapter.start(recordingSink(h));
  const rt = h.adapter.runtime();
  assert.equal(rt.terminal, true);
  assert.match(rt.lastError!, /401 \(Unauthorized\)/);
  assert.equal(h.fake.connectUrls.length, 0);
  assert.ok(!h.logText().includes('this-token-is-wrong-and-secret-xyz'));
});

test('READY timeouts: upstream defaults (15 s at startup, 30 s after a reconnect) unless the env says otherwise', () => {
  assert.equal(READY_TIMEOUT_MS, 15_000);
  assert.equal(RUNTIME_READY_TIMEOUT_MS, 30_000);
  assert.match(readyTimeoutFix('OPENCLAW_DISCORD_RUNTIME_READY_TIMEOUT_MS'), /proxy, firewall, DNS.*discordstatus\.com.*OPENCLAW_DISCORD_RUNTIME_READY_TIMEOUT_MS$/);
});

test('no READY at startup within OPENCLAW_DISCORD_READY_TIMEOUT_MS: the session is closed, start resolves with the error and fix, and a new session after the backoff gets READY', async (t) => {
  // Discord lets one IDENTIFY through per 5 s; the retry's IDENTIFY waits for that inside the next window.
  const h = await harness(t, { bot: { holdReady: 1 }, env: { OPENCLAW_DISCORD_READY_TIMEOUT_MS: '3000' } });
  const t0 = Date.now();
  await h.adapter.start(recordingSink(h));
  const waited = Date.now() - t0;
  assert.ok(waited >= 2900 && waited < 4500, `start resolved after ${waited} ms`);
  const rt = h.adapter.runtime();
  assert.equal(rt.connected, false);
  assert.equal(rt.terminal, false, 'not terminal: it keeps trying');
  assert.match(rt.lastError ?? '', /^Discord gateway READY not received within 3000 ms; reconnecting in 20 ms$/);
  assert.deepEqual(rt.issues?.[0], { message: rt.lastError, fix: readyTimeoutFix('OPENCLAW_DISCORD_READY_TIMEOUT_MS') });
  assert.match(h.logText(), /warn Discord default: Discord gateway READY not received within 3000 ms; reconnecting in 20 ms\. Fix: check that this host can open a WebSocket/);
  await eventually(() => h.adapter.runtime().connected, 'READY on the next session', 6000);
  assert.equal(h.adapter.runtime().lastError, null);
  assert.equal(h.adapter.runtime().issues, undefined);
  assert.equal(h.fake.received.filter((r) => r.op === 2).length, 2, 'one IDENTIFY per session');
  assert.equal(h.fake.connectUrls.length, 2, 'the held socket was closed, not kept alongside');
  assert.equal(h.fake.liveSockets(h.bot.token), 1);
  h.fake.dm(h.bot.token, alice, 'after the retry');
  await eventually(() => h.got.some((f) => f.text === 'after the retry'), 'a DM on the new session');
  assertNoToken(h);
});

test('a reconnect that does not get back within OPENCLAW_DISCORD_RUNTIME_READY_TIMEOUT_MS fails: closed, backoff, a fresh session', async (t) => {
  const h = await harness(t, { env: { OPENCLAW_DISCORD_RUNTIME_READY_TIMEOUT_MS: '3000', OPENCLAW_DISCORD_READY_TIMEOUT_MS: '60000' } });
  await h.adapter.start(recordingSink(h));
  h.bot.holdResumed = 1;
  h.fake.dropConnection(h.bot.token);
  await eventually(() => h.fake.received.some((r) => r.op === 6), 'the RESUME');
  await eventually(() => /READY not received within 3000 ms/.test(h.adapter.runtime().lastError ?? ''), 'the runtime READY timeout', 5000);
  assert.equal(h.adapter.runtime().issues?.[0]?.fix, readyTimeoutFix('OPENCLAW_DISCORD_RUNTIME_READY_TIMEOUT_MS'));
  await eventually(() => h.adapter.runtime().connected, 'a new session', 8000);
  assert.equal(h.fake.received.filter((r) => r.op === 2).length, 2, 'the stuck resume was replaced by a new IDENTIFY');
  assert.equal(h.adapter.runtime().lastError, null);
  await pause(300);
  assert.equal(h.fake.liveSockets(h.bot.token), 1, 'no second socket from the retired shard');
  h.fake.dm(h.bot.token, alice, 'back');
  await eventually(() => h.got.some((f) => f.text === 'back'), 'a DM on the new session');
});

test('a gateway that never answers (no HELLO): each session times out and backs off; stop() ends the loop', async (t) => {
  const h = await harness(t, { env: { OPENCLAW_DISCORD_READY_TIMEOUT_MS: '300', OPENCLAW_DISCORD_RUNTIME_READY_TIMEOUT_MS: '300' } });
  h.fake.failNext('GET /gateway/bot', { status: 200, body: { url: 'ws://127.0.0.1:9', shards: 1, session_start_limit: { total: 1, remaining: 1, reset_after: 60_000, max_concurrency: 1 } } });
  const t0 = Date.now();
  await h.adapter.start(recordingSink(h));
  assert.ok(Date.now() - t0 < 1500);
  assert.match(h.adapter.runtime().lastError ?? '', /READY not received within 300 ms; reconnecting in 20 ms/);
  await eventually(() => /reconnecting in 80 ms/.test(h.logText()), 'the backoff growing', 5000);
  assert.equal(h.adapter.runtime().connected, false);
  await h.adapter.stop();
  const lines = h.lines.length;
  await pause(800);
  assert.equal(h.lines.filter((l) => /READY not received/.test(l.msg)).length, h.lines.slice(0, lines).filter((l) => /READY not received/.test(l.msg)).length, 'no attempt after stop()');
});

test('stop() is prompt and closes the socket; nothing reconnects afterwards', async (t) => {
  const h = await harness(t);
  await h.adapter.start(recordingSink(h));
  const t0 = Date.now();
  await h.adapter.stop();
  const took = Date.now() - t0;
  assert.ok(took < 500, `stop took ${took} ms`);
  assert.equal(h.adapter.runtime().running, false);
  await pause(800);
  assert.equal(h.fake.liveSockets(h.bot.token), 0);
  assert.equal(h.fake.connectUrls.length, 1);
});

test('stop() during a reconnect gap: the late reconnect is ended too', async (t) => {
  const h = await harness(t);
  await h.adapter.start(recordingSink(h));
  h.fake.dropConnection(h.bot.token);
  await pause(50);
  await h.adapter.stop();
  await pause(1000);
  assert.equal(h.fake.liveSockets(h.bot.token), 0);
});

// ---- outbound

test('send: POST /channels/{id}/messages with content and message_reference; the message id comes back', async (t) => {
  const h = await harness(t);
  const r = await h.adapter.send({ accountId: 'default', chatId: '4001', text: 'hi there', replyTo: '555' });
  assert.equal(h.fake.sent.length, 1);
  const s = h.fake.sent[0];
  assert.equal(s.channelId, '4001');
  assert.equal(s.content, 'hi there');
  assert.deepEqual(s.message_reference, { message_id: '555', fail_if_not_exists: false });
  assert.deepEqual(r.messageIds, [s.message.id]);
  const plain = await h.adapter.send({ accountId: 'default', chatId: 'channel:4002', text: 'no reply' });
  assert.equal(h.fake.sent[1].channelId, '4002');
  assert.equal(h.fake.sent[1].message_reference, undefined);
  assert.equal(plain.messageIds.length, 1);
});

test('send to user:<id> opens the DM once (POST /users/@me/channels) and reuses it', async (t) => {
  const h = await harness(t);
  await h.adapter.send({ accountId: 'default', chatId: `user:${alice.id}`, text: 'one' });
  await h.adapter.send({ accountId: 'default', chatId: `user:${alice.id}`, text: 'two' });
  const opens = h.fake.calls.filter((c) => c.method === 'POST' && c.path === '/users/@me/channels');
  assert.equal(opens.length, 1);
  assert.deepEqual(opens[0].body, { recipient_id: alice.id });
  assert.equal(h.fake.sent[0].channelId, h.fake.sent[1].channelId);
  // the same channel an inbound DM from alice arrives on
  await h.adapter.start(recordingSink(h));
  const m = h.fake.dm(h.bot.token, alice, 'hey');
  assert.equal(m.channel_id, h.fake.sent[0].channelId);
});

test('send errors: 429 retryable with retry_after, 5xx and network retryable; 401, 403 50007, 404 not, with a fix', async (t) => {
  const h = await harness(t);
  const sendErr = async (chatId = '4001'): Promise<ChannelSendError> => {
    try {
      await h.adapter.send({ accountId: 'default', chatId, text: 'x' });
    } catch (err) {
      assert.ok(err instanceof ChannelSendError, String(err));
      return err;
    }
    throw new Error('send did not fail');
  };
  h.fake.failNext('POST /channels/:id/messages', { status: 429, body: { message: 'You are being rate limited.', retry_after: 1.5, global: false }, headers: { 'retry-after': '1.5' } });
  const rl = await sendErr('4003');
  assert.equal(rl.retryable, true);
  assert.ok(rl.retryAfterMs! >= 1500 && rl.retryAfterMs! < 2000, String(rl.retryAfterMs));

  h.fake.failNext('POST /channels/:id/messages', { status: 502, body: { message: 'Bad Gateway', code: 0 } });
  const bad = await sendErr('4004');
  assert.equal(bad.retryable, true);

  h.fake.blockDms(alice.id);
  const blocked = await sendErr(`user:${alice.id}`);
  assert.equal(blocked.retryable, false);
  assert.match(blocked.message, /403: Cannot send messages to this user \(50007\)/);
  assert.equal(blocked.fix, DM_BLOCKED_FIX);
  assert.match(DM_BLOCKED_FIX, /share a server with the bot and allow DMs from server members/);

  h.fake.failNext('POST /channels/:id/messages', { status: 404, body: { message: 'Unknown Channel', code: 10003 } });
  const unknown = await sendErr('4005');
  assert.equal(unknown.retryable, false);
  assert.match(unknown.fix!, /channel id/);

  h.fake.failNext('POST /channels/:id/messages', { status: 401, body: { message: '401: Unauthorized', code: 0 } });
  const unauth = await sendErr('4006');
  assert.equal(unauth.retryable, false);
  assert.equal(unauth.fix, TOKEN_FIX);
  // the REST client keeps working after a 401 (it forgets the token otherwise)
  await h.adapter.send({ accountId: 'default', chatId: '4007', text: 'still works' });

  await h.fake.close();
  const down = await sendErr('4008');
  assert.equal(down.retryable, true);
  assert.match(down.message, /^Discord send failed: /);
  assertNoToken(h, [rl, bad, blocked, unknown, unauth, down].map((e) => `${e.message} ${e.fix ?? ''}`).join('\n'));
});

test('typing: POST /channels/{id}/typing, best effort (a failure never throws)', async (t) => {
  const h = await harness(t);
  await h.adapter.typing!('4001');
  assert.deepEqual(h.fake.typing.map((x) => x.channelId), ['4001']);
  h.fake.failNext('POST /channels/:id/typing', { status: 403, body: { message: 'Missing Permissions', code: 50013 } });
  await h.adapter.typing!('4002');
});

// ---- probe

test('probe: bot and application; Message Content limited / enabled / disabled from the flags, in upstream\'s application.intents and in the status snapshot; 401 with the token fix', async (t) => {
  const h = await harness(t, { bot: { applicationId: '880000000000000001' } });
  const limited = await h.adapter.probe(2000);
  assert.equal(limited.ok, true);
  assert.equal(limited.status, 200);
  assert.equal(limited.error, null);
  assert.equal(limited.fix, undefined);
  assert.deepEqual(limited.bot, { id: h.bot.id, username: h.bot.username });
  assert.deepEqual(limited.application, { id: '880000000000000001', flags: FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED, intents: { messageContent: 'limited' } });
  assert.equal(typeof limited.elapsedMs, 'number');
  assert.deepEqual(h.adapter.runtime().snapshot, { application: limited.application }, 'status without --probe shows the last probe');
  h.bot.guildCount = 42;
  assert.deepEqual((await h.adapter.probe(2000)).application, { id: '880000000000000001', flags: FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED, intents: { messageContent: 'limited' }, approximateGuildCount: 42 });
  h.bot.guildCount = undefined;
  h.fake.setApplicationFlags(FLAG_GATEWAY_MESSAGE_CONTENT);
  assert.deepEqual((await h.adapter.probe(2000)).application, { id: '880000000000000001', flags: FLAG_GATEWAY_MESSAGE_CONTENT, intents: { messageContent: 'enabled' } });
  h.fake.setApplicationFlags(0);
  assert.deepEqual((await h.adapter.probe(2000)).application, { id: '880000000000000001', flags: 0, intents: { messageContent: 'disabled' } });
  assert.deepEqual(h.adapter.runtime().snapshot, { application: { id: '880000000000000001', flags: 0, intents: { messageContent: 'disabled' } } });
  assert.match(h.adapter.runtime().issues?.[0]?.message ?? '', /Message Content intent is not enabled/);

  h.fake.failNext('GET /users/@me', { status: 401, body: { message: '401: Unauthorized', code: 0 } });
  const unauth = await h.adapter.probe(2000);
  assert.deepEqual([unauth.ok, unauth.status], [false, 401]);
  assert.match(String(unauth.error), /401 \(Unauthorized\)/);
  assert.equal(unauth.fix, TOKEN_FIX, 'the same fix as a 4004 close');
  h.fake.failNext('GET /users/@me', { status: 503, body: { message: 'Service Unavailable', code: 0 } });
  const down = await h.adapter.probe(2000);
  assert.deepEqual([down.ok, down.status], [false, 503]);
  assert.match(down.fix ?? '', /discordstatus\.com/);
  assert.equal((await h.adapter.probe(2000)).ok, true, 'the next probe works again');
  await h.fake.close();
  const unreachable = await h.adapter.probe(2000);
  assert.equal(unreachable.ok, false);
  assert.equal(unreachable.fix, `check network access to ${h.fake.apiRoot} (proxy, DNS, firewall), then openclaw channels status --probe --channel discord`);
});

test('status snapshot: READY\'s application flags give application.intents.messageContent before any probe', async (t) => {
  const h = await harness(t, { bot: { applicationId: '880000000000000002', flags: FLAG_GATEWAY_MESSAGE_CONTENT } });
  assert.equal(h.adapter.runtime().snapshot, undefined, 'unknown before READY');
  await h.adapter.start(recordingSink(h));
  assert.deepEqual(h.adapter.runtime().snapshot, { application: { id: '880000000000000002', flags: FLAG_GATEWAY_MESSAGE_CONTENT, intents: { messageContent: 'enabled' } } });
});

test('a 4014 while other privileged intents are asked for and the flags grant Message Content: the content state stays as the flags say', async (t) => {
  const h = await harness(t, { config: { intents: { guildMembers: true } } });
  await h.adapter.start(recordingSink(h));
  h.fake.closeWith(4014, h.bot.token, 'Disallowed intent(s).');
  await eventually(() => h.adapter.runtime().terminal === true, 'terminal');
  assert.deepEqual((h.adapter.runtime().snapshot as { application?: unknown }).application, { id: h.bot.id, flags: FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED, intents: { messageContent: 'limited' } });
});

test('probe without a token says why; a missing SecretRef env var is the token error', async () => {
  const [account] = resolveDiscordAccounts({ token: { source: 'env', provider: 'default', id: 'NOPE_DISCORD' } }, {});
  assert.match(account.tokenError!, /NOPE_DISCORD is not set/);
  const { log, text } = captureLog();
  const adapter = createDiscordAdapter(account, { log });
  const p = await adapter.probe(1000);
  assert.equal(p.ok, false);
  assert.match(String(p.error), /NOPE_DISCORD/);
  assert.equal(p.fix, TOKEN_FIX);
  await adapter.start(async () => {});
  assert.equal(adapter.runtime().terminal, true);
  assert.match(text(), /cannot start: token SecretRef/);
});

// ---- footprint

test("connect, send, probe and a REST error never touch global fetch or Headers (they load Node's bundled undici: ~10 MB of RSS)", async () => {
  // A fresh process whose fetch-family globals record every read. (Not process.moduleLoadList: on
  // Node 24 an ESM \`import http from 'node:http'\` loads undici for http's WebSocket export; the
  // gateway's CommonJS bundle requires node:http and does not.)
  const { spawnSync } = await import('node:child_process');
  const here = (f: string) => new URL(f, import.meta.url).href;
  const script = `
    const touched = [];
    // Reading a class loads undici on Node 20; fetch only when called (reading gives a lazy wrapper,
    // which @discordjs/util's runtime check does).
    for (const name of ['fetch', 'Headers', 'Request', 'Response', 'FormData']) {
      const d = Object.getOwnPropertyDescriptor(globalThis, name);
      const real = () => (d.get ? d.get.call(globalThis) : d.value);
      const calledFetch = (...args) => { touched.push('fetch()'); return real()(...args); };
      Object.defineProperty(globalThis, name, { configurable: true, get() { if (name === 'fetch') return calledFetch; touched.push(name); return real(); } });
    }
    const { createDiscordAdapter } = await import(${JSON.stringify(here('./adapter.js'))});
    const { resolveDiscordAccounts } = await import(${JSON.stringify(here('./config.js'))});
    const { startFakeDiscord, snowflake } = await import(${JSON.stringify(here('./testing/fake-discord.js'))});
    const id = snowflake();
    const bot = { token: Buffer.from(id).toString('base64url') + '.GhTu.footprint-secret-abcdefghijklmnopqrstuv', id, username: 'footprint_bot' };
    const fake = await startFakeDiscord({ bots: [bot], heartbeatIntervalMs: 200 });
    const [account] = resolveDiscordAccounts({ token: bot.token, apiRoot: fake.apiRoot }, {});
    const log = { debug() {}, info() {}, warn() {}, error() {}, child: () => log };
    const adapter = createDiscordAdapter(account, { log, env: { OPENCLAW_DISCORD_READY_TIMEOUT_MS: '3000' } });
    await adapter.start(async () => {});
    const sent = await adapter.send({ accountId: 'default', chatId: 'channel:4001', text: 'hi' });
    const probe = await adapter.probe(3000);
    let refused = '';
    await adapter.send({ accountId: 'default', chatId: 'user:not-a-user', text: 'x' }).catch((e) => (refused = e.constructor.name));
    await adapter.stop();
    await fake.close();
    process.stdout.write(JSON.stringify({ sent: sent.messageIds.length === 1, probeOk: probe.ok, refused, touched }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { sent: boolean; probeOk: boolean; refused: string; touched: string[] };
  assert.deepEqual(out, { sent: true, probeOk: true, refused: 'ChannelSendError', touched: [] });
});
