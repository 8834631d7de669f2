// The channel layer end to end: a real gateway process with a Telegram account pointed (via
// `apiRoot`) at a local server speaking the real Bot API, the real grammY client inside the
// gateway, the fake model provider answering, and the real `openclaw` CLI.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { eventually, gatewayRuns, GATEWAY_WAIT_MS, localConfig, runCli, stateDirsForFile, type GatewayProcess, type StateDir } from '../testing/harness.js';
import { startFakeOpenAi, type FakeServerBase } from '../models/testing/fake-openai.js';
import { startFakeBotApi, type FakeBotApi, type FakeBotDef } from './telegram/testing/fake-bot-api.js';

const TOKEN = 'e2e-token-0123456789abcdef0123456789';
// A fresh bot per test: a gateway left polling by an earlier test must not 409 the next one.
let BOT: FakeBotDef;
let botSeq = 0;
const CODE_RE = /Pairing code:\n([A-HJ-NP-Z2-9]{8})\n/;

let model: FakeServerBase;
let tg: FakeBotApi;
const newState = stateDirsForFile();
const runs = gatewayRuns();

before(async () => {
  model = await startFakeOpenAi({ models: ['m'] });
  tg = await startFakeBotApi();
});
beforeEach(() => {
  botSeq++;
  BOT = { token: `${123450 + botSeq}:AAH-fake-token-for-tests-${botSeq}-0123456789`, id: 123450 + botSeq, username: 'claw_test_bot' };
  tg.addBot(BOT);
});
after(async () => {
  await tg.close();
  await model.close();
});

function config(telegram: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return localConfig(TOKEN, {
    models: { providers: { local: { baseUrl: model.baseUrl, models: [{ id: 'm' }] } } },
    agents: { defaults: { model: 'local/m' } },
    channels: { telegram: { botToken: BOT.token, apiRoot: tg.apiRoot, ...telegram } },
    ...extra,
  });
}

// What the recipient sees: the message text after Telegram parsed the HTML we sent.
const sentTo = (chatId: number | string) => tg.sent.filter((m) => String(m.chat_id) === String(chatId)).map((m) => ({ ...m, text: m.message.text ?? '' }));
const settle = (ms = 600) => new Promise((r) => setTimeout(r, ms));

async function up(state: StateDir): Promise<GatewayProcess> {
  const { gw } = await runs.start(state);
  if (process.env.E2E_DEBUG) process.on('exit', () => process.stderr.write(`--- gateway output\n${gw.output()}\n`));
  await gw.waitFor(/\[telegram\] \[default\] starting provider \(@claw_test_bot\)/, GATEWAY_WAIT_MS);
  // Polling has begun once the fake has seen a getUpdates from this gateway.
  await eventually(() => tg.calls('getUpdates').length > 0, GATEWAY_WAIT_MS);
  return gw;
}

describe('telegram DM pairing', () => {
  test('codes for unknown senders, the cap of 3, approve without restart, then the model answers', async () => {
    const state = newState(config({}));
    const gw = await up(state);
    const senders = [{ id: 1001, username: 'alice' }, { id: 1002, first_name: 'Bob' }, { id: 1003 }];
    for (const s of senders) tg.dm(BOT.token, s, 'hello?');
    const replies = await eventually(() => senders.every((s) => sentTo(s.id).length === 1) && senders.map((s) => sentTo(s.id)[0].text), GATEWAY_WAIT_MS);
    const codes = replies.map((text) => {
      const m = CODE_RE.exec(text);
      assert.ok(m, `not a pairing reply: ${text}`);
      return m[1];
    });
    assert.equal(new Set(codes).size, 3);
    // Upstream's text; its ``` fences arrive as Telegram code blocks (`pre` entities).
    assert.equal(replies[0], `OpenClaw: access not configured.\n\nYour Telegram user id: 1001\nPairing code:\n${codes[0]}\n\nAsk the bot owner to approve with:\nopenclaw pairing approve telegram ${codes[0]}`);
    const entities = sentTo(1001)[0].message.entities ?? [];
    assert.deepEqual(entities.map((e) => [e.type, replies[0].slice(e.offset, e.offset + e.length)]), [['pre', codes[0]], ['pre', `openclaw pairing approve telegram ${codes[0]}`]]);

    // the same sender again: no second reply; a 4th unknown sender: no reply at all (cap)
    tg.dm(BOT.token, senders[0], 'again');
    tg.dm(BOT.token, { id: 1004 }, 'me too');
    await eventually(() => gw.output().includes('pairing request cap reached'), GATEWAY_WAIT_MS);
    await settle();
    assert.equal(sentTo(1001).length, 1);
    assert.equal(sentTo(1004).length, 0);
    assert.equal(model.requests.length, 0, 'no unapproved message reached the model');

    const list = await runCli(['pairing', 'list', 'telegram', '--json'], { env: state.env });
    assert.equal(list.code, 0, list.stderr);
    const listed = JSON.parse(list.stdout);
    assert.equal(listed.channel, 'telegram');
    assert.deepEqual(listed.requests.map((r: { id: string; code: string }) => [r.id, r.code]).sort(), senders.map((s, i) => [String(s.id), codes[i]]).sort());

    const approve = await runCli(['pairing', 'approve', 'telegram', codes[0].toLowerCase()], { env: state.env });
    assert.equal(approve.code, 0, approve.stderr);
    assert.match(approve.stdout, /^Approved telegram sender 1001\.$/m);
    assert.match(approve.stdout, /^Command owner configured telegram:1001 \(commands\.ownerAllowFrom was empty\)\.$/m);

    tg.dm(BOT.token, senders[0], 'now answer me');
    const answer = await eventually(() => sentTo(1001).find((m) => m.text === 'echo: now answer me'), GATEWAY_WAIT_MS);
    assert.ok(answer);
    assert.ok(tg.chatActions.some((a) => String(a.chat_id) === '1001' && a.action === 'typing'), 'typing indicator while the model ran');
    assert.equal(model.requests.length, 1);
  });
});

