// The Telegram adapter on its own, against the local fake Bot API (real HTTP, the real grammY
// client inside the adapter): inbound durability (the offset only moves once the sink resolved),
// start-up trouble (webhook left set, 401, 409, stalls), outbound rendering and error mapping,
// webhook mode, probe / audit, and a prompt stop(). Timings come from the OPENCLAW_TELEGRAM_* test
// overrides, so every wait here is short.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createTelegramAdapter } from './adapter.js';
import { DELIVERY_HEADER } from './webhook.js';
import { TOKEN_FIX } from './errors.js';
import { startFakeBotApi, type FakeBotApi, type FakeBotDef } from './testing/fake-bot-api.js';
import { resolveTelegramAccounts, type ResolvedAccount, type TelegramChannelConfig } from '../config.js';
import { ChannelSendError, type ChannelAdapter, type InboundFacts } from '../types.js';
import type { Logger, LogLevel } from '../../logging/types.js';

// ---- helpers

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

let botSeq = 0;
function newBot(extra: Partial<FakeBotDef> = {}): FakeBotDef {
  botSeq++;
  const id = 7_000_000 + botSeq;
  return { token: `${id}:AAH-unit-test-token-${botSeq}-abcdefghijklmnop`, id, username: `unit_test_${botSeq}_bot`, ...extra };
}

const FAST_ENV = {
  OPENCLAW_TELEGRAM_RETRY_BASE_MS: '20',
  OPENCLAW_TELEGRAM_CONFLICT_BACKOFF_MS: '150',
};

interface Harness {
  api: FakeBotApi;
  bot: FakeBotDef;
  account: ResolvedAccount;
  adapter: ChannelAdapter;
  lines: LogLine[];
  logText: () => string;
  /** Every InboundFacts the sink accepted, in order. */
  got: InboundFacts[];
  /** Runs before the adapter stops and the fake closes, also when an assertion failed (t.after hooks run in registration order). */
  beforeTeardown(fn: () => void): void;
}

/** A fake Bot API with one bot and an adapter for it (not started); both torn down after the test. */
async function harness(
  t: TestContext,
  opts: { config?: Partial<TelegramChannelConfig>; env?: Record<string, string>; bot?: Partial<FakeBotDef>; token?: string; apiRoot?: string } = {},
): Promise<Harness> {
  const bot = newBot(opts.bot);
  const api = await startFakeBotApi({ bots: [bot], webhookRetryMs: 20 });
  const [account] = resolveTelegramAccounts({ botToken: opts.token ?? bot.token, apiRoot: opts.apiRoot ?? api.apiRoot, ...opts.config } as TelegramChannelConfig, {});
  const { lines, log, text } = captureLog();
  const adapter = createTelegramAdapter(account, { log, env: { ...FAST_ENV, ...opts.env } });
  const early: Array<() => void> = [];
  t.after(async () => {
    for (const fn of early) fn();
    await adapter.stop();
    await api.close();
  });
  return { api, bot, account, adapter, lines, logText: text, got: [], beforeTeardown: (fn) => early.push(fn) };
}

/** A sink that records what it accepted. */
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

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A port nothing listens on (connections are refused). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function botCall(api: FakeBotApi, token: string, method: string, params: Record<string, unknown> = {}, signal?: AbortSignal): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api.apiRoot}/bot${token}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params), signal });
  return { status: res.status, body: await res.json() };
}

/** POSTs to the webhook listener; -1 when no answer came within 2 s (a hung handler must fail the test, not hang it). */
function post(url: string, body: unknown, headers: Record<string, string> = {}, method = 'POST'): Promise<number> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(url, { method, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(-1);
    });
    req.on('error', reject);
    req.end(data);
  });
}

const alice = { id: 4242, username: 'alice', first_name: 'Alice' };
/** The getUpdates calls the adapter made (it always long-polls with timeout 30). */
const adapterPolls = (api: FakeBotApi) => api.calls('getUpdates').filter((c) => c.params.timeout === 30);

// ---- 1. polling

