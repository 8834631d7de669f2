// The Discord channel end to end: a real gateway process with a Discord account pointed (via
// `apiRoot`) at a local server speaking Discord's REST and Gateway wire format, the real
// @discordjs/rest and @discordjs/ws clients inside the gateway, the fake model provider answering,
// and the real `openclaw` CLI.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { eventually, gatewayRuns, GATEWAY_WAIT_MS, localConfig, runCli, stateDirsForFile, type GatewayProcess, type StateDir } from '../testing/harness.js';
import { startFakeOpenAi, type FakeServerBase } from '../models/testing/fake-openai.js';
import { DM_BLOCKED_FIX, INTENT_FIX } from './discord/errors.js';
import { snowflake, startFakeDiscord, type FakeDiscord, type FakeDiscordBot } from './discord/testing/fake-discord.js';

const TOKEN = 'e2e-token-0123456789abcdef0123456789';
const CODE_RE = /Pairing code:\n```\n([A-HJ-NP-Z2-9]{8})\n```\n/;

let model: FakeServerBase;
let dc: FakeDiscord;
// A fresh bot per test: a gateway of an earlier test must not share (or end) the next one's session.
let BOT: FakeDiscordBot;
let botSeq = 0;
const newState = stateDirsForFile();
const runs = gatewayRuns();

before(async () => {
  model = await startFakeOpenAi({ models: ['m'] });
  dc = await startFakeDiscord({ heartbeatIntervalMs: 500 });
});
beforeEach(() => {
  botSeq++;
  const id = snowflake();
  BOT = { token: `${Buffer.from(id).toString('base64url')}.Ge2e${botSeq}.e2e-discord-secret-${botSeq}-abcdefghijklmnopqrstuvwxyz`, id, username: 'claw_discord_bot' };
  dc.addBot(BOT);
});
after(async () => {
  await dc.close();
  await model.close();
});

function config(discord: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return localConfig(TOKEN, {
    models: { providers: { local: { baseUrl: model.baseUrl, models: [{ id: 'm' }] } } },
    agents: { defaults: { model: 'local/m' } },
    channels: { discord: { token: BOT.token, apiRoot: dc.apiRoot, ...discord } },
    ...extra,
  });
}

const sentTo = (channelId: string) => dc.sent.filter((m) => m.token === BOT.token && m.channelId === channelId);
const settle = (ms = 600) => new Promise((r) => setTimeout(r, ms));
const identifies = () => dc.received.filter((r) => r.op === 2 && r.token === BOT.token).length;

/** One check of `openclaw doctor --json` against this state dir's running gateway. */
async function doctorCheck(state: StateDir, id: string): Promise<{ level: string; message: string; fix: string | null }> {
  const r = await runCli(['doctor', '--json'], { env: state.env });
  const check = JSON.parse(r.stdout).checks.find((c: { id: string }) => c.id === id);
  assert.ok(check, `${id} in ${r.stdout}`);
  return check;
}

async function up(state: StateDir, readyCount = 1): Promise<GatewayProcess> {
  const { gw } = await runs.start(state);
  if (process.env.E2E_DEBUG) process.on('exit', () => process.stderr.write(`--- gateway output\n${gw.output()}\n`));
  await gw.waitFor(/\[discord\] \[default\] starting provider \(@claw_discord_bot\)/, GATEWAY_WAIT_MS);
  await dc.waitForReady(BOT.token, readyCount, GATEWAY_WAIT_MS);
  return gw;
}

describe('discord DM pairing', () => {
  test('an unknown DM gets the pairing reply; approve without restart; then the model answers', async () => {
    const state = newState(config({}));
    await up(state);
    const alice = { id: '200000000000000001', username: 'alice' };
    const first = dc.dm(BOT.token, alice, 'hello?');
    const reply = await eventually(() => sentTo(first.channel_id)[0], GATEWAY_WAIT_MS);
    const m = CODE_RE.exec(reply.content);
    assert.ok(m, `not a pairing reply: ${reply.content}`);
    const code = m[1];
    assert.equal(reply.content, `OpenClaw: access not configured.\n\nYour Discord user id: ${alice.id}\nPairing code:\n\`\`\`\n${code}\n\`\`\`\n\nAsk the bot owner to approve with:\n\`\`\`\nopenclaw pairing approve discord ${code}\n\`\`\``);
    assert.equal(model.requests.length, 0, 'no unapproved message reached the model');

    const list = JSON.parse((await runCli(['pairing', 'list', 'discord', '--json'], { env: state.env })).stdout);
    assert.deepEqual(list.requests.map((r: { id: string; code: string }) => [r.id, r.code]), [[alice.id, code]]);
    const approve = await runCli(['pairing', 'approve', 'discord', code], { env: state.env });
    assert.equal(approve.code, 0, approve.stderr);
    assert.match(approve.stdout, new RegExp(`^Approved discord sender ${alice.id}\\.$`, 'm'));

    dc.dm(BOT.token, alice, 'now answer me');
    const answer = await eventually(() => sentTo(first.channel_id).find((x) => x.content === 'echo: now answer me'), GATEWAY_WAIT_MS);
    assert.ok(answer);
    assert.ok(dc.typing.some((t) => t.channelId === first.channel_id), 'typing indicator while the model ran');
    assert.equal(model.requests.length, 1);
  });
});

