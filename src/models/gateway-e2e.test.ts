// End to end through the real gateway process: `openclaw agent` over WebSocket, /v1 over HTTP,
// and kill -9 of the gateway mid-turn followed by a restart that completes the interrupted turn;
// then a kill -9 loop right after a keyed chat.send, retried with the same key.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { eventually, freePort, localConfig, makeStateDir, runCli, spawnCli, type GatewayProcess, type StateDir } from '../testing/harness.js';
import { connectClient, makeDevice, type TestClient } from '../gateway/control-plane/test-support.js';
import { startFakeOpenAi, type FakeServerBase } from './testing/fake-openai.js';

const TOKEN = 'e2e-token-0123456789abcdef0123456789';
let fake: FakeServerBase;
let state: StateDir;
const spawned: GatewayProcess[] = [];

before(async () => {
  fake = await startFakeOpenAi({ models: ['m'] });
  state = makeStateDir(localConfig(TOKEN, {
    models: { providers: { local: { baseUrl: fake.baseUrl, models: [{ id: 'm' }] } } },
    agents: { defaults: { model: 'local/m' } },
  }));
});
after(async () => {
  spawned.forEach((g) => g.kill('SIGKILL'));
  await fake.close();
  state.cleanup();
});

async function startGateway(): Promise<{ gw: GatewayProcess; port: number }> {
  const gw = spawnCli(['gateway', 'run', '--port', '0'], { env: state.env });
  spawned.push(gw);
  const m = await gw.waitFor(/\[gateway\] listening on ws:\/\/127\.0\.0\.1:(\d+)/, 15_000);
  return { gw, port: Number(m[1]) };
}

const echo = (body: any) => `echo: ${body.messages.at(-1).content}`;

test('agent turns over WS and /v1, then kill -9 mid-turn and a restart that finishes the turn', async () => {
  let { gw, port } = await startGateway();

  const first = await runCli(['agent', '--message', 'first', '--session', 'e2e', '--json'], { env: state.env });
  assert.equal(first.code, 0, first.stderr + first.stdout);
  const out = JSON.parse(first.stdout);
  assert.equal(out.text, 'echo: first');
  assert.equal(out.model, 'local/m');

  const v1 = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'local/m', messages: [{ role: 'user', content: 'over http' }] }),
  });
  assert.equal(v1.status, 200);
  assert.equal(((await v1.json()) as any).choices[0].message.content, 'echo: over http');

  // a slow answer, killed half-way
  fake.chunkDelayMs = 25;
  fake.reply = () => Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
  const agent = spawnCli(['agent', '--message', 'second', '--session', 'e2e'], { env: state.env });
  spawned.push(agent);
  await agent.waitFor(/w5 /, 15_000);
  gw.kill('SIGKILL');
  assert.equal((await gw.exited).signal, 'SIGKILL');
  const agentExit = await agent.exited;
  assert.notEqual(agentExit.code, 0);

  const file = path.join(state.dir, 'agents', 'main', 'sessions', 'e2e.jsonl');
  const entries = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.deepEqual(entries.map((e) => [e.message.role, e.message.content]), [['user', 'first'], ['assistant', 'echo: first'], ['user', 'second']]);

  // restart: the gateway re-runs the interrupted turn by itself (same runId), recording one reply
  fake.chunkDelayMs = 0;
  fake.reply = echo;
  const secondRunId = entries[2].runId;
  ({ gw, port } = await startGateway());
  await gw.waitFor(new RegExp(`resuming interrupted run ${secondRunId}`), 15_000);
  const resumed = await eventually(() => {
    const all = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    return all.length === 4 && all;
  }, 15_000);
  assert.deepEqual(resumed.slice(2).map((e) => [e.message.role, e.message.content, e.runId]), [['user', 'second', secondRunId], ['assistant', 'echo: second', secondRunId]]);

  const before = fake.requests.length;
  const third = await runCli(['agent', '--message', 'third', '--session', 'e2e', '--json'], { env: state.env });
  assert.equal(third.code, 0, third.stderr + third.stdout);
  assert.equal(JSON.parse(third.stdout).text, 'echo: third');
  const sent = fake.requests.slice(before).find((r) => r.path === '/v1/chat/completions')!.body.messages.map((m: any) => m.content);
  assert.deepEqual(sent, ['first', 'echo: first', 'second', 'echo: second', 'third']);
  gw.kill('SIGTERM');
  assert.equal((await gw.exited).code, 0);
});