test('polling: an injected DM reaches the sink as InboundFacts', async (t) => {
  const h = await harness(t);
  await h.adapter.start(recordingSink(h));
  await h.api.waitForCall('getUpdates');
  const u = h.api.dm(h.bot.token, alice, 'hello there');
  await eventually(() => h.got.length === 1, 'the DM at the sink');
  assert.deepEqual(h.got[0], {
    channel: 'telegram',
    accountId: 'default',
    messageId: String(u.update_id),
    nativeMessageId: String(u.message!.message_id),
    senderId: '4242',
    senderLabel: '@alice',
    senderMeta: { username: 'alice', firstName: 'Alice' },
    chatType: 'dm',
    chatId: '4242',
    text: 'hello there',
    wasMentioned: false,
    canDetectMention: true,
    sentAt: u.message!.date * 1000,
  });
  const rt = h.adapter.runtime();
  assert.equal(rt.running, true);
  assert.equal(rt.connected, true);
  assert.equal(rt.mode, 'polling');
  assert.equal(rt.lastError, null);
  assert.deepEqual(rt.bot, { id: String(h.bot.id), username: h.bot.username });
  assert.ok(h.lines.some((l) => l.level === 'info' && l.msg === `[default] starting provider (@${h.bot.username})`), h.logText());
  // Confirmed by the next getUpdates (issued only after the sink resolved).
  await eventually(() => h.api.pendingUpdates(h.bot.token).length === 0, 'the DM confirmed');
  // Only message updates are asked for.
  assert.deepEqual(adapterPolls(h.api)[0].params.allowed_updates, ['message']);
});

test('polling: the offset is confirmed only after the sink resolved; a refused update is redelivered in order, nothing skipped', async (t) => {
  const h = await harness(t);
  const u1 = h.api.dm(h.bot.token, alice, 'one');
  const u2 = h.api.dm(h.bot.token, alice, 'two');
  const u3 = h.api.dm(h.bot.token, alice, 'three');
  const attempts: string[] = [];
  const gate = deferred();
  h.beforeTeardown(gate.resolve); // a failed assertion must not leave stop() waiting on the sink
  let refusedOnce = false;
  await h.adapter.start(async (f) => {
    attempts.push(f.text);
    if (f.text === 'one') await gate.promise;
    if (f.text === 'two' && !refusedOnce) {
      refusedOnce = true;
      throw new Error('disk full');
    }
    h.got.push(f);
  });
  await eventually(() => attempts.length === 1, 'u1 handed to the sink');
  // The sink has not resolved: nothing is confirmed and no further getUpdates went out.
  await pause(150);
  assert.deepEqual(attempts, ['one']);
  assert.deepEqual(h.api.pendingUpdates(h.bot.token).map((u) => u.update_id), [u1.update_id, u2.update_id, u3.update_id]);
  assert.equal(adapterPolls(h.api).length, 1);

  gate.resolve();
  await eventually(() => h.got.length === 3, 'all three stored');
  // u2 was refused: u3 was not attempted in that batch; both came again, in order.
  assert.deepEqual(attempts, ['one', 'two', 'two', 'three']);
  assert.deepEqual(h.got.map((f) => f.messageId), [u1, u2, u3].map((u) => String(u.update_id)));
  await eventually(() => h.api.pendingUpdates(h.bot.token).length === 0, 'everything confirmed');
  // The offsets sent: never past an update that was not stored.
  const offsets = adapterPolls(h.api).map((c) => c.params.offset);
  assert.deepEqual(offsets.slice(0, 3), [undefined, u2.update_id, u3.update_id + 1]);
  const refusal = h.lines.find((l) => l.level === 'warn' && /not stored/.test(l.msg));
  assert.ok(refusal, h.logText());
  assert.match(refusal.msg, new RegExp(`update ${u2.update_id}, will be redelivered\\): disk full`));
  // The sink error is cleared once the redelivery was stored.
  assert.equal(h.adapter.runtime().lastError, null);
});

// ---- 2. webhook left set

