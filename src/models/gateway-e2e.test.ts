// End to end through the real gateway process: `openclaw agent` over WebSocket, /v1 over HTTP,
// and kill -9 of the gateway mid-turn followed by a restart that completes the interrupted turn.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { eventually, localConfig, makeStateDir, runCli, spawnCli, type GatewayProcess, type StateDir } from '../testing/harness.js';
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