describe('telegram control commands', () => {
  test('/new answers upstream\'s text without a model turn and the next message starts a fresh session', async () => {
    const state = newState(config({ allowFrom: ['7001'] }));
    await up(state);
    tg.dm(BOT.token, { id: 7001 }, 'first message');
    await eventually(() => sentTo(7001).find((m) => m.text === 'echo: first message'), GATEWAY_WAIT_MS);
    const turns = model.requests.length;
    tg.dm(BOT.token, { id: 7001 }, '/new');
    await eventually(() => sentTo(7001).find((m) => m.text === '✅ New session started.'), GATEWAY_WAIT_MS);
    assert.equal(model.requests.length, turns, '/new is answered by the gateway, not the model');
    tg.dm(BOT.token, { id: 7001 }, 'second message');
    await eventually(() => sentTo(7001).find((m) => m.text === 'echo: second message'), GATEWAY_WAIT_MS);
    const sent = model.requests.at(-1)!.body.messages.map((m: { content: unknown }) => JSON.stringify(m.content)).join('\n');
    assert.doesNotMatch(sent, /first message/, 'the old conversation is not in the new session');
    tg.dm(BOT.token, { id: 7001 }, '/reset@claw_test_bot what now?');
    await eventually(() => sentTo(7001).find((m) => m.text === 'echo: what now?'), GATEWAY_WAIT_MS);
    assert.doesNotMatch(model.requests.at(-1)!.body.messages.map((m: { content: unknown }) => JSON.stringify(m.content)).join('\n'), /second message/);
  });
});

