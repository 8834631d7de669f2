import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeBotApi, type FakeBotApi } from './fake-bot-api.js';
import { parseTelegramHtml } from './telegram-html.js';

const TOKEN = '123456:TEST-token_abc';
const BOT = { token: TOKEN, id: 123456, username: 'fake_test_bot', firstName: 'Fake' };

async function call(api: FakeBotApi, method: string, params?: Record<string, unknown>, token = TOKEN): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api.apiRoot}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params ?? {}),
  });
  return { status: res.status, body: await res.json() };
}

async function withApi(fn: (api: FakeBotApi) => Promise<void>): Promise<void> {
  const api = await startFakeBotApi({ bots: [BOT], webhookRetryMs: 20 });
  try {
    await fn(api);
  } finally {
    await api.close();
  }
}

test('getMe answers the bot user; an unknown token is 401 on every method; unknown methods are 404', () =>
  withApi(async (api) => {
    const me = await call(api, 'getMe');
    assert.equal(me.status, 200);
    assert.deepEqual(me.body, {
      ok: true,
      result: { id: 123456, is_bot: true, first_name: 'Fake', username: 'fake_test_bot', can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false },
    });
    for (const method of ['getMe', 'getUpdates', 'sendMessage']) {
      const r = await call(api, method, { chat_id: 1, text: 'x' }, '999:nope');
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, { ok: false, error_code: 401, description: 'Unauthorized' });
    }
    assert.deepEqual((await call(api, 'noSuchMethod')).body, { ok: false, error_code: 404, description: 'Not Found' });
    // Method names are case-insensitive on the real server.
    assert.equal((await call(api, 'getme')).body.result.username, 'fake_test_bot');
    assert.equal(api.calls('getUpdates').filter((c) => c.token === '999:nope').length, 1);
  }));

test('getUpdates: unconfirmed updates are redelivered; updates below offset are dropped forever', () =>
  withApi(async (api) => {
    const u1 = api.dm(TOKEN, { id: 42, username: 'alice', first_name: 'Alice' }, 'hello');
    const u2 = api.dm(TOKEN, { id: 42, username: 'alice' }, '/start');
    assert.equal(u2.update_id, u1.update_id + 1);
    assert.ok(u2.message!.message_id > u1.message!.message_id);
    assert.deepEqual(u2.message!.entities, [{ type: 'bot_command', offset: 0, length: 6 }]);
    assert.equal(u1.message!.chat.type, 'private');
    assert.equal(u1.message!.chat.id, 42);

    const first = await call(api, 'getUpdates', { timeout: 0 });
    assert.deepEqual(first.body.result.map((u: any) => u.update_id), [u1.update_id, u2.update_id]);
    // Not confirmed: the same updates come again.
    const again = await call(api, 'getUpdates', { offset: 0, limit: 1, timeout: 0 });
    assert.deepEqual(again.body.result.map((u: any) => u.update_id), [u1.update_id]);
    // Confirm u1 only.
    const rest = await call(api, 'getUpdates', { offset: u1.update_id + 1, timeout: 0 });
    assert.deepEqual(rest.body.result.map((u: any) => u.update_id), [u2.update_id]);
    // Going back to a lower offset does not resurrect u1.
    const back = await call(api, 'getUpdates', { offset: u1.update_id, timeout: 0 });
    assert.deepEqual(back.body.result.map((u: any) => u.update_id), [u2.update_id]);
    await call(api, 'getUpdates', { offset: u2.update_id + 1, timeout: 0 });
    assert.deepEqual(api.pendingUpdates(TOKEN), []);
    assert.equal((await call(api, 'getWebhookInfo')).body.result.pending_update_count, 0);
  }));

test('getUpdates long-polls: empty answer after timeout, immediate answer when an update arrives', () =>
  withApi(async (api) => {
    const t0 = Date.now();
    const empty = await call(api, 'getUpdates', { timeout: 1 });
    const waited = Date.now() - t0;
    assert.deepEqual(empty.body, { ok: true, result: [] });
    assert.ok(waited >= 900 && waited < 3000, `waited ${waited} ms`);

    const t1 = Date.now();
    const pending = call(api, 'getUpdates', { timeout: 10 });
    setTimeout(() => api.dm(TOKEN, { id: 7 }, 'wake up'), 100);
    const got = await pending;
    assert.equal(got.body.result.length, 1);
    assert.equal(got.body.result[0].message.text, 'wake up');
    assert.ok(Date.now() - t1 < 2000);
  }));