test('polling start deletes a webhook left set on the bot, keeping pending updates', async (t) => {
  const h = await harness(t);
  const stale = `http://127.0.0.1:${await closedPort()}/old-deployment`;
  assert.equal((await botCall(h.api, h.bot.token, 'setWebhook', { url: stale })).body.ok, true);
  const u = h.api.dm(h.bot.token, alice, 'sent while the webhook was set');
  await h.adapter.start(recordingSink(h));
  await eventually(() => h.got.length === 1, 'the pending update delivered by polling');
  assert.equal(h.got[0].messageId, String(u.update_id));
  assert.equal(h.api.webhook(h.bot.token), undefined);
  const deletes = h.api.calls('deleteWebhook');
  assert.equal(deletes.length, 1);
  assert.notEqual(deletes[0].params.drop_pending_updates, true);
  assert.ok(h.lines.some((l) => l.level === 'info' && l.msg.includes(`webhook ${stale} was set; deleted it`)), h.logText());
  // No getUpdates ran into the webhook conflict.
  // (Not /409/: the random port in the logged URL may contain it.)
  assert.ok(!h.lines.some((l) => /\b409: |conflict/i.test(l.msg)), h.logText());
  const order = h.api.calls().map((c) => c.method).filter((m) => m === 'deleteWebhook' || m === 'getUpdates');
  assert.equal(order[0], 'deleteWebhook', order.join(', '));
});

// ---- 3. bad token

test('401 at getMe: terminal, not running, token fix in issues; the token is never logged', async (t) => {
  const token = '9876543:AAH-SECRET-never-to-be-logged-0123456789';
  const h = await harness(t, { token });
  await h.adapter.start(recordingSink(h));
  const rt = h.adapter.runtime();
  assert.equal(rt.running, false);
  assert.equal(rt.connected, false);
  assert.equal(rt.terminal, true);
  assert.match(rt.lastError ?? '', /401/);
  assert.ok(rt.issues?.some((i) => i.fix === TOKEN_FIX && /401/.test(i.message)), JSON.stringify(rt.issues));
  assert.ok(h.lines.some((l) => l.level === 'error' && /401/.test(l.msg) && l.msg.includes(TOKEN_FIX)), h.logText());
  // No retry loop, no polling.
  await pause(100);
  assert.equal(h.api.calls('getMe').length, 1);
  assert.equal(h.api.calls('getUpdates').length, 0);
  const secret = token.split(':')[1];
  assert.ok(!h.logText().includes(secret) && !(rt.lastError ?? '').includes(secret) && !JSON.stringify(rt).includes(secret));
});

test('network failure at getMe: retried in the background, and the token (which is in the URL) is scrubbed', async (t) => {
  const token = '9876544:AAH-SECRET-never-to-be-logged-0123456789';
  const h = await harness(t, { token, apiRoot: `http://127.0.0.1:${await closedPort()}` });
  await h.adapter.start(recordingSink(h));
  await eventually(() => h.lines.filter((l) => /getMe failed/.test(l.msg)).length >= 2, 'getMe retried');
  const rt = h.adapter.runtime();
  assert.equal(rt.running, true);
  assert.equal(rt.connected, false);
  assert.equal(rt.terminal, false);
  assert.match(rt.lastError ?? '', /getMe failed: .*ECONNREFUSED/);
  const secret = token.split(':')[1];
  assert.ok(!h.logText().includes(secret), h.logText());
  assert.ok(!(rt.lastError ?? '').includes(secret), rt.lastError ?? '');
  // Sends fail the same way: retryable, scrubbed.
  const err = await h.adapter.send({ accountId: 'default', chatId: '42', text: 'hi' }).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof ChannelSendError);
  assert.equal(err.retryable, true);
  assert.ok(!err.message.includes(secret), err.message);
});

// ---- 4. conflict

