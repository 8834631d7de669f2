// WhatsApp end to end: a real gateway process and the real `openclaw` CLI, with the fake model
// provider answering. WhatsApp Web cannot be reached or faked from tests, so the gateway's socket
// is a scripted fake at the Baileys library boundary, loaded through the test-only hook
// OPENCLAW_WHATSAPP_FAKE_SOCKET (whatsapp/testing/fake-gateway-socket.ts) and driven over a unix
// socket; what the gateway sent is read from the fake's sent.jsonl. No real Baileys socket is opened.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { eventually, gatewayRuns, GATEWAY_WAIT_MS, localConfig, runCli, stateDirsForFile, type GatewayProcess, type StateDir } from '../testing/harness.js';
import { startFakeOpenAi, type FakeServerBase } from '../models/testing/fake-openai.js';
import { dmMessage, writeLinkedCreds } from './whatsapp/testing/fake-socket.js';
import type { WaMessage } from './whatsapp/facts.js';

const TOKEN = 'e2e-token-0123456789abcdef0123456789';
const FAKE_MODULE = fileURLToPath(new URL('./whatsapp/testing/fake-gateway-socket.js', import.meta.url));
// WhatsApp shows ``` fences as monospace, so upstream's text is sent as written.
const CODE_RE = /Pairing code:\n```\n([A-HJ-NP-Z2-9]{8})\n```\n/;

let model: FakeServerBase;
const newState = stateDirsForFile();
const runs = gatewayRuns();

before(async () => {
  model = await startFakeOpenAi({ models: ['m'] });
});
after(async () => {
  await model.close();
});

interface Wa {
  state: StateDir;
  control: string;
  sent(jid?: string): Array<{ jid: string; text: string; id: string }>;
  upsert(messages: WaMessage[]): Promise<void>;
  post(route: string, body: unknown): Promise<void>;
}

