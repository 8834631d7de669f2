// The iMessage channel end to end: a real gateway process whose `channels.imessage.cliPath` is
// fake-imsg.mjs (a child speaking imsg's JSON-RPC over stdio), the fake model provider answering,
// and the real `openclaw` CLI: pairing, durability across kill -9, and a never-ready imsg in status.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, gatewayRuns, GATEWAY_WAIT_MS, localConfig, runCli, stateDirsForFile, type GatewayProcess, type StateDir } from '../testing/harness.js';
import { startFakeOpenAi, type FakeServerBase } from '../models/testing/fake-openai.js';
import { fakeImsg, type FakeImsg } from './imessage/testing/fake-imsg-control.js';

const TOKEN = 'e2e-token-0123456789abcdef0123456789';
const CODE_RE = /Pairing code:\n([A-HJ-NP-Z2-9]{8})\n/;

let model: FakeServerBase;
const fakes: FakeImsg[] = [];
const newState = stateDirsForFile();
const runs = gatewayRuns();

before(async () => {
  model = await startFakeOpenAi({ models: ['m'] });
});
after(async () => {
  await model.close();
  fakes.forEach((f) => f.cleanup());
});

function setup(imessage: Record<string, unknown> = {}): { state: StateDir; fake: FakeImsg } {
  const fake = fakeImsg();
  fakes.push(fake);
  const state = newState(
    localConfig(TOKEN, {
      models: { providers: { local: { baseUrl: model.baseUrl, models: [{ id: 'm' }] } } },
      agents: { defaults: { model: 'local/m' } },
      channels: { imessage: { cliPath: fake.cliPath, ...imessage } },
    }),
  );
  Object.assign(state.env, fake.env, { OPENCLAW_IMESSAGE_READY_TIMEOUT_MS: '1500', OPENCLAW_IMESSAGE_RESTART_BASE_MS: '200', OPENCLAW_IMESSAGE_RESTART_CAP_MS: '1000' });
  return { state, fake };
}

async function up(state: StateDir, fake: FakeImsg): Promise<GatewayProcess> {
  const subs = fake.calls('watch.subscribe').length;
  const { gw } = await runs.start(state);
  if (process.env.E2E_DEBUG) process.on('exit', () => process.stderr.write(`--- gateway output\n${gw.output()}\n`));
  await gw.waitFor(/\[imessage\] \[default\] imsg rpc ready/, GATEWAY_WAIT_MS);
  await eventually(() => fake.calls('watch.subscribe').length > subs, GATEWAY_WAIT_MS);
  return gw;
}

const sentTo = (fake: FakeImsg, chatId: number) => fake.sent().filter((s) => s.chat_id === chatId).map((s) => String(s.text));
const settle = (ms = 600) => new Promise((r) => setTimeout(r, ms));

describe('imessage DM pairing', () => {
  test('an unknown sender gets a pairing code through imsg send; approved, the next DM is answered by the model', async () => {
    const { state, fake } = setup();
    await up(state, fake);
    fake.dm('+15550101010', 'hello?', { chat_id: 11 });
    const [reply] = await eventually(() => sentTo(fake, 11).length === 1 && sentTo(fake, 11), GATEWAY_WAIT_MS);
    const code = CODE_RE.exec(reply)?.[1];
    assert.ok(code, `not a pairing reply: ${reply}`);
    assert.match(reply, /^Your iMessage sender id: \+15550101010$/m);
    assert.match(reply, new RegExp(`openclaw pairing approve imessage ${code}`));
    assert.equal(model.requests.length, 0, 'nothing reached the model');

    const approve = await runCli(['pairing', 'approve', 'imessage', code], { env: state.env });
    assert.equal(approve.code, 0, approve.stdout + approve.stderr);
    assert.match(approve.stdout, /^Approved imessage sender \+15550101010\.$/m);

    fake.dm('+15550101010', 'now answer me', { chat_id: 11 });
    await eventually(() => sentTo(fake, 11).includes('echo: now answer me'), GATEWAY_WAIT_MS);
    assert.equal(model.requests.length, 1);
  });
});