describe('discord guilds', () => {
  test('a listed guild channel with requireMention drops unmentioned chatter (kept as context) and answers a mention with a reply', async () => {
    const alice = { id: '200000000000000002', username: 'alice' };
    const state = newState(config({ guilds: { '3001': { users: [alice.id], channels: { '4001': { requireMention: true } } } } }));
    const gw = await up(state);
    dc.guildMessage(BOT.token, '3001', '4001', alice, 'just chatting');
    // The shared policy's current wording (upstream's is `discord: drop guild message (mention required, botId=<id>)`).
    await gw.waitFor(/\[discord\] discord: drop guild message \(mention required, botId=\d+\); kept as context/, GATEWAY_WAIT_MS);
    const ping = dc.guildMessage(BOT.token, '3001', '4001', alice, `<@${BOT.id}> ping`);
    const reply = await eventually(() => sentTo('4001')[0], GATEWAY_WAIT_MS);
    assert.equal(reply.content, 'echo: [Earlier messages in this group, not addressed to you]\n@alice: just chatting\n\n[Message for you]\n@alice: ping');
    assert.equal(reply.message_reference?.message_id, ping.id, 'the reply quotes the mention');
    await settle();
    assert.equal(sentTo('4001').length, 1);
  });
});

describe('discord ignoreOtherMentions', () => {
  test('a guild message addressed to someone else is dropped even without requireMention; mentioning the bot too still gets an answer', async () => {
    const alice = { id: '200000000000000005', username: 'alice' };
    const bob = { id: '200000000000000006', username: 'bob' };
    const state = newState(config({ guilds: { '3002': { requireMention: false, ignoreOtherMentions: true } } }));
    const gw = await up(state);
    dc.guildMessage(BOT.token, '3002', '4002', alice, `<@${bob.id}> can you look at this?`);
    await gw.waitFor(/\[discord\] discord: drop guild message \(addressed to another identity, ignoreOtherMentions=true, botId=\d+\); kept as context \(fix: mention the bot explicitly, or openclaw config set 'channels\.discord\.guilds\["3002"\]\.ignoreOtherMentions' false\)/, GATEWAY_WAIT_MS);
    dc.guildMessage(BOT.token, '3002', '4002', alice, 'anyone around?');
    await eventually(() => sentTo('4002')[0], GATEWAY_WAIT_MS);
    dc.guildMessage(BOT.token, '3002', '4002', alice, `<@${BOT.id}> and <@${bob.id}>, thoughts?`);
    await eventually(() => sentTo('4002')[1], GATEWAY_WAIT_MS);
    await settle();
    assert.equal(sentTo('4002').length, 2, 'only the message addressed to bob went unanswered');
    assert.match(sentTo('4002')[0].content, /@alice: anyone around\?$/);
    assert.match(sentTo('4002')[1].content, /@alice: and <@200000000000000006>, thoughts\?$/);

    // A ping of the bot's own managed role (Discord creates one per guild, announced in GUILD_CREATE)
    // addresses the bot; a ping of any other role does not.
    dc.dispatch(BOT.token, 'GUILD_CREATE', { id: '3002', name: 'g', roles: [{ id: '9001', name: 'claw', tags: { bot_id: BOT.id } }, { id: '9002', name: 'ops' }] });
    dc.guildMessage(BOT.token, '3002', '4002', alice, '<@&9002> deploy?', { extra: { mention_roles: ['9002'] } });
    dc.guildMessage(BOT.token, '3002', '4002', alice, '<@&9001> status?', { extra: { mention_roles: ['9001'] } });
    await eventually(() => sentTo('4002')[2], GATEWAY_WAIT_MS);
    await settle();
    assert.equal(sentTo('4002').length, 3);
    assert.match(sentTo('4002')[2].content, /status\?$/);
  });
});