test('allowed_updates filters update types and is remembered', () =>
  withApi(async (api) => {
    api.pushUpdate(TOKEN, { edited_message: { message_id: 1, date: 1, chat: { id: 1, type: 'private', first_name: 'A' }, edit_date: 2, text: 'x' } as any });
    const dm = api.dm(TOKEN, { id: 1 }, 'plain');
    const r = await call(api, 'getUpdates', { timeout: 0, allowed_updates: ['message'] });
    assert.deepEqual(r.body.result.map((u: any) => u.update_id), [dm.update_id]);
    const r2 = await call(api, 'getUpdates', { timeout: 0 });
    assert.deepEqual(r2.body.result.map((u: any) => u.update_id), [dm.update_id]);
  }));

test('a second getUpdates terminates the earlier pending one with 409', () =>
  withApi(async (api) => {
    const earlier = call(api, 'getUpdates', { timeout: 5 });
    await api.waitForCall('getUpdates');
    await new Promise((r) => setTimeout(r, 50));
    const later = call(api, 'getUpdates', { timeout: 1 });
    const e = await earlier;
    assert.equal(e.status, 409);
    assert.deepEqual(e.body, { ok: false, error_code: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' });
    assert.deepEqual((await later).body, { ok: true, result: [] });
  }));

test('webhook: getUpdates conflicts, updates are POSTed with the secret and retried until 200', () =>
  withApi(async (api) => {
    const seen: Array<{ secret?: string; body: any }> = [];
    let answers = [500, 200, 200];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        seen.push({ secret: req.headers['x-telegram-bot-api-secret-token'] as string, body: JSON.parse(Buffer.concat(chunks).toString()) });
        res.statusCode = answers.shift() ?? 200;
        res.setHeader('x-probe', 'yes');
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    try {
      assert.deepEqual((await call(api, 'setWebhook', { url, secret_token: 'bad secret!' })).body.description, 'Bad Request: secret token contains unallowed characters');
      assert.deepEqual((await call(api, 'setWebhook', { url, secret_token: 's3cret_-X' })).body, { ok: true, result: true });
      assert.deepEqual(api.webhook(TOKEN), { url, secret_token: 's3cret_-X' });
      const conflict = await call(api, 'getUpdates', { timeout: 0 });
      assert.equal(conflict.status, 409);
      assert.equal(conflict.body.description, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");

      const u = api.dm(TOKEN, { id: 5 }, 'via webhook');
      const ok = await api.waitForWebhookDelivery((d) => d.status === 200);
      assert.equal(ok.update_id, u.update_id);
      assert.equal(ok.headers['x-probe'], 'yes');
      assert.deepEqual(api.webhookDeliveries.map((d) => d.status), [500, 200]);
      assert.equal(seen.length, 2);
      assert.ok(seen.every((s) => s.secret === 's3cret_-X' && s.body.update_id === u.update_id));
      const info = (await call(api, 'getWebhookInfo')).body.result;
      assert.equal(info.url, url);
      assert.equal(info.pending_update_count, 0);
      assert.match(info.last_error_message, /Wrong response from the webhook: 500/);

      assert.deepEqual((await call(api, 'deleteWebhook', { drop_pending_updates: true })).body, { ok: true, result: true });
      assert.equal(api.webhook(TOKEN), undefined);
      assert.deepEqual((await call(api, 'getWebhookInfo')).body.result, { url: '', has_custom_certificate: false, pending_update_count: 0 });
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  }));

test('sendMessage: Message result, validation errors, form and multipart bodies', () =>
  withApi(async (api) => {
    const ok = await call(api, 'sendMessage', { chat_id: 42, text: 'hi', message_thread_id: 9, reply_parameters: { message_id: 3 } });
    assert.equal(ok.body.ok, true);
    assert.equal(ok.body.result.text, 'hi');
    assert.equal(ok.body.result.from.id, 123456);
    assert.equal(ok.body.result.chat.id, 42);
    assert.equal(typeof ok.body.result.date, 'number');
    const ok2 = await call(api, 'sendMessage', { chat_id: 42, text: 'again' });
    assert.ok(ok2.body.result.message_id > ok.body.result.message_id);
    assert.deepEqual(api.sent[0].reply_parameters, { message_id: 3 });
    assert.equal(api.sent[0].message_thread_id, 9);

    assert.deepEqual((await call(api, 'sendMessage', { chat_id: 42, text: '  ' })).body, { ok: false, error_code: 400, description: 'Bad Request: message text is empty' });
    assert.equal((await call(api, 'sendMessage', { chat_id: 42, text: 'x'.repeat(4097) })).body.description, 'Bad Request: message is too long');
    assert.equal((await call(api, 'sendMessage', { chat_id: 42, text: 'x'.repeat(4096) })).body.ok, true);
    const bad = await call(api, 'sendMessage', { chat_id: 42, text: '<b>open', parse_mode: 'HTML' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.description, /^Bad Request: can't parse entities: /);
    const html = await call(api, 'sendMessage', { chat_id: 42, text: '<pre><code class="language-ts">a &lt; b</code></pre>', parse_mode: 'HTML' });
    assert.equal(html.body.result.text, 'a < b');
    assert.deepEqual(html.body.result.entities, [{ type: 'pre', offset: 0, length: 5, language: 'ts' }]);

    const form = await fetch(`${api.apiRoot}/bot${TOKEN}/sendMessage`, { method: 'POST', body: new URLSearchParams({ chat_id: '-1001', text: '123' }) });
    const formBody: any = await form.json();
    assert.equal(formBody.result.text, '123');
    assert.equal(formBody.result.chat.id, -1001);
    const fd = new FormData();
    fd.set('chat_id', '77');
    fd.set('text', 'multi');
    const multi: any = await (await fetch(`${api.apiRoot}/bot${TOKEN}/sendMessage`, { method: 'POST', body: fd })).json();
    assert.equal(multi.result.text, 'multi');
    const viaGet: any = await (await fetch(`${api.apiRoot}/bot${TOKEN}/sendChatAction?chat_id=42&action=typing`)).json();
    assert.deepEqual(viaGet, { ok: true, result: true });
    assert.equal(api.chatActions[0].action, 'typing');
    assert.equal(api.chatActions[0].chat_id, 42);
    await api.waitForSent((m) => m.text === 'multi');
    await assert.rejects(api.waitForSent((m) => m.text === 'never', 50), /no matching sendMessage within 50 ms; \d+ sent:[\s\S]*"multi"/);
  }));

test('failNext injects errors (429 carries parameters.retry_after) for the given number of calls', () =>
  withApi(async (api) => {
    api.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 3', retry_after: 3 }, 2);
    for (let i = 0; i < 2; i++) {
      const r = await call(api, 'sendMessage', { chat_id: 1, text: 'x' });
      assert.equal(r.status, 429);
      assert.deepEqual(r.body, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } });
    }
    assert.equal((await call(api, 'sendMessage', { chat_id: 1, text: 'x' })).body.ok, true);
    assert.equal(api.sent.length, 1);
  }));

test('stallGetUpdates holds polls unanswered until released; getChatMember reports membership', () =>
  withApi(async (api) => {
    api.stallGetUpdates(TOKEN, true);
    api.dm(TOKEN, { id: 1 }, 'queued');
    let answered = false;
    const held = call(api, 'getUpdates', { timeout: 0 }).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(answered, false);
    api.stallGetUpdates(TOKEN, false);
    assert.equal((await held).body.result[0].message.text, 'queued');

    api.groupMessage(TOKEN, { id: -100123, title: 'Team' }, { id: 9 }, 'hi @fake_test_bot');
    const member = await call(api, 'getChatMember', { chat_id: -100123, user_id: 123456 });
    assert.equal(member.body.result.status, 'member');
    api.setMembership(TOKEN, -100123, 'left');
    assert.equal((await call(api, 'getChatMember', { chat_id: -100123, user_id: 123456 })).body.result.status, 'left');
    assert.equal((await call(api, 'getChatMember', { chat_id: -5, user_id: 123456 })).body.description, 'Bad Request: chat not found');
    assert.equal((await call(api, 'getChat', { chat_id: -100123 })).body.result.title, 'Team');
  }));

test('HTML parser mirrors the Bot API errors', () => {
  assert.deepEqual(parseTelegramHtml('a &amp; <b>b</b> &nbsp;'), { ok: true, text: 'a & b &nbsp;', entities: [{ type: 'bold', offset: 4, length: 1 }] });
  assert.match((parseTelegramHtml('<foo>x</foo>') as any).error, /Unsupported start tag "foo" at byte offset 0/);
  assert.match((parseTelegramHtml('<b>x</i>') as any).error, /Unmatched end tag at byte offset 4, expected "<\/b>", found "<\/i>"/);
  assert.match((parseTelegramHtml('1 < 2') as any).error, /Unsupported start tag "" at byte offset 2/);
  assert.match((parseTelegramHtml('<i>x') as any).error, /Can't find end tag corresponding to start tag "i"/);
  assert.match((parseTelegramHtml('x</b>') as any).error, /Unexpected end tag/);
});