describe('imessage groups', () => {
  test('an unlisted group chat is dropped; a listed one with requireMention=false is answered in the chat', async () => {
    const { state, fake } = setup({ groupAllowFrom: ['*'], groups: { '44': { requireMention: false } } });
    const gw = await up(state, fake);
    const group = (chat_id: number) => ({ chat_id, is_group: true, chat_guid: `iMessage;+;chat${chat_id}`, participants: ['+15550505050', 'bob@example.com'] });
    fake.inbound({ sender: '+15550505050', text: 'anyone?', ...group(45) });
    await gw.waitFor(/imessage: drop group message \(group 45 not allowed: not in groups\)/, GATEWAY_WAIT_MS);
    fake.inbound({ sender: '+15550505050', sender_name: 'Eve', text: 'hi all', ...group(44) });
    const reply = await eventually(() => sentTo(fake, 44)[0], GATEWAY_WAIT_MS);
    assert.equal(reply, 'echo: Eve: hi all');
    assert.equal(sentTo(fake, 45).length, 0);
  });
});

describe('imessage durability', () => {
  test('kill -9 between receiving a DM and sending the reply: after a restart exactly one reply', async () => {
    const { state, fake } = setup({ allowFrom: ['+15550202020'] });
    let gw = await up(state, fake);
    model.chunkDelayMs = 40;
    model.reply = () => Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    const before = model.requests.length;
    fake.dm('+15550202020', 'survive this', { chat_id: 22 });
    await eventually(() => model.requests.length > before, GATEWAY_WAIT_MS);
    gw.kill('SIGKILL');
    await gw.exited;
    assert.equal(sentTo(fake, 22).length, 0, 'killed before the reply went out');

    model.chunkDelayMs = 0;
    gw = await up(state, fake);
    const reply = await eventually(() => sentTo(fake, 22)[0], GATEWAY_WAIT_MS);
    assert.equal(reply, Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '));
    await settle(1500);
    assert.equal(sentTo(fake, 22).length, 1, 'exactly one reply');
    model.reply = (body) => `echo: ${body.messages.at(-1).content}`;
    await runs.stop(gw);
  });

  test('imsg crashes: the gateway restarts it and the DM sent meanwhile is answered once', async () => {
    const { state, fake } = setup({ allowFrom: ['+15550303030'] });
    const gw = await up(state, fake);
    fake.dm('+15550303030', 'first', { chat_id: 33 });
    await eventually(() => sentTo(fake, 33).includes('echo: first'), GATEWAY_WAIT_MS);
    fake.crash();
    await gw.waitFor(/\[imessage\] iMessage imsg rpc exited \(code 1\)/, GATEWAY_WAIT_MS);
    fake.dm('+15550303030', 'while down', { chat_id: 33 });
    await eventually(() => sentTo(fake, 33).includes('echo: while down'), GATEWAY_WAIT_MS);
    await settle(800);
    assert.deepEqual(sentTo(fake, 33), ['echo: first', 'echo: while down']);
    assert.equal(fake.spawns().length, 2);
  });
});

describe('imessage status', () => {
  test('an imsg that never becomes ready: channels status --probe shows the reason and exits 1', async () => {
    const { state, fake } = setup();
    fake.setMode('exit');
    const { gw } = await runs.start(state);
    await gw.waitFor(/imsg rpc not ready after 1500ms \(Error: imsg rpc exited \(code 1\)\)/, GATEWAY_WAIT_MS);
    const r = await runCli(['channels', 'status', '--probe'], { env: state.env });
    if (process.env.E2E_DEBUG) process.stderr.write(r.stdout);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^- iMessage default: .*imsg rpc not ready after 1500ms \(Error: imsg rpc exited \(code 1\)\)/m);
    assert.match(r.stdout, /Full Disk Access/);
    const json = JSON.parse((await runCli(['channels', 'status', '--probe', '--json'], { env: state.env })).stdout);
    const acct = json.channelAccounts.imessage[0];
    assert.equal(acct.connected, false);
    assert.equal(acct.probe.ok, false);
    assert.match(acct.probe.error, /^imsg rpc not ready after 1500ms \(Error: imsg rpc exited \(code 1\)\)/);
  });

  test('a working imsg: status --probe works; message send delivers through imsg send', async () => {
    const { state, fake } = setup();
    await up(state, fake);
    const r = await runCli(['channels', 'status', '--probe'], { env: state.env });
    if (process.env.E2E_DEBUG) process.stderr.write(r.stdout);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^- iMessage default: enabled, configured, running, connected, .*works/m);
    const sent = await runCli(['message', 'send', '--channel', 'imessage', '--target', '+15550404040', '--message', 'direct hello', '--json'], { env: state.env });
    assert.equal(sent.code, 0, sent.stdout + sent.stderr);
    assert.ok(fake.sent().some((s) => s.to === '+15550404040' && s.text === 'direct hello'));
  });
});