// An idempotent chat.send survives `kill -9` at any moment after it was sent: killed 0–60 ms after
// the request (between the user message's fsync and the idempotency record is the dangerous
// spot), restarted on the same state dir, retried with the same key: each run must end with
// exactly one user message and one reply under that key.
const KILL_RUNS = 10;
const WAIT_MS = 30_000;

async function startGatewayOn(port: number): Promise<GatewayProcess> {
  const gw = spawnCli(['gateway', 'run', '--port', String(port)], { env: state.env });
  spawned.push(gw);
  await gw.waitFor(new RegExp(`\\[gateway\\] listening on ws://127\\.0\\.0\\.1:${port} `), WAIT_MS);
  return gw;
}

async function exitWithin(gw: GatewayProcess, ms: number): Promise<void> {
  let timer: NodeJS.Timeout;
  await Promise.race([
    gw.exited.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`gateway did not exit within ${ms} ms`)), ms))),
  ]);
}

interface HistoryMessage {
  role: string;
  content: unknown;
  runId?: string;
}

test(`kill -9 0–60 ms after a keyed chat.send, then a keyed retry: one user message and one reply (${KILL_RUNS} runs)`, async () => {
  const port = await freePort();
  const url = `ws://127.0.0.1:${port}`;
  const device = makeDevice();
  const connect = async (): Promise<TestClient> => {
    const { client, res } = await connectClient(url, { token: TOKEN, device });
    assert.equal(res.ok, true, JSON.stringify(res.error));
    return client;
  };
  fake.reply = (body) => `reply to ${body.messages.at(-1).content}`;
  for (let i = 0; i < KILL_RUNS; i++) {
    const params = { sessionKey: `kill-${i}`, message: `message ${i}`, idempotencyKey: `chat-kill-${i}` };
    const gw = await startGatewayOn(port);
    const first = await connect();
    first.send({ type: 'req', id: 'send-1', method: 'chat.send', params });
    const delay = Math.floor(Math.random() * 61);
    await new Promise((r) => setTimeout(r, delay));
    gw.kill('SIGKILL');
    await exitWithin(gw, WAIT_MS);
    first.close();

    const gw2 = await startGatewayOn(port);
    const client = await connect();
    const retried = await client.request('chat.send', params);
    assert.equal(retried.ok, true, JSON.stringify(retried.error));
    // Wait until no run is in flight and a reply is on record, then count.
    const messages = await eventually(async () => {
      const h = await client.request('chat.history', { sessionKey: params.sessionKey });
      const list = h.payload.messages as HistoryMessage[];
      return !h.payload.inFlightRun && list.some((m) => m.role === 'assistant') && list;
    }, WAIT_MS, 50);
    const users = messages.filter((m) => m.role === 'user');
    const replies = messages.filter((m) => m.role === 'assistant');
    assert.deepEqual(users.map((m) => m.content), [params.message], `run ${i} (killed after ${delay} ms): user messages`);
    assert.deepEqual(replies.map((m) => m.content), [`reply to ${params.message}`], `run ${i} (killed after ${delay} ms): replies`);
    assert.equal(replies[0].runId, retried.payload.runId, `run ${i}: the retry answers with the run that replied`);
    client.close();
    gw2.kill('SIGKILL');
    await exitWithin(gw2, WAIT_MS);
  }
});