describe('telegram groups', () => {
  test('unlisted groups are dropped with a log line; listed groups answer mentions and replies to the bot only', async () => {
    const state = newState(config({ groupAllowFrom: ['*'], groups: { '-1001': { requireMention: true } } }));
    const gw = await up(state);
    const alice = { id: 2001, username: 'alice' };

    tg.groupMessage(BOT.token, { id: -2002, type: 'supergroup' }, alice, `@${BOT.username} hi from an unlisted group`, { entities: [{ type: 'mention', offset: 0, length: BOT.username.length + 1 }] });
    await gw.waitFor(/\[telegram\] telegram: drop group message \(group -2002 not allowed: not in groups\)/, GATEWAY_WAIT_MS);

    tg.groupMessage(BOT.token, { id: -1001, type: 'supergroup' }, alice, 'just chatting');
    await gw.waitFor(/skipping group message \(mention required, chat=-1001/, GATEWAY_WAIT_MS);

    tg.groupMessage(BOT.token, { id: -1001, type: 'supergroup' }, alice, `@${BOT.username} ping`, { entities: [{ type: 'mention', offset: 0, length: BOT.username.length + 1 }] });
    const first = await eventually(() => sentTo(-1001)[0], GATEWAY_WAIT_MS);
    assert.equal(first.text, 'echo: [Earlier messages in this group, not addressed to you]\n@alice: just chatting\n\n[Message for you]\n@alice: ping');

    const botMsg = { message_id: 999, from: { id: BOT.id, is_bot: true, first_name: 'Claw', username: BOT.username }, chat: { id: -1001, type: 'supergroup' as const, title: 'Test group' }, date: Math.floor(Date.now() / 1000), text: 'earlier answer' };
    tg.groupMessage(BOT.token, { id: -1001, type: 'supergroup' }, alice, 'and a follow-up', { reply_to_message: botMsg });
    await eventually(() => sentTo(-1001).find((m) => m.text === 'echo: @alice: and a follow-up'), GATEWAY_WAIT_MS);
    assert.equal(sentTo(-2002).length, 0);
    assert.equal(sentTo(-1001).length, 2);
  });
});

describe('telegram group context', () => {
  test('messages.groupChat.historyLimit bounds the context kept for channels without their own historyLimit', async () => {
    const state = newState(config({ groupAllowFrom: ['*'], groups: { '-1009': { requireMention: true } } }, { messages: { groupChat: { historyLimit: 1 } } }));
    const gw = await up(state);
    const bob = { id: 2101, username: 'bob' };
    const group = { id: -1009, type: 'supergroup' as const };
    tg.groupMessage(BOT.token, group, bob, 'older chatter');
    tg.groupMessage(BOT.token, group, bob, 'newer chatter');
    await eventually(() => (gw.output().match(/skipping group message \(mention required, chat=-1009/g) ?? []).length === 2, GATEWAY_WAIT_MS);
    tg.groupMessage(BOT.token, group, bob, `@${BOT.username} and now?`, { entities: [{ type: 'mention', offset: 0, length: BOT.username.length + 1 }] });
    const reply = await eventually(() => sentTo(-1009)[0], GATEWAY_WAIT_MS);
    assert.equal(reply.text, 'echo: [Earlier messages in this group, not addressed to you]\n@bob: newer chatter\n\n[Message for you]\n@bob: and now?');
  });
});

describe('telegram durability', () => {
  test('kill -9 between receiving a DM and sending the reply: after a restart exactly one reply', async () => {
    const state = newState(config({ allowFrom: ['3001'] }));
    let gw = await up(state);
    model.chunkDelayMs = 40;
    model.reply = () => Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    const before = model.requests.length;
    tg.dm(BOT.token, { id: 3001 }, 'survive this');
    await eventually(() => model.requests.length > before, GATEWAY_WAIT_MS);
    gw.kill('SIGKILL');
    await gw.exited;
    assert.equal(sentTo(3001).length, 0, 'killed before the reply went out');

    model.chunkDelayMs = 0;
    gw = await up(state);
    const reply = await eventually(() => sentTo(3001)[0], GATEWAY_WAIT_MS);
    assert.equal(reply.text, Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '));
    await settle(1500);
    assert.equal(sentTo(3001).length, 1, 'exactly one reply');
    model.reply = (body) => `echo: ${body.messages.at(-1).content}`;
    await runs.stop(gw);
  });
});

describe('channels status', () => {
  test('--probe with the gateway up (works), with a bad token (probe failed + warning), and down (config-only)', async () => {
    const state = newState(config({}));
    const gw = await up(state);
    const ok = await runCli(['channels', 'status', '--probe'], { env: state.env });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /^Gateway reachable\.$/m);
    assert.match(ok.stdout, new RegExp(`^- Telegram default: enabled, configured, running, connected, .*mode:polling, bot:@${BOT.username}, dm:pairing, token:config, health:healthy, works`, 'm'));

    state.writeConfig(config({ botToken: '999:not-a-real-token' }));
    await gw.waitFor(/getMe returned 401/, GATEWAY_WAIT_MS);
    const bad = await runCli(['channels', 'status', '--probe', '--json'], { env: state.env });
    const payload = JSON.parse(bad.stdout);
    const acct = payload.channelAccounts.telegram[0];
    assert.equal(acct.probe.ok, false);
    assert.notEqual(acct.healthState, 'healthy');
    const badText = await runCli(['channels', 'status', '--probe'], { env: state.env });
    assert.equal(badText.code, 1);
    assert.match(badText.stdout, /probe failed/);
    assert.match(badText.stdout, /^Warnings:$/m);
    const health = await runCli(['health', '--json'], { env: state.env });
    assert.equal(health.code, 1);
    assert.equal(JSON.parse(health.stdout).ok, false);

    await runs.stop(gw);
    const down = await runCli(['channels', 'status'], { env: state.env });
    assert.match(down.stdout, /^Gateway not reachable; showing config-only status\.$/m);
    assert.match(down.stdout, /^- Telegram default: enabled, configured/m);
  });

  test('a failed probe stops counting once polling worked after it', async () => {
    const state = newState(config({ allowFrom: ['6001'] }));
    await up(state);
    // A non-transient answer: the probe tries once, so exactly this one failure is used up.
    tg.failNext('getMe', { error_code: 400, description: 'Bad Request: probe test' }, 1);
    const failed = JSON.parse((await runCli(['channels', 'status', '--probe', '--json'], { env: state.env })).stdout).channelAccounts.telegram[0];
    assert.equal(failed.probe.ok, false);
    assert.equal(failed.healthState, 'probe-failed');
    // A message arrives: the long poll completes, so the Bot API evidently works again.
    tg.dm(BOT.token, { id: 6001 }, 'still there?');
    await eventually(() => sentTo(6001).length > 0, GATEWAY_WAIT_MS);
    const after = await runCli(['channels', 'status', '--json'], { env: state.env });
    const acct = JSON.parse(after.stdout).channelAccounts.telegram[0];
    assert.equal(acct.healthState, 'healthy');
    assert.equal(after.code, 0, after.stdout);
  });

  test('a second poller on the same token: the 409 is shown in status, not a restart loop', async () => {
    const state = newState(config({}));
    state.env.OPENCLAW_TELEGRAM_CONFLICT_BACKOFF_MS = '2000';
    await up(state);
    // Another bot instance polling with the same token.
    const stop = { done: false };
    const rival = (async () => {
      while (!stop.done) await fetch(`${tg.apiRoot}/bot${BOT.token}/getUpdates?timeout=1`).catch(() => {});
    })();
    try {
      const line = await eventually(async () => {
        const r = await runCli(['channels', 'status'], { env: state.env });
        return /409: Conflict: terminated by other getUpdates request/.test(r.stdout) && r.stdout;
      }, GATEWAY_WAIT_MS, 300);
      assert.match(line, /disconnected/);
    } finally {
      stop.done = true;
      await rival;
    }
  });
});

describe('message send and heartbeat', () => {
  test('message send with no gateway prints the fix; with one it delivers; the heartbeat reaches its target', async () => {
    const state = newState(config({ allowFrom: ['4001'] }, { agents: { defaults: { model: 'local/m', heartbeat: { every: '2s', target: 'telegram', to: '4001', prompt: 'heartbeat check' } } } }));
    const down = await runCli(['message', 'send', '--channel', 'telegram', '--target', '4001', '--message', 'hi'], { env: state.env });
    assert.equal(down.code, 1);
    assert.match(down.stdout + down.stderr, /^send failed: gateway not connected$/m);

    await up(state);
    const sent = await runCli(['message', 'send', '--channel', 'telegram', '--target', '4002', '--message', 'direct hello', '--json'], { env: state.env });
    assert.equal(sent.code, 0, sent.stdout + sent.stderr);
    assert.ok(sentTo(4002).some((m) => m.text === 'direct hello'));

    const beat = await eventually(() => sentTo(4001).find((m) => m.text === 'echo: heartbeat check'), GATEWAY_WAIT_MS);
    assert.ok(beat);
    const status = await runCli(['system', 'heartbeat', 'status', '--json'], { env: state.env });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /sent/);
  });
});

describe('telegram accounts', () => {
  test('two accounts with one bot token: only the first polls, the second is reported not started with the fix', async () => {
    const state = newState(config({ botToken: undefined, accounts: { default: { botToken: BOT.token }, copy: { botToken: BOT.token } } }));
    const gw = await up(state);
    await gw.waitFor(/telegram copy: not started: uses the same bot token as account "default"/, GATEWAY_WAIT_MS);
    const r = await runCli(['channels', 'status', '--json'], { env: state.env });
    const accounts = JSON.parse(r.stdout).channelAccounts.telegram as Array<{ accountId: string; running: boolean; lastError?: string }>;
    const copy = accounts.find((a) => a.accountId === 'copy');
    assert.equal(copy?.running, false);
    assert.match(copy?.lastError ?? '', /same bot token as account "default"/);
    assert.equal(accounts.find((a) => a.accountId === 'default')?.running, true);
    await settle(1500);
    assert.doesNotMatch(gw.output(), /409: Conflict/, 'no account fought over the token');
  });

  test('heartbeat target "last": delivered to the chat the last admitted message came from', async () => {
    const state = newState(config({ allowFrom: ['5001'] }, { agents: { defaults: { model: 'local/m', heartbeat: { every: '2s', target: 'last', prompt: 'beat for last' } } } }));
    await up(state);
    tg.dm(BOT.token, { id: 5001 }, 'hello');
    await eventually(() => sentTo(5001).find((m) => m.text === 'echo: hello'), GATEWAY_WAIT_MS);
    const beat = await eventually(() => sentTo(5001).find((m) => m.text === 'echo: beat for last'), GATEWAY_WAIT_MS);
    assert.ok(beat);
  });
});
