// kill -9 mid-turn: the acknowledged user message is on disk, the transcript parses, and a
// restarted runtime continues the session.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import { createModelRuntime } from '../models/runtime.js';
import type { FakeServerBase } from '../models/testing/fake-openai.js';
import { startOneModelFixture } from '../models/testing/fixtures.js';
import { makeTestServices } from '../models/testing/services.js';
import { mountSmallTmpfs, type StateDir } from '../testing/harness.js';
import { SessionStore } from './store.js';

const CHILD = fileURLToPath(new URL('../models/testing/chat-turn-child.js', import.meta.url));
let fake: FakeServerBase;
let state: StateDir;

let fixture: Awaited<ReturnType<typeof startOneModelFixture>>;

before(async () => {
  fixture = await startOneModelFixture();
  ({ fake, state } = fixture);
});
after(() => fixture.close());

it('a turn killed with SIGKILL mid-stream keeps the acknowledged message; the session continues after restart', async () => {
  fake.chunkDelayMs = 30;
  fake.reply = () => Array.from({ length: 200 }, (_, i) => `tok${i}`).join(' ');
  const child = spawn(process.execPath, [CHILD], {
    env: { ...state.env, OPENCLAW_CONFIG_PATH: state.configPath, SESSION_KEY: 'durable', MESSAGE: 'please remember this' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      // kill once the ack is out and the stream is flowing
      if (out.includes('"ack"') && (out.match(/"state":"delta"/g)?.length ?? 0) >= 3) resolve();
    });
    child.on('exit', () => reject(new Error(`child exited early:\n${out}\n${err}`)));
  });
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');

  const store = new SessionStore(`${state.dir}/agents`);
  const file = store.transcriptPath('main', 'durable');
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  assert.ok(lines.every((l) => JSON.parse(l).type === 'message'), 'every line parses');
  const entries = store.history('main', 'durable');
  assert.deepEqual(entries.map((e) => [e.message.role, e.message.content]), [['user', 'please remember this']]);

  // restart: a new runtime on the same state dir continues the session with the old turn in context
  fake.chunkDelayMs = 0;
  fake.reply = (body) => `echo: ${body.messages.at(-1).content}`;
  const services = makeTestServices({ stateDir: state.dir, configPath: state.configPath });
  const runtime = createModelRuntime({ services, env: {} });
  try {
    const before = fake.requests.length;
    const ack = await runtime.chat.send({ sessionKey: 'durable', message: 'after restart' });
    await runtime.chat.wait(ack.runId);
    const sent = fake.requests.slice(before)[0].body.messages.map((m: any) => m.content);
    assert.deepEqual(sent, ['please remember this', 'after restart']);
    const after = runtime.sessions.history('main', 'durable').map((e) => e.message.content);
    assert.deepEqual(after, ['please remember this', 'after restart', 'echo: after restart']);
  } finally {
    await runtime.close();
  }
});

it('a full disk (a 64 KiB tmpfs): a failed append rejects and leaves no torn line; later appends parse', async (t) => {
  const disk = mountSmallTmpfs('64k');
  if (!disk) return t.skip('needs root to mount a tmpfs');
  try {
    const store = new SessionStore(path.join(disk.dir, 'agents'));
    // Keep appending after the first failure: each later line meets a partly free last page.
    let failures = 0;
    let failure: NodeJS.ErrnoException | undefined;
    for (let i = 0; i < 1000 && failures < 20; i++) {
      try {
        await store.append('main', 'full', { role: 'user', content: `m${i} ${'x'.repeat(6000)}` }, `r${i}`);
      } catch (err) {
        failure = err as NodeJS.ErrnoException;
        failures++;
      }
    }
    assert.equal(failure?.code, 'ENOSPC');
    const text = fs.readFileSync(store.transcriptPath('main', 'full'), 'utf8');
    assert.ok(text.endsWith('\n'), 'no torn last line');
    assert.equal(store.history('main', 'full', 1000).length, text.split('\n').filter(Boolean).length, 'every line parses');
  } finally {
    disk.unmount();
  }
});