describe('discord durability', () => {
  test('kill -9 between receiving a DM and sending the reply: after a restart exactly one reply', async () => {
    const bob = { id: '200000000000000003', username: 'bob' };
    const state = newState(config({ allowFrom: [bob.id], dmPolicy: 'allowlist' }));
    let gw = await up(state);
    model.chunkDelayMs = 40;
    model.reply = () => Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    const before = model.requests.length;
    const m = dc.dm(BOT.token, bob, 'survive this');
    await eventually(() => model.requests.length > before, GATEWAY_WAIT_MS);
    gw.kill('SIGKILL');
    await gw.exited;
    assert.equal(sentTo(m.channel_id).length, 0, 'killed before the reply went out');

    model.chunkDelayMs = 0;
    gw = await up(state, 2);
    const reply = await eventually(() => sentTo(m.channel_id)[0], GATEWAY_WAIT_MS);
    assert.equal(reply.content, Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '));
    await settle(1500);
    assert.equal(sentTo(m.channel_id).length, 1, 'exactly one reply');
    model.reply = (body) => `echo: ${body.messages.at(-1).content}`;
    await runs.stop(gw);
  });

  test('a dropped connection is resumed and the DM sent during the gap is answered', async () => {
    const carol = { id: '200000000000000004', username: 'carol' };
    const state = newState(config({ allowFrom: [carol.id], dmPolicy: 'allowlist' }));
    const gw = await up(state);
    const m1 = dc.dm(BOT.token, carol, 'before');
    await eventually(() => sentTo(m1.channel_id).find((x) => x.content === 'echo: before'), GATEWAY_WAIT_MS);
    dc.dropConnection(BOT.token);
    dc.dm(BOT.token, carol, 'in the gap');
    await eventually(() => sentTo(m1.channel_id).find((x) => x.content === 'echo: in the gap'), GATEWAY_WAIT_MS);
    assert.ok(dc.received.some((r) => r.op === 6 && r.d?.token === BOT.token), 'the gateway sent RESUME');
    assert.equal(identifies(), 1, 'resumed, not re-identified');
    await gw.waitFor(/gateway session resumed/, GATEWAY_WAIT_MS);
  });
});

describe('discord status', () => {
  test('no READY within OPENCLAW_DISCORD_READY_TIMEOUT_MS: channels status shows the error with the fix, then the next session connects', async () => {
    BOT.holdReady = 1;
    const state = newState(config({}));
    state.env.OPENCLAW_DISCORD_READY_TIMEOUT_MS = '3000';
    state.env.OPENCLAW_DISCORD_RETRY_BASE_MS = '4000'; // a wide window to read the failed state in
    const { gw } = await runs.start(state);
    await gw.waitFor(/Discord gateway READY not received within 3000 ms; reconnecting in 4000 ms\. Fix: check that this host can open a WebSocket/, GATEWAY_WAIT_MS);
    const failing = JSON.parse((await runCli(['channels', 'status', '--json'], { env: state.env })).stdout);
    const acct = failing.channelAccounts.discord[0];
    assert.equal(acct.connected, false);
    assert.match(acct.lastError, /^Discord gateway READY not received within 3000 ms; reconnecting in 4000 ms$/);
    assert.ok(failing.statusIssues.some((i: { message: string; fix?: string }) => /READY not received/.test(i.message) && /OPENCLAW_DISCORD_READY_TIMEOUT_MS/.test(i.fix ?? '')), 'the fix is in the status issues');
    const text = await runCli(['channels', 'status'], { env: state.env });
    assert.match(text.stdout, /^- Discord default: enabled, configured, error:Discord gateway READY not received within 3000 ms; reconnecting in 4000 ms, running, disconnected/m);
    assert.match(text.stdout, /^- discord default: Discord gateway READY not received within 3000 ms; reconnecting in 4000 ms \(check that this host can open a WebSocket to the Discord gateway/m);
    await gw.waitFor(/\[discord\] \[default\] starting provider \(@claw_discord_bot\)/, GATEWAY_WAIT_MS);
    const r = await eventually(async () => {
      const out = await runCli(['channels', 'status'], { env: state.env });
      return /^- Discord default: .*, connected,/m.test(out.stdout) && out;
    }, GATEWAY_WAIT_MS, 300);
    assert.doesNotMatch(r.stdout, /error:/);
    assert.equal(identifies(), 2, 'one IDENTIFY per session');
    assert.equal(dc.liveSockets(BOT.token), 1);
  });

  test('a 4014 close (Message Content intent not enabled) is shown in channels status with the fix', async () => {
    BOT.disallowedIntents = 1 << 15;
    const state = newState(config({}));
    const { gw } = await runs.start(state);
    await gw.waitFor(/4014 \(disallowed intents\)/, GATEWAY_WAIT_MS);
    const r = await eventually(async () => {
      const out = await runCli(['channels', 'status'], { env: state.env });
      return /4014 \(disallowed intents\)/.test(out.stdout) && out;
    }, GATEWAY_WAIT_MS, 300);
    assert.match(r.stdout, /^- Discord default: .*disconnected.*, intents:content=disabled,/m);
    assert.match(r.stdout, /Message Content intent/);
    const json = JSON.parse((await runCli(['channels', 'status', '--json'], { env: state.env })).stdout);
    const acct = json.channelAccounts.discord[0];
    assert.equal(acct.healthState, 'terminal-disconnect');
    assert.match(acct.lastError, /4014/);
    assert.deepEqual(acct.application, { intents: { messageContent: 'disabled' } });
    assert.ok(!r.stdout.includes(BOT.token.split('.')[2]) && !gw.output().includes(BOT.token.split('.')[2]), 'token never printed');
    await settle(1000);
    assert.equal(identifies(), 1, 'no reconnect loop after a terminal close');
    const intents = await doctorCheck(state, 'channel-discord-intents');
    assert.equal(intents.level, 'error', intents.message);
    assert.match(intents.message, /^Discord account "default": Discord gateway closed with 4014 \(disallowed intents\)/);
    assert.equal(intents.fix, INTENT_FIX);
  });

  test('a DM Discord refuses (50007) is named in channels status and by openclaw doctor (channel-discord-dm)', async () => {
    const state = newState(config({}));
    await up(state);
    const carol = '200000000000000777';
    dc.blockDms(carol);
    const send = await runCli(['message', 'send', '--channel', 'discord', '--target', `user:${carol}`, '--message', 'hi'], { env: state.env });
    assert.notEqual(send.code, 0);
    assert.match(send.stderr + send.stdout, /403: Cannot send messages to this user \(50007\)/);
    const status = JSON.parse((await runCli(['channels', 'status', '--json'], { env: state.env })).stdout);
    const issue = status.statusIssues.find((i: { kind: string }) => i.kind === 'outbound');
    assert.equal(issue?.message, `1 outbound message(s) failed for good in the last 24 h (last, to user:${carol}: 403: Cannot send messages to this user (50007))`);
    const dm = await doctorCheck(state, 'channel-discord-dm');
    assert.equal(dm.level, 'warn', dm.message);
    assert.equal(dm.fix, DM_BLOCKED_FIX);
    assert.equal((await doctorCheck(state, 'channel-discord-token')).message, `Discord accepts the bot token (@${BOT.username}).`);
  });

  test('channels status and --probe: works, bot and Message Content intent state (READY flags, then the probe)', async () => {
    const state = newState(config({}));
    await up(state);
    const plain = await runCli(['channels', 'status'], { env: state.env });
    assert.match(plain.stdout, /^- Discord default: enabled, configured, running, connected, .*intents:content=limited/m, 'from READY, before any probe');
    const r = await runCli(['channels', 'status', '--probe', '--json'], { env: state.env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const acct = JSON.parse(r.stdout).channelAccounts.discord[0];
    assert.equal(acct.probe.ok, true);
    assert.deepEqual(acct.probe.bot, { id: BOT.id, username: BOT.username });
    assert.deepEqual(acct.probe.application.intents, { messageContent: 'limited' });
    assert.deepEqual(acct.application, { id: BOT.id, flags: 1 << 19, intents: { messageContent: 'limited' } });
    assert.equal(acct.healthState, 'healthy');
    assert.equal(acct.mode, 'gateway');
    const text = await runCli(['channels', 'status', '--probe'], { env: state.env });
    assert.match(text.stdout, /^- Discord default: enabled, configured, running, connected, .*bot:@claw_discord_bot.*intents:content=limited.*works/m);
    const intents = await doctorCheck(state, 'channel-discord-intents');
    assert.equal(intents.level, 'ok', 'limited (the Portal toggle) is enough for a small bot');
  });
});