function setup(whatsapp: Record<string, unknown>): Wa {
  const state = newState(
    localConfig(TOKEN, {
      models: { providers: { local: { baseUrl: model.baseUrl, models: [{ id: 'm' }] } } },
      agents: { defaults: { model: 'local/m' } },
      channels: { whatsapp },
    }),
  );
  writeLinkedCreds(path.join(state.dir, 'credentials', 'whatsapp', 'default'));
  const control = path.join(state.dir, 'wa.sock');
  state.env.OPENCLAW_WHATSAPP_FAKE_SOCKET = FAKE_MODULE;
  state.env.OPENCLAW_WHATSAPP_FAKE_CONTROL = control;
  const sent = (jid?: string) => {
    let raw = '';
    try {
      raw = fs.readFileSync(`${control}.sent.jsonl`, 'utf8');
    } catch {
      return [];
    }
    return raw.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((m) => !jid || m.jid === jid);
  };
  const post = (route: string, body: unknown) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request({ socketPath: control, path: route, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`fake control answered ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  return { state, control, sent, upsert: (messages) => post('/upsert', { messages }), post };
}

async function up(wa: Wa): Promise<GatewayProcess> {
  const { gw } = await runs.start(wa.state);
  if (process.env.E2E_DEBUG) process.on('exit', () => process.stderr.write(`--- gateway output\n${gw.output()}\n`));
  await gw.waitFor(/\[whatsapp\] \[default\] starting provider \(\+15551234567\)/, GATEWAY_WAIT_MS);
  return gw;
}

const ALICE = '+15550001111';
const ALICE_JID = '15550001111@s.whatsapp.net';
const settle = (ms = 600) => new Promise((r) => setTimeout(r, ms));

describe('whatsapp DM pairing', () => {
  test('an unknown DM gets the pairing reply through the socket; approve → the model answers; backlog and fromMe never reach anyone', async () => {
    const wa = setup({ dmPolicy: 'pairing' });
    const gw = await up(wa);
    await wa.upsert([
      dmMessage('+15550009999', 'sent while offline', { ts: Math.floor((Date.now() - 120_000) / 1000) }),
      dmMessage('+15550008888', 'typed on my phone', { fromMe: true }),
      dmMessage(ALICE, 'hello?'),
    ]);
    const reply = await eventually(() => wa.sent(ALICE_JID)[0], GATEWAY_WAIT_MS);
    assert.match(reply.text, /^OpenClaw: access not configured\.\n\nYour WhatsApp phone number: \+15550001111\nPairing code:\n/);
    const code = CODE_RE.exec(reply.text)?.[1];
    assert.ok(code, reply.text);
    assert.ok(reply.id, 'counted with the message id the socket returned');
    await settle();
    assert.equal(wa.sent().length, 1, 'backlog and own messages got nothing');
    assert.match(gw.output(), /skipping backlog message .* from \+15550009999/);

    const approve = await runCli(['pairing', 'approve', 'whatsapp', code], { env: wa.state.env });
    assert.equal(approve.code, 0, approve.stderr);
    assert.match(approve.stdout, /Approved whatsapp sender \+15550001111/);

    await wa.upsert([dmMessage(ALICE, 'now answer me')]);
    const answer = await eventually(() => wa.sent(ALICE_JID).find((m) => m.text === 'echo: now answer me'), GATEWAY_WAIT_MS);
    assert.ok(answer);
    assert.equal(model.requests.length, 1, 'only the approved message reached the model');

    const status = await runCli(['channels', 'status', '--probe', '--channel', 'whatsapp', '--json'], { env: wa.state.env });
    const acct = JSON.parse(status.stdout).channelAccounts.whatsapp[0];
    assert.equal(acct.connected, true);
    assert.equal(acct.probe.ok, true);
    assert.equal(acct.probe.self.number, '+15551234567');
    await runs.stop(gw);
  });
});

describe('whatsapp durability', () => {
  test('kill -9 between receiving a DM and sending the reply: after a restart exactly one reply', async () => {
    const wa = setup({ dmPolicy: 'allowlist', allowFrom: [ALICE] });
    let gw = await up(wa);
    model.chunkDelayMs = 40;
    model.reply = () => Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    const before = model.requests.length;
    await wa.upsert([dmMessage(ALICE, 'survive this')]);
    await eventually(() => model.requests.length > before, GATEWAY_WAIT_MS);
    gw.kill('SIGKILL');
    await gw.exited;
    assert.equal(wa.sent(ALICE_JID).length, 0, 'killed before the reply went out');

    model.chunkDelayMs = 0;
    gw = await up(wa);
    const reply = await eventually(() => wa.sent(ALICE_JID)[0], GATEWAY_WAIT_MS);
    assert.equal(reply.text, Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '));
    await settle(1500);
    assert.equal(wa.sent(ALICE_JID).length, 1, 'exactly one reply');
    model.reply = (body) => `echo: ${body.messages.at(-1).content}`;
    await runs.stop(gw);
  });
});

describe('whatsapp terminal states', () => {
  test('loggedOut (401) on the phone: terminal in status with the relink fix, sends fail fast; logout + channels.start relink without a restart', async () => {
    const wa = setup({ dmPolicy: 'allowlist', allowFrom: [ALICE] });
    const gw = await up(wa);
    await wa.post('/close', { status: 401 });
    await gw.waitFor(/\[whatsapp\] \[default\] logged out \(status 401\); not reconnecting \(fix: openclaw channels logout --channel whatsapp --yes, then openclaw channels login --channel whatsapp\)/, GATEWAY_WAIT_MS);
    const status = await runCli(['channels', 'status', '--json'], { env: wa.state.env });
    assert.equal(status.code, 1, 'unhealthy');
    const payload = JSON.parse(status.stdout);
    const acct = payload.channelAccounts.whatsapp[0];
    assert.equal(acct.healthState, 'terminal-disconnect');
    assert.match(acct.lastError, /logged out \(status 401\)/);
    assert.ok(payload.statusIssues.some((i: { fix?: string }) => i.fix === 'openclaw channels logout --channel whatsapp --yes, then openclaw channels login --channel whatsapp'));
    // No live listener: the send fails at once (WhatsApp Web keeps no queue for us), with the relink fix.
    const send = await runCli(['message', 'send', '--channel', 'whatsapp', '--target', ALICE, '--message', 'hi', '--json'], { env: wa.state.env });
    assert.equal(send.code, 1, send.stdout);
    assert.match(send.stdout + send.stderr, /No active WhatsApp Web listener \(account: default\)/);
    assert.match(send.stdout + send.stderr, /openclaw channels logout --channel whatsapp --yes, then openclaw channels login --channel whatsapp/);
    await settle(300);
    assert.equal(wa.sent(ALICE_JID).length, 0);

    // The relink runbook against the running gateway: logout stops the listener and moves the session aside…
    const out = await runCli(['channels', 'logout', '--channel', 'whatsapp', '--yes', '--json'], { env: wa.state.env });
    assert.equal(out.code, 0, out.stderr);
    const r = JSON.parse(out.stdout);
    assert.equal(r.viaGateway, true);
    assert.equal(r.loggedOut, false, 'the socket was already gone (401), so WhatsApp was not asked');
    assert.match(r.backupPath, /credentials\/whatsapp\/default\.bak-/);
    const after = JSON.parse((await runCli(['channels', 'status', '--json'], { env: wa.state.env })).stdout).channelAccounts.whatsapp[0];
    assert.equal(after.linked, false);
    assert.equal(after.running, false);
    assert.equal(after.healthState, 'not-configured');
    // …and once a session is back (what `channels login` saves), channels.start connects it without a restart.
    writeLinkedCreds(path.join(wa.state.dir, 'credentials', 'whatsapp', 'default'));
    const start = await runCli(['gateway', 'call', 'channels.start', '--params', JSON.stringify({ channel: 'whatsapp' })], { env: wa.state.env });
    assert.equal(start.code, 0, start.stderr);
    assert.equal(JSON.parse(start.stdout).started, true);
    const relinked = await runCli(['message', 'send', '--channel', 'whatsapp', '--target', ALICE, '--message', 'back', '--json'], { env: wa.state.env });
    assert.equal(relinked.code, 0, relinked.stdout + relinked.stderr);
    assert.equal(wa.sent(ALICE_JID).at(-1)?.text, 'back');
    await runs.stop(gw);
  });
});
