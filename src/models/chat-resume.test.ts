// Interrupted runs: a chat.send turn killed with SIGKILL mid-stream is re-run by the next runtime
// on the same state dir, under the same runId, and clients end with the upstream text exactly once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { Logger } from '../logging/types.js';
import { SessionStore } from '../sessions/store.js';
import { makeStateDir, type StateDir } from '../testing/harness.js';
import { idempotencyKeyHash, type ChatEventPayload } from './chat-runs.js';
import { createModelRuntime } from './runtime.js';
import type { FakeServerBase } from './testing/fake-openai.js';
import { startOneModelFixture } from './testing/fixtures.js';
import { makeTestServices } from './testing/services.js';

const CHILD = fileURLToPath(new URL('./testing/chat-turn-child.js', import.meta.url));
const REPLY = Array.from({ length: 120 }, (_, i) => `tok${i}`).join(' ') + '.';
let fake: FakeServerBase;
let state: StateDir;

let fixture: Awaited<ReturnType<typeof startOneModelFixture>>;

before(async () => {
  fixture = await startOneModelFixture();
  ({ fake, state } = fixture);
});
after(() => fixture.close());

/** What a client shows after folding the events in: deltas append, `replace` rewrites, final wins. */
function visibleText(events: ChatEventPayload[]): string {
  let text = '';
  for (const e of events) {
    if (e.state === 'final') text = e.message!.content.map((p) => p.text).join('');
    else if (e.state === 'delta') text = e.replace ? e.deltaText! : text + e.deltaText!;
  }
  return text;
}

function recordingLogger(lines: string[]): Logger {
  const log: Logger = {
    debug: (m) => lines.push(m),
    info: (m) => lines.push(m),
    warn: (m) => lines.push(m),
    error: (m) => lines.push(m),
    child: () => log,
  };
  return log;
}

/** Runs one chat.send turn in a child process and SIGKILLs it after `deltas` deltas. */
async function killMidTurn(sessionKey: string, message: string, deltas: number): Promise<{ runId: string; events: ChatEventPayload[] }> {
  const child = spawn(process.execPath, [CHILD], {
    env: { ...state.env, OPENCLAW_CONFIG_PATH: state.configPath, SESSION_KEY: sessionKey, MESSAGE: message },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('"ack"') && (out.match(/"state":"delta"/g)?.length ?? 0) >= deltas) resolve();
    });
    child.on('exit', () => reject(new Error(`child exited early:\n${out}\n${err}`)));
  });
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  const parsed = out.split('\n').filter((l) => l.startsWith('{')).flatMap((l) => {
    try {
      return [JSON.parse(l)];
    } catch {
      return []; // the line being written when the process died
    }
  });
  const runId = parsed.find((p) => p.ack)!.ack.runId as string;
  return { runId, events: parsed.filter((p) => p.state) };
}

test('a run killed mid-stream is resumed by the next runtime: same runId, replace first, exact text, one reply row', async () => {
  fake.chunkDelayMs = 20;
  fake.reply = () => REPLY;
  const { runId, events: before } = await killMidTurn('resume', 'tell me a story', 5);
  const shownBefore = visibleText(before);
  assert.ok(shownBefore.length > 0 && shownBefore.length < REPLY.length, 'killed mid-stream');
  const callsBefore = fake.requests.filter((r) => r.path === '/v1/chat/completions').length;

  fake.chunkDelayMs = 0;
  const logLines: string[] = [];
  const services = makeTestServices({ stateDir: state.dir, configPath: state.configPath, log: recordingLogger(logLines) });
  const runtime = createModelRuntime({ services, env: {}, resumeInterrupted: 'now' });
  try {
    await services.waitForEvent((e) => e.event === 'chat' && e.payload.runId === runId && e.payload.state !== 'delta');
    await runtime.chat.wait(runId);
    const chat = services.events.filter((e) => e.event === 'chat').map((e) => e.payload as ChatEventPayload);
    assert.ok(chat.every((e) => e.runId === runId));
    assert.equal(chat.at(-1)!.state, 'final');
    assert.equal(chat[0].replace, true, 'the first delta of the resumed run replaces the dead attempt');
    assert.ok(chat.slice(1).every((e) => !e.replace), 'later deltas append');
    assert.equal(visibleText([...before, ...chat]), REPLY, 'a client that saw the first attempt ends with the text exactly once');
    // the text built from deltas alone (no final snapshot) is exact too
    assert.equal(visibleText([...before, ...chat.filter((e) => e.state === 'delta')]), REPLY);

    const lifecycle = services.events.filter((e) => e.event === 'agent').map((e) => e.payload.data);
    assert.equal(lifecycle[0].phase, 'start');
    assert.equal(lifecycle[0].resumed, true);
    assert.ok(logLines.includes(`resuming interrupted run ${runId}`), logLines.join('\n'));

    assert.equal(fake.requests.filter((r) => r.path === '/v1/chat/completions').length, callsBefore + 1, 'upstream called once more');
    const entries = runtime.sessions.history('main', 'resume');
    assert.deepEqual(entries.map((e) => [e.message.role, e.message.content, e.runId]), [['user', 'tell me a story', runId], ['assistant', REPLY, runId]]);
  } finally {
    await runtime.close();
  }

  // a second restart finds nothing left to resume
  const again = makeTestServices({ stateDir: state.dir, configPath: state.configPath });
  const rt2 = createModelRuntime({ services: again, env: {}, resumeInterrupted: 'now' });
  try {
    assert.deepEqual(rt2.chat.resumeInterrupted(), []);
  } finally {
    await rt2.close();
  }
});

