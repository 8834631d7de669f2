// The sessions index of a real `openclaw gateway run` under /v1 agent turns, kill -9 in the middle
// of them: after a restart and a clean stop, sessions.json (the upstream layout official tools
// read) lists every transcript with the count its file holds, and no journal is left behind.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startFakeOpenAi, type FakeServerBase } from '../models/testing/fake-openai.js';
import { eventually, gatewayRuns, localConfig, makeStateDir, type StateDir } from '../testing/harness.js';
import type { SessionInfo } from './store.js';
import { readTranscript } from './transcript.js';

const TOKEN = 'idx-token-0123456789abcdef0123456789';
const gateways = gatewayRuns();
let fake: FakeServerBase;
let state: StateDir;

before(async () => {
  fake = await startFakeOpenAi({ models: ['m'] });
  fake.reply = () => 'fine';
  state = makeStateDir(localConfig(TOKEN, { models: { providers: { local: { baseUrl: fake.baseUrl, models: [{ id: 'm' }] } } }, agents: { defaults: { model: 'local/m' } } }));
});
after(async () => {
  await fake.close();
  state.cleanup();
});

/** Agent turns over /v1 in a loop from `clients` clients (sessions by `user`), until `stop()`; errors after the kill are expected. */
function turns(port: number, clients: number): { done: () => number; stop: () => Promise<void> } {
  let running = true;
  let ok = 0;
  const loops = Array.from({ length: clients }, async (_, c) => {
    for (let i = 0; running; i++) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'openclaw', user: `u${(c * 7 + i) % 30}`, messages: [{ role: 'user', content: `m${i}` }] }),
        });
        await res.arrayBuffer();
        if (res.ok) ok++;
      } catch {
        return; // the gateway is gone
      }
    }
  });
  return {
    done: () => ok,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

test('kill -9 during agent turns: after restart and stop, sessions.json matches every transcript', async () => {
  const sessionsDir = path.join(state.dir, 'agents', 'main', 'sessions');
  for (let round = 0; round < 3; round++) {
    const { gw, port } = await gateways.start(state);
    const load = turns(port, 6);
    const target = 20 + round * 15;
    await eventually(() => load.done() >= target, 60_000);
    gw.kill('SIGKILL');
    await gw.exited;
    await load.stop();
  }
  const { gw } = await gateways.start(state);
  await gateways.stop(gw);

  assert.ok(!fs.existsSync(path.join(sessionsDir, 'sessions.json.journal')), 'folded into sessions.json on a clean stop');
  const index = JSON.parse(fs.readFileSync(path.join(sessionsDir, 'sessions.json'), 'utf8')) as Record<string, SessionInfo>;
  const files = fs.readdirSync(sessionsDir).filter((f) => f.endsWith('.jsonl'));
  assert.ok(files.length >= 10, `${files.length} sessions`);
  for (const f of files) {
    const key = decodeURIComponent(f.slice(0, -'.jsonl'.length));
    const entries = readTranscript(path.join(sessionsDir, f));
    assert.equal(index[key]?.messageCount, entries.length, `${key}: index vs transcript`);
  }
  assert.equal(Object.keys(index).length, files.length);
});