test('409 from a second poller: conflict shown, adapter keeps running with a bounded retry rate, recovers when the rival stops', async (t) => {
  const h = await harness(t);
  await h.adapter.start(recordingSink(h));
  await h.api.waitForCall('getUpdates');
  // A rival instance polling the same token in a tight loop (timeout 7 tells its calls apart).
  const rivalStop = new AbortController();
  h.beforeTeardown(() => rivalStop.abort()); // a failed assertion must not leave the rival looping
  let rivalCalls = 0;
  const rival = (async () => {
    while (!rivalStop.signal.aborted) {
      rivalCalls++;
      await botCall(h.api, h.bot.token, 'getUpdates', { timeout: 7 }, rivalStop.signal).catch(() => undefined);
    }
  })();
  await eventually(() => /409/.test(h.adapter.runtime().lastError ?? ''), 'the conflict in runtime()');
  const before = adapterPolls(h.api).length;
  const windowMs = 1200;
  await pause(windowMs);
  const during = adapterPolls(h.api).length - before;
  const rt = h.adapter.runtime();
  assert.equal(rt.running, true);
  assert.equal(rt.connected, false);
  assert.match(rt.lastError ?? '', /^409: Conflict: terminated by other getUpdates request/);
  // Paced by the conflict backoff (150 ms), not a tight loop.
  assert.ok(during >= 1 && during <= Math.ceil(windowMs / 150) + 3, `adapter polled ${during} times in ${windowMs} ms (rival: ${rivalCalls})`);
  // One warning for the problem, repeats at debug; no restart of the whole account.
  assert.equal(h.lines.filter((l) => l.level === 'warn' && /getUpdates conflict/.test(l.msg)).length, 1, h.logText());
  assert.equal(h.api.calls('getMe').length, 1);
  assert.equal(h.lines.filter((l) => /starting provider/.test(l.msg)).length, 1);

  rivalStop.abort();
  await rival;
  const u = h.api.dm(h.bot.token, alice, 'after the rival left');
  await eventually(() => h.got.length === 1, 'delivery after the rival stopped');
  assert.equal(h.got[0].messageId, String(u.update_id));
  const after = h.adapter.runtime();
  assert.equal(after.lastError, null);
  assert.equal(after.connected, true);
  assert.equal(after.terminal, false);
  assert.ok(h.lines.some((l) => l.level === 'info' && /polling recovered \(was: 409: Conflict/.test(l.msg)), h.logText());
});

// ---- 5. stall watchdog

test('stall watchdog: a black-holed getUpdates is aborted and reissued; delivery resumes when the network does', async (t) => {
  const h = await harness(t, { env: { OPENCLAW_TELEGRAM_STALL_MS: '300' } });
  h.api.stallGetUpdates(h.bot.token, true);
  await h.adapter.start(recordingSink(h));
  await eventually(() => h.lines.some((l) => l.level === 'warn' && /Polling stall detected/.test(l.msg)), 'the stall warning');
  await eventually(() => adapterPolls(h.api).length >= 2, 'a reissued getUpdates');
  const rt = h.adapter.runtime();
  assert.equal(rt.running, true);
  assert.equal(rt.connected, false);
  assert.match(rt.lastError ?? '', /Polling stall/);
  const u = h.api.dm(h.bot.token, alice, 'sent during the stall');
  await pause(100);
  assert.equal(h.got.length, 0);

  h.api.stallGetUpdates(h.bot.token, false);
  await eventually(() => h.got.length === 1, 'delivery after the stall');
  assert.equal(h.got[0].messageId, String(u.update_id));
  assert.ok(h.lines.some((l) => l.level === 'info' && /polling recovered \(was: Polling stall/.test(l.msg)), h.logText());
  // Every reissued poll asked from the same place: nothing was skipped.
  assert.ok(adapterPolls(h.api).every((c) => c.params.offset === undefined || c.params.offset === u.update_id + 1));
  const u2 = h.api.dm(h.bot.token, alice, 'and after');
  await eventually(() => h.got.length === 2, 'the next delivery');
  assert.equal(h.got[1].messageId, String(u2.update_id));
});

// ---- 6. send

test('send: fenced code goes out as HTML, plain text as is; reply_to and thread id are passed', async (t) => {
  const h = await harness(t);
  const md = 'Result:\n```ts\nconst ok = 1 < 2 && a > b;\n```\ndone & dusted';
  const r = await h.adapter.send({ accountId: 'default', chatId: '-1001234', threadId: '42', replyTo: '77', text: md });
  assert.equal(r.messageIds.length, 1);
  const s = h.api.sent[0];
  assert.equal(String(s.message.message_id), r.messageIds[0]);
  assert.equal(s.parse_mode, 'HTML');
  assert.equal(s.text, 'Result:\n<pre><code class="language-ts">const ok = 1 &lt; 2 &amp;&amp; a &gt; b;</code></pre>\ndone &amp; dusted');
  // What the recipient sees after Telegram parsed it.
  assert.equal(s.message.text, 'Result:\nconst ok = 1 < 2 && a > b;\ndone & dusted');
  assert.equal(s.message_thread_id, 42);
  assert.deepEqual(s.reply_parameters, { message_id: 77, allow_sending_without_reply: true });
  assert.equal(String(s.chat_id), '-1001234');

  await h.adapter.send({ accountId: 'default', chatId: '42', text: 'a < b, *not* markdown' });
  assert.equal(h.api.sent[1].parse_mode, undefined);
  assert.equal(h.api.sent[1].text, 'a < b, *not* markdown');
  assert.equal(h.api.sent[1].message_thread_id, undefined);
  assert.equal(h.api.sent[1].reply_parameters, undefined);

  await h.adapter.typing!('42', '9');
  assert.deepEqual(h.api.chatActions.map((a) => [String(a.chat_id), a.action, a.message_thread_id]), [['42', 'typing', 9]]);
});

test("send: a 400 \"can't parse entities\" falls back to plain text", async (t) => {
  const h = await harness(t);
  h.api.failNext('sendMessage', { error_code: 400, description: "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 3" });
  const md = '```\n<x>\n```';
  const r = await h.adapter.send({ accountId: 'default', chatId: '42', text: md, replyTo: '5' });
  const calls = h.api.calls('sendMessage');
  assert.equal(calls.length, 2);
  assert.equal(calls[0].params.parse_mode, 'HTML');
  assert.equal(calls[1].params.parse_mode, undefined);
  assert.equal(calls[1].params.text, md);
  // The retry keeps where the message goes.
  assert.deepEqual(calls[1].params.reply_parameters, { message_id: 5, allow_sending_without_reply: true });
  assert.deepEqual(r.messageIds, [String(h.api.sent[0].message.message_id)]);
  assert.ok(h.lines.some((l) => l.level === 'warn' && /sending as plain text/.test(l.msg)), h.logText());

  // Plain text has nothing to fall back from: the 400 is final.
  h.api.failNext('sendMessage', { error_code: 400, description: "Bad Request: can't parse entities: whatever" });
  const err = await h.adapter.send({ accountId: 'default', chatId: '42', text: 'plain' }).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof ChannelSendError);
  assert.equal(err.retryable, false);
  assert.equal(h.api.calls('sendMessage').length, 3);
});

test('send: 429 is retryable with retryAfterMs, 5xx retryable, 403 (blocked) is not', async (t) => {
  const h = await harness(t);
  const msg = { accountId: 'default', chatId: '42', text: 'hi' };
  const fail = (p: Promise<unknown>) => p.then(() => assert.fail('send should have failed'), (e: unknown) => e as ChannelSendError);

  h.api.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 7', retry_after: 7 });
  const limited = await fail(h.adapter.send(msg));
  assert.ok(limited instanceof ChannelSendError);
  assert.equal(limited.retryable, true);
  assert.equal(limited.retryAfterMs, 7000);
  assert.match(limited.message, /^429: Too Many Requests/);

  h.api.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' });
  const bad = await fail(h.adapter.send(msg));
  assert.equal(bad.retryable, true);

  h.api.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' });
  const blocked = await fail(h.adapter.send(msg));
  assert.ok(blocked instanceof ChannelSendError);
  assert.equal(blocked.retryable, false);
  assert.equal(blocked.retryAfterMs, undefined);
  assert.match(blocked.message, /^403: Forbidden: bot was blocked by the user/);
  assert.match(blocked.fix ?? '', /unblock/);
  // Retryable failures are debug lines (the queue retries), permanent ones a warning.
  assert.ok(h.lines.some((l) => l.level === 'warn' && /send to 42 failed: 403/.test(l.msg)), h.logText());
  assert.ok(!h.lines.some((l) => l.level === 'warn' && /429|502/.test(l.msg)), h.logText());
  assert.equal(h.api.sent.length, 0);
});

// ---- 7. webhook mode

test('webhook mode without a secret: refused before any Bot API call, no listener, the fix names webhookSecret', async (t) => {
  const port = await closedPort();
  const h = await harness(t, { config: { webhookUrl: `http://127.0.0.1:${port}/tg-hook`, webhookHost: '127.0.0.1', webhookPort: port } });
  await h.adapter.start(recordingSink(h));
  const rt = h.adapter.runtime();
  assert.equal(rt.running, false);
  assert.equal(rt.lastError, 'Telegram webhook mode requires a non-empty secret token. Set channels.telegram.webhookSecret in your config.');
  assert.match(h.logText(), /Fix: openclaw config set channels\.telegram\.webhookSecret/);
  assert.equal(h.api.calls('getMe').length, 0);
  assert.equal(h.api.calls('setWebhook').length, 0);
  const refused = await fetch(`http://127.0.0.1:${port}/tg-hook`, { method: 'POST', body: '{}' }).then(() => false, () => true);
  assert.ok(refused, 'nothing listens on the webhook port');
});

test('webhook mode: setWebhook with the secret; 200 only after the sink resolved; a wrong secret is refused', async (t) => {
  const port = await closedPort();
  const url = `http://127.0.0.1:${port}/tg-hook`;
  const h = await harness(t, { config: { webhookUrl: url, webhookSecret: 'hook_Secret-123', webhookPath: '/tg-hook', webhookHost: '127.0.0.1', webhookPort: port } });
  const gates: Array<ReturnType<typeof deferred>> = [];
  h.beforeTeardown(() => gates.forEach((g) => g.resolve()));
  let failNextDelivery = false;
  const attempts: string[] = [];
  await h.adapter.start(async (f) => {
    attempts.push(f.messageId);
    const gate = deferred();
    gates.push(gate);
    await gate.promise;
    if (failNextDelivery) {
      failNextDelivery = false;
      throw new Error('disk full');
    }
    h.got.push(f);
  });
  const set = h.api.calls('setWebhook');
  assert.equal(set.length, 1);
  assert.equal(set[0].params.url, url);
  assert.equal(set[0].params.secret_token, 'hook_Secret-123');
  assert.deepEqual(h.api.webhook(h.bot.token), { url, secret_token: 'hook_Secret-123' });
  const rt = h.adapter.runtime();
  assert.equal(rt.mode, 'webhook');
  assert.equal(rt.running, true);
  assert.equal(rt.connected, true);
  assert.equal(h.api.calls('getUpdates').length, 0);

  const u = h.api.dm(h.bot.token, alice, 'via webhook');
  await eventually(() => gates.length === 1, 'the update at the sink');
  // The sink has not resolved: Telegram has no answer yet and still holds the update.
  await pause(100);
  assert.equal(h.api.webhookDeliveries.length, 0);
  assert.deepEqual(h.api.pendingUpdates(h.bot.token).map((x) => x.update_id), [u.update_id]);
  gates[0].resolve();
  const ok = await h.api.waitForWebhookDelivery((d) => d.update_id === u.update_id);
  assert.equal(ok.status, 200);
  assert.equal(ok.headers[DELIVERY_HEADER], 'durable');
  assert.equal(h.got[0].messageId, String(u.update_id));
  assert.equal(h.api.pendingUpdates(h.bot.token).length, 0);

  // A sink that refuses: 503, Telegram retries, the retry is stored.
  failNextDelivery = true;
  const u2 = h.api.dm(h.bot.token, alice, 'refused once');
  await eventually(() => gates.length === 2, 'u2 at the sink');
  gates[1].resolve();
  await eventually(() => gates.length === 3, 'u2 redelivered');
  gates[2].resolve();
  await h.api.waitForWebhookDelivery((d) => d.update_id === u2.update_id && d.status === 200);
  assert.deepEqual(h.api.webhookDeliveries.filter((d) => d.update_id === u2.update_id).map((d) => d.status), [503, 200]);
  assert.deepEqual(attempts, [u, u2, u2].map((x) => String(x.update_id)));
  assert.ok(h.lines.some((l) => l.level === 'warn' && new RegExp(`webhook update ${u2.update_id} not stored`).test(l.msg)), h.logText());

  // Requests without the right secret never reach the sink.
  const forged = { update_id: 1, message: { message_id: 1, date: 1, chat: { id: 1, type: 'private', first_name: 'X' }, from: { id: 1, is_bot: false, first_name: 'X' }, text: 'forged' } };
  assert.equal(await post(url, forged, { 'x-telegram-bot-api-secret-token': 'wrong' }), 401);
  assert.equal(await post(url, forged), 401);
  assert.equal(await post(`http://127.0.0.1:${port}/elsewhere`, forged, { 'x-telegram-bot-api-secret-token': 'hook_Secret-123' }), 404);
  assert.equal(await post(url, forged, { 'x-telegram-bot-api-secret-token': 'hook_Secret-123' }, 'PUT'), 405);
  assert.equal(attempts.length, 3);
});

// ---- 8. probe / audit

test('probe: bot identity and webhook info; 5xx retried; a bad token is {ok:false, status:401}', async (t) => {
  const h = await harness(t, { bot: { canReadAllGroupMessages: false }, config: { groups: { '*': { requireMention: false } } } });
  h.api.dm(h.bot.token, alice, 'pending');
  const p = await h.adapter.probe(3000);
  assert.equal(p.ok, true);
  assert.equal(p.status, 200);
  assert.equal(p.error, null);
  assert.deepEqual(p.bot, { id: String(h.bot.id), username: h.bot.username, canJoinGroups: true, canReadAllGroupMessages: false });
  assert.deepEqual(p.webhook, { url: '', hasCustomCert: false, pendingUpdateCount: 1 });
  assert.equal(typeof p.elapsedMs, 'number');
  // The identity is remembered: runtime() can say privacy mode will hide unmentioned group messages.
  assert.ok(h.adapter.runtime().issues?.some((i) => /privacy mode/.test(i.message)), JSON.stringify(h.adapter.runtime()));

  const hook = `http://127.0.0.1:${await closedPort()}/hook`;
  await botCall(h.api, h.bot.token, 'setWebhook', { url: hook });
  h.api.failNext('getMe', { error_code: 502, description: 'Bad Gateway' });
  const p2 = await h.adapter.probe(3000);
  assert.equal(p2.ok, true);
  assert.equal((p2.webhook as { url: string }).url, hook);

  const bad = createTelegramAdapter({ ...h.account, token: '1111111:AAH-not-a-known-token-000000000000' }, { log: captureLog().log, env: FAST_ENV });
  const pb = await bad.probe(3000);
  assert.equal(pb.ok, false);
  assert.equal(pb.status, 401);
  assert.match(String(pb.error), /401/);
  assert.ok(!String(pb.error).includes('AAH-not-a-known-token'));
  // One try: a 401 does not get better.
  assert.equal(h.api.calls('getMe').filter((c) => c.token.startsWith('1111111:')).length, 1);
  const ab = await bad.audit!(pb, 1000);
  assert.equal(ab.ok, false);
  assert.match(ab.issues![0], /bot identity is unknown/);
});

test('audit: reports a group the bot has left, an unknown chat and a non-numeric key', async (t) => {
  const h = await harness(t, { config: { groups: { '*': { requireMention: true }, '-1001111': {}, '-1002222': {}, '-1003333': {}, 'team-chat': {} } } });
  h.api.groupMessage(h.bot.token, { id: -1001111, title: 'Still here' }, alice, 'hi');
  h.api.groupMessage(h.bot.token, { id: -1002222, title: 'Left' }, alice, 'hi');
  h.api.setMembership(h.bot.token, -1002222, 'left');
  const probe = await h.adapter.probe(3000);
  const a = await h.adapter.audit!(probe, 3000);
  assert.equal(a.ok, false);
  assert.equal(a.checkedGroups, 3);
  assert.deepEqual(a.groups, [
    { chatId: '-1001111', ok: true, status: 'member' },
    { chatId: '-1002222', ok: false, status: 'left' },
    { chatId: '-1003333', ok: false, error: '400: Bad Request: chat not found' },
  ]);
  assert.deepEqual(a.unresolvedGroups, ['team-chat']);
  const issues = a.issues!.join('\n');
  assert.match(issues, /group -1002222: the bot is not a member \(status left\)/);
  assert.match(issues, /group -1003333: 400: Bad Request: chat not found \(the bot is not in this group, or the id is wrong\)/);
  assert.match(issues, /group "team-chat": cannot be probed/);
  // getChatMember asked about the bot itself.
  assert.ok(h.api.calls('getChatMember').every((c) => c.params.user_id === h.bot.id));
});

// ---- 9. stop

test('stop() is prompt during a 30 s conflict backoff, idempotent, and the adapter can start again', async (t) => {
  // Default timings: a 409 means a 30 s wait, which stop() must cut short.
  const h = await harness(t, { env: { OPENCLAW_TELEGRAM_CONFLICT_BACKOFF_MS: '30000' } });
  await h.adapter.stop(); // before start: a no-op
  h.api.failNext('getUpdates', { error_code: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' });
  await h.adapter.start(recordingSink(h));
  await eventually(() => /409/.test(h.adapter.runtime().lastError ?? ''), 'the conflict');
  const t0 = Date.now();
  await Promise.all([h.adapter.stop(), h.adapter.stop()]);
  const took = Date.now() - t0;
  assert.ok(took < 5000, `stop() took ${took} ms`);
  const rt = h.adapter.runtime();
  assert.equal(rt.running, false);
  assert.equal(rt.connected, false);

  await h.adapter.start(recordingSink(h));
  const u = h.api.dm(h.bot.token, alice, 'after restart');
  await eventually(() => h.got.length === 1, 'delivery after restart');
  assert.equal(h.got[0].messageId, String(u.update_id));
});

test('stop() during a long poll is prompt and leaves nothing keeping the process alive', async () => {
  // In a child process: after stop() and closing the fake, it must exit on its own.
  const bot = newBot();
  const adapterUrl = new URL('./adapter.js', import.meta.url).href;
  const fakeUrl = new URL('./testing/fake-bot-api.js', import.meta.url).href;
  const script = `
    const { createTelegramAdapter } = await import(${JSON.stringify(adapterUrl)});
    const { startFakeBotApi } = await import(${JSON.stringify(fakeUrl)});
    const bot = ${JSON.stringify(bot)};
    const api = await startFakeBotApi({ bots: [bot] });
    const noop = () => {};
    const log = { debug: noop, info: noop, warn: noop, error: noop, child: () => log };
    const account = { channel: 'telegram', accountId: 'default', enabled: true, configured: true, token: bot.token, tokenSource: 'config',
      dmPolicy: 'pairing', allowFrom: [], groupPolicy: 'allowlist', historyLimit: 50, apiRoot: api.apiRoot, healthMonitor: true };
    const adapter = createTelegramAdapter(account, { log, env: {} });
    let delivered = 0;
    await adapter.start(async () => { delivered++; });
    api.dm(bot.token, { id: 1 }, 'one');
    while (delivered < 1 || api.calls('getUpdates').length < 2) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100)); // the second getUpdates is now a pending 30 s long poll
    const t0 = Date.now();
    await adapter.stop();
    const stopMs = Date.now() - t0;
    const pending = api.pendingUpdates(bot.token).length;
    await api.close();
    console.log(JSON.stringify({ stopMs, pending, running: adapter.runtime().running }));
    setTimeout(() => console.log(JSON.stringify({ alive: process.getActiveResourcesInfo() })), 2000).unref();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  const guard = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('exit', (c, s) => r([c, s])));
  clearTimeout(guard);
  assert.equal(signal, null, `the child did not exit on its own (something kept it alive)\nstdout: ${out}\nstderr: ${err}`);
  assert.equal(code, 0, `stdout: ${out}\nstderr: ${err}`);
  const first = JSON.parse(out.split('\n')[0]);
  assert.ok(first.stopMs < 5000, `stop() took ${first.stopMs} ms`);
  assert.equal(first.running, false);
  assert.equal(first.pending, 0);
  assert.ok(!out.includes('"alive"'), `still alive 2 s after stop: ${out}`);
});