test('only recent chat.send turns without a reply are resumed', (t) => {
  const own = makeStateDir();
  t.after(() => own.cleanup());
  const store = new SessionStore(`${own.dir}/agents`);
  const now = Date.now();
  const line = (o: Record<string, unknown>) => JSON.stringify({ type: 'message', id: String(Math.random()), ...o }) + '\n';
  fs.mkdirSync(store.sessionsDir('main'), { recursive: true });
  fs.writeFileSync(
    store.transcriptPath('main', 'mixed'),
    line({ ts: now - 11 * 60_000, runId: 'stale', message: { role: 'user', content: 'too old' }, resumable: {} }) +
      line({ ts: now - 5000, runId: 'answered', message: { role: 'user', content: 'done' }, resumable: {} }) +
      line({ ts: now - 4000, runId: 'answered', message: { role: 'assistant', content: 'yes' } }) +
      line({ ts: now - 3000, runId: 'v1', message: { role: 'user', content: 'from /v1' } }) +
      line({ ts: now - 2000, runId: 'open', message: { role: 'user', content: 'pending' }, resumable: { model: 'local/m' } }),
  );
  fs.rmSync(`${store.sessionsDir('main')}/sessions.json`, { force: true }); // rebuilt from the files
  const turns = store.interruptedTurns(now - 10 * 60_000);
  assert.deepEqual(turns.map((x) => [x.sessionKey, x.runId, x.message, x.model]), [['mixed', 'open', 'pending', 'local/m']]);
});

test('an interrupted turn whose model is gone is closed with an error instead of re-run', async () => {
  const store = new SessionStore(`${state.dir}/agents`);
  await store.append('main', 'orphan', { role: 'user', content: 'use the old model' }, 'orphan-run', { model: 'gone/model' });
  const services = makeTestServices({ stateDir: state.dir, configPath: state.configPath });
  const calls = fake.requests.length;
  const runtime = createModelRuntime({ services, env: {}, resumeInterrupted: 'now' });
  try {
    const ended = await services.waitForEvent((e) => e.event === 'chat' && e.payload.runId === 'orphan-run');
    assert.equal(ended.payload.state, 'error');
    assert.match(ended.payload.errorMessage, /gone\/model/);
    await runtime.sessions.flush();
    const entries = runtime.sessions.history('main', 'orphan');
    assert.deepEqual(entries.map((e) => [e.message.role, e.message.stopReason ?? '']), [['user', ''], ['assistant', 'error']]);
    assert.equal(fake.requests.length, calls, 'no upstream call');
    assert.deepEqual(runtime.chat.resumeInterrupted(), [], 'not retried again');
  } finally {
    await runtime.close();
  }
});

test('a keyed chat.send whose message an earlier process wrote (and nothing resumed) answers with that run and replies once', async () => {
  const store = new SessionStore(`${state.dir}/agents`);
  const key = { key: 'retry-after-crash-1', deviceId: 'dev-1' };
  // What a process killed right after the user message's fsync leaves: the line, with its key hash.
  await store.append('main', 'keyed', { role: 'user', content: 'only once' }, 'first-run', { idempotencyKey: idempotencyKeyHash(key) });
  const services = makeTestServices({ stateDir: state.dir, configPath: state.configPath });
  const runtime = createModelRuntime({ services, env: {}, resumeInterrupted: 'manual' });
  try {
    const calls = fake.requests.length;
    const retried = await runtime.chat.send({ sessionKey: 'keyed', message: 'only once' }, key);
    assert.equal(retried.runId, 'first-run');
    await runtime.chat.wait('first-run');
    // Sent again (a second retry): still that run, and no new turn.
    assert.equal((await runtime.chat.send({ sessionKey: 'keyed', message: 'only once' }, key)).runId, 'first-run');
    // The same key string from another method or device is another request.
    const other = await runtime.chat.send({ sessionKey: 'keyed', message: 'only once' }, { ...key, method: 'agent' });
    assert.notEqual(other.runId, 'first-run');
    await runtime.chat.wait(other.runId);
    await runtime.sessions.flush();
    const rows = runtime.sessions.history('main', 'keyed').map((e) => [e.runId, e.message.role]);
    assert.deepEqual(rows, [['first-run', 'user'], ['first-run', 'assistant'], [other.runId, 'user'], [other.runId, 'assistant']]);
    assert.equal(fake.requests.length, calls + 2, 'one upstream call per distinct request');
  } finally {
    await runtime.close();
  }
});
