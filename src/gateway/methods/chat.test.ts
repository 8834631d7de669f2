// chat.* / sessions.* / models.list / agents.list handlers with a real runtime, a temp state dir
// and the fake OpenAI server; broadcasts are captured from the services object.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createModelRuntime, type ModelRuntime } from '../../models/runtime.js';
import { startFakeOpenAi, type FakeServerBase } from '../../models/testing/fake-openai.js';
import { chatEventsOf, chatTerminal, makeTestServices, methodCaller, type TestServices } from '../../models/testing/services.js';
import { makeStateDir, type StateDir } from '../../testing/harness.js';
import { chatMethods } from './chat.js';
import { MethodError } from './types.js';

let fake: FakeServerBase;
let state: StateDir;
let services: TestServices;
let runtime: ModelRuntime;
let call: ReturnType<typeof methodCaller>;

const chatEvents = (runId: string) => chatEventsOf(services, runId);
const firstDelta = (runId: string) => services.waitForEvent((e) => e.event === 'chat' && e.payload.runId === runId && e.payload.state === 'delta');

/** Runs `fn` while the fake streams a 100-word answer 40 ms a word (time to abort or reset mid-stream), then restores the echo. */
async function withSlowReply(fn: () => Promise<void>): Promise<void> {
  fake.chunkDelayMs = 40;
  fake.reply = () => Array.from({ length: 100 }, (_, i) => `w${i}`).join(' ');
  try {
    await fn();
  } finally {
    fake.chunkDelayMs = 0;
    fake.reply = (body) => `echo: ${body.messages.at(-1).content}`;
  }
}

const terminal = (runId: string) => chatTerminal(services, runId);

before(async () => {
  fake = await startFakeOpenAi({ models: ['main-model', 'busy', 'slow'] });
  state = makeStateDir({
    gateway: { mode: 'local', auth: { mode: 'token', token: 'test-token-0123456789abcdef' } },
    models: { providers: { local: { baseUrl: fake.baseUrl, models: [{ id: 'main-model' }, { id: 'busy' }, { id: 'slow' }] } } },
    agents: {
      defaults: { model: { primary: 'local/main-model' } },
      list: [{ id: 'main', default: true }, { id: 'ops', model: { primary: 'local/busy', fallbacks: ['local/main-model'] } }],
    },
  });
  services = makeTestServices({ stateDir: state.dir, configPath: state.configPath });
  runtime = createModelRuntime({ services, env: {} });
  call = methodCaller(chatMethods(runtime), services);
});
after(async () => {
  await runtime.close();
  await fake.close();
  state.cleanup();
});

describe('chat.send', () => {
  it('acks at once, streams deltas with increasing seq, ends with the cumulative message', async () => {
    const ack = await call('chat.send', { sessionKey: 'main', message: 'hello streaming world', idempotencyKey: 'k1' });
    assert.equal(ack.status, 'accepted');
    assert.equal(typeof ack.runId, 'string');
    const final = (await terminal(ack.runId)).payload;
    assert.equal(final.state, 'final');
    assert.equal(final.message.content[0].text, 'echo: hello streaming world');
    assert.equal(final.message.model, 'local/main-model');
    assert.equal(final.stopReason, 'stop');
    assert.ok(final.usage.totalTokens > 0);
    const events = chatEvents(ack.runId);
    const deltas = events.filter((e) => e.state === 'delta');
    assert.ok(deltas.length >= 1);
    assert.equal(deltas.map((d) => d.deltaText).join(''), 'echo: hello streaming world');
    assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i));
    // `main` is the alias of the default agent's main session: the run names the canonical key.
    assert.equal(ack.sessionKey, 'agent:main:main');
    assert.ok(events.every((e) => e.sessionKey === 'agent:main:main'));
  });

  it('every delta carries the cumulative message (v4); deltas of a fast stream are coalesced, a paced one streams', async () => {
    const cumulative = (runId: string) => {
      let text = '';
      for (const d of chatEvents(runId).filter((e) => e.state === 'delta')) {
        text += d.deltaText;
        assert.deepEqual(d.message.content, [{ type: 'text', text }], `delta ${d.seq} carries the text so far`);
        assert.equal(d.message.role, 'assistant');
      }
      return chatEvents(runId).filter((e) => e.state === 'delta').length;
    };
    const words = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    fake.reply = () => words;
    try {
      const fast = await call('chat.send', { sessionKey: 'deltas', message: 'fast', idempotencyKey: 'kd1' });
      assert.equal((await terminal(fast.runId)).payload.message.content[0].text, words);
      const fastDeltas = cumulative(fast.runId);
      assert.ok(fastDeltas >= 1 && fastDeltas < 20, `200 chunks at once went out as ${fastDeltas} deltas, not one each`);

      fake.reply = () => 'one two three four';
      fake.chunkDelayMs = 250; // slower than the delta interval: each chunk is its own delta
      const paced = await call('chat.send', { sessionKey: 'deltas', message: 'paced', idempotencyKey: 'kd2' });
      await terminal(paced.runId);
      assert.ok(cumulative(paced.runId) >= 3, 'a paced stream is not held back');
    } finally {
      fake.chunkDelayMs = 0;
      fake.reply = (body) => `echo: ${body.messages.at(-1).content}`;
    }
  });

  it('keeps the transcript: chat.history returns both turns under either spelling; sessions.list indexes it once', async () => {
    for (const sessionKey of ['main', 'agent:main:main', ' MAIN ']) {
      const history = await call('chat.history', { sessionKey });
      assert.equal(history.sessionKey, 'agent:main:main');
      const roles = history.messages.map((m: any) => `${m.role}:${m.content}`);
      assert.deepEqual(roles.slice(0, 2), ['user:hello streaming world', 'assistant:echo: hello streaming world'], sessionKey);
    }
    const list = await call('sessions.list', {});
    assert.ok(!list.sessions.some((s: any) => s.sessionKey === 'main'), 'no second session for the alias');
    const main = list.sessions.find((s: any) => s.sessionKey === 'agent:main:main');
    assert.equal(main.agentId, 'main');
    assert.ok(main.messageCount >= 2);
    assert.equal(main.lastModel, 'local/main-model');
  });

  it("as upstream (the official Control UI follows its send by it): a UUID idempotency key is the run id; chat.startup answers like chat.history, with input receipts and upstream's message ids", async () => {
    const key = '0b5c2a4e-6f1d-4c8e-9a3b-7d2e1f0a9c84';
    const ack = await call('chat.send', { sessionKey: 'receipts', message: 'keyed by the ui', idempotencyKey: key });
    assert.equal(ack.runId, key);
    assert.equal((await terminal(key)).payload.state, 'final');
    const free = await call('chat.send', { sessionKey: 'receipts', message: 'free-form key', idempotencyKey: 'not a uuid' });
    assert.notEqual(free.runId, 'not a uuid', 'a free-form key does not become a run id');
    await terminal(free.runId);
    const page = await call('chat.startup', { sessionKey: 'receipts', limit: 80, maxBytes: 262144, inputRunIds: [key, 'never-sent'] });
    assert.equal(page.sessionKey, ack.sessionKey);
    const user = page.messages.find((m: any) => m.role === 'user' && m.runId === key);
    assert.deepEqual(page.inputReceipts, [{ runId: key, state: 'consumed', consumedByEventId: user.id }], 'a receipt for the sent run only');
    const reply = page.messages.find((m: any) => m.role === 'assistant' && m.runId === key);
    assert.deepEqual(reply.__openclaw, { id: reply.id, runId: key });
    assert.equal(reply.timestamp, reply.ts);
    assert.equal((await call('chat.history', { sessionKey: 'receipts' })).inputReceipts, undefined, 'no receipts unless asked');
  });

  it('sends earlier turns back to the model on the next turn', async () => {
    const before = fake.requests.length;
    const ack = await call('chat.send', { sessionKey: 'main', message: 'second', idempotencyKey: 'k2' });
    await terminal(ack.runId);
    const sent = fake.requests.slice(before).find((r) => r.path === '/v1/chat/completions')!.body.messages;
    assert.deepEqual(sent.map((m: any) => m.content).slice(0, 3), ['hello streaming world', 'echo: hello streaming world', 'second']);
  });

  it('announces a fallback in the run events and still answers', async () => {
    fake.behave('busy', 'rate_limit');
    const ack = await call('chat.send', { sessionKey: 'agent:ops:main', message: 'x', idempotencyKey: 'k3' });
    const final = (await terminal(ack.runId)).payload;
    assert.equal(final.state, 'final');
    assert.equal(final.message.model, 'local/main-model');
    const fallback = services.events.find((e) => e.event === 'agent' && e.payload.runId === ack.runId && e.payload.data.phase === 'fallback');
    assert.ok(fallback);
    assert.equal(fallback.payload.data.from, 'local/busy');
    assert.equal(fallback.payload.data.to, 'local/main-model');
    assert.equal(fallback.payload.data.reason, 'rate_limit');
    const history = await call('chat.history', { sessionKey: 'agent:ops:main' });
    assert.equal(history.agentId, 'ops');
  });

  it('ends with an error event carrying the cause and the fix when every model fails', async () => {
    fake.behave('busy', 'server_error');
    fake.behave('main-model', 'server_error');
    try {
      const ack = await call('chat.send', { sessionKey: 'agent:ops:err', message: 'x', idempotencyKey: 'k4' });
      const ev = (await terminal(ack.runId)).payload;
      assert.equal(ev.state, 'error');
      assert.match(ev.errorMessage, /^all models failed: local\/busy: server \(500\).*; local\/main-model: server \(500\)/);
      assert.equal(ev.error.details.code, 'MODEL_ALL_FAILED');
      assert.ok(ev.error.details.fix);
      // The failure and its fix are in the transcript: a reload shows them again.
      await runtime.chat.wait(ack.runId);
      const reply = (await call('chat.history', { sessionKey: 'agent:ops:err' })).messages.find((m: any) => m.role === 'assistant');
      assert.deepEqual([reply.stopReason, reply.errorMessage, reply.fix], ['error', ev.errorMessage, ev.error.details.fix]);
    } finally {
      fake.behave('main-model', 'ok');
      fake.behave('busy', 'ok');
    }
  });

  it('chat.abort stops a run mid-stream; the partial answer is kept', async () => {
    await withSlowReply(async () => {
    const ack = await call('chat.send', { sessionKey: 'abortme', message: 'go', model: 'local/slow', idempotencyKey: 'k5' });
    await firstDelta(ack.runId);
    const res = await call('chat.abort', { sessionKey: 'abortme' });
    assert.deepEqual(res.runIds, [ack.runId]);
    const ev = (await terminal(ack.runId)).payload;
    assert.equal(ev.state, 'aborted');
    const partial = ev.message.content[0].text as string;
    assert.ok(partial.startsWith('w0'), partial);
    assert.ok(!partial.includes('w99'));
    await runtime.chat.wait(ack.runId);
    const history = await call('chat.history', { sessionKey: 'abortme' });
    const last = history.messages.at(-1);
    assert.equal(last.stopReason, 'aborted');
    assert.equal(last.content, partial);
    });
  });

  it('a turn aborted while queued is recorded as ended: a restart does not run it again', async () => {
    await withSlowReply(async () => {
    const first = await call('chat.send', { sessionKey: 'queued', message: 'one', model: 'local/slow', idempotencyKey: 'kq1' });
    const second = await call('chat.send', { sessionKey: 'queued', message: 'two', model: 'local/slow', idempotencyKey: 'kq2' });
    await firstDelta(first.runId);
    assert.deepEqual((await call('chat.abort', { sessionKey: 'queued' })).runIds, [first.runId, second.runId]);
    await runtime.chat.wait(second.runId);
    assert.equal((await terminal(second.runId)).payload.state, 'aborted');
    const history = (await call('chat.history', { sessionKey: 'queued' })).messages;
    assert.deepEqual(history.map((m: any) => [m.role, m.stopReason ?? null]), [['user', null], ['assistant', 'aborted'], ['user', null], ['assistant', 'aborted']]);
    assert.deepEqual(runtime.sessions.interruptedTurns(0).filter((t) => t.sessionKey === 'queued'), [], 'nothing for a restart to re-run');
    });
  });

  it('rejects an unknown agent or model before acknowledging, with the fix', async () => {
    await assert.rejects(call('chat.send', { sessionKey: 's', message: 'x', agentId: 'nobody', idempotencyKey: 'k6' }), (err: unknown) => {
      assert.ok(err instanceof MethodError);
      assert.equal(err.details?.code, 'AGENT_NOT_FOUND');
      return true;
    });
    await assert.rejects(call('chat.send', { sessionKey: 's', message: 'x', model: 'nope/m', idempotencyKey: 'k7' }), (err: unknown) => {
      assert.ok(err instanceof MethodError);
      assert.equal(err.details?.code, 'MODEL_NOT_CONFIGURED');
      assert.match(String(err.details?.fix), /openclaw models scan --apply/);
      return true;
    });
  });
});

describe('sessions, models and agents', () => {
  it('sessions.reset empties a session and sessions.delete removes it', async () => {
    const ack = await call('chat.send', { sessionKey: 'tmp', message: 'x', idempotencyKey: 'k8' });
    await terminal(ack.runId);
    assert.equal((await call('sessions.reset', { sessionKey: 'tmp' })).reset, true);
    assert.equal((await call('chat.history', { sessionKey: 'tmp' })).messages.length, 0);
    assert.equal((await call('sessions.delete', { sessionKey: 'tmp' })).deleted, true);
    assert.ok(!(await call('sessions.list', {})).sessions.some((s: any) => s.sessionKey === 'tmp'));
  });

  it('sessions.patch names a session (a new one is listed before its first message), null clears the label; delete takes upstream\'s `key` too', async () => {
    const patched = await call('sessions.patch', { key: 'agent:main:ui-new', label: 'Trip plans' });
    assert.equal(patched.key, 'agent:main:ui-new');
    assert.equal(patched.entry.label, 'Trip plans');
    const row = () => call('sessions.list', {}).then((l: any) => l.sessions.find((s: any) => s.sessionKey === 'agent:main:ui-new'));
    assert.deepEqual([(await row()).label, (await row()).messageCount], ['Trip plans', 0]);
    await call('sessions.patch', { key: 'agent:main:ui-new', label: 'Trip plans 2026' });
    assert.equal((await row()).label, 'Trip plans 2026');
    await call('sessions.patch', { key: 'agent:main:ui-new', label: null });
    assert.equal((await row()).label, undefined);
    await assert.rejects(call('sessions.patch', { label: 'x' }), /key/);
    assert.equal((await call('sessions.delete', { key: 'agent:main:ui-new' })).deleted, true);
    assert.equal(await row(), undefined);
    // The alias is the canonical session for the label too.
    await call('sessions.patch', { key: 'main', label: 'Everyday' });
    assert.equal((await call('sessions.list', {})).sessions.find((s: any) => s.sessionKey === 'agent:main:main').label, 'Everyday');
  });

  it('a turn a restart cut and did not resume reads as interrupted in chat.history of the next process', async () => {
    // The user message of a turn, on disk without a reply (its process died), not resumable.
    await runtime.sessions.append('main', 'agent:main:cut', { role: 'user', content: 'are you there?' }, 'run-cut');
    const next = createModelRuntime({ services, env: {} });
    try {
      const nextCall = methodCaller(chatMethods(next), services);
      const msgs = (await nextCall('chat.history', { sessionKey: 'agent:main:cut' })).messages;
      assert.deepEqual(msgs.map((m: any) => [m.role, m.runId, m.stopReason ?? '']), [['user', 'run-cut', ''], ['assistant', 'run-cut', 'interrupted']]);
      // In the process that accepted it, the turn is only unanswered so far.
      const own = (await call('chat.history', { sessionKey: 'agent:main:cut' })).messages;
      assert.equal(own.length, 1);
    } finally {
      await next.close();
    }
  });

  it('sessions.reset mid-stream: the aborted partial answer stays in the archived transcript, the new session starts empty', async () => {
    await withSlowReply(async () => {
    const ack = await call('chat.send', { sessionKey: 'resetme', message: 'long', model: 'local/slow', idempotencyKey: 'kr1' });
    await firstDelta(ack.runId);
    assert.equal((await call('sessions.reset', { sessionKey: 'resetme' })).reset, true);
    assert.equal((await terminal(ack.runId)).payload.state, 'aborted');
    await runtime.chat.wait(ack.runId);
    assert.deepEqual((await call('chat.history', { sessionKey: 'resetme' })).messages, [], 'nothing of the old turn in the new session');
    fake.chunkDelayMs = 0;
    fake.reply = (body) => `seen ${body.messages.length} message(s)`;
    const next = await call('chat.send', { sessionKey: 'resetme', message: 'fresh', idempotencyKey: 'kr2' });
    assert.equal((await terminal(next.runId)).payload.message.content[0].text, 'seen 1 message(s)', 'the model gets no context from before the reset');
    });
  });

  it('models.list and agents.list show the configured catalog', async () => {
    const models = await call('models.list', {});
    assert.deepEqual(models.models.map((m: any) => m.id), ['local/main-model', 'local/busy', 'local/slow']);
    assert.equal(models.models[0].default, true);
    assert.deepEqual((await call('models.list', { view: 'configured' })).models.map((m: any) => m.id), ['local/main-model', 'local/busy', 'local/slow']);
    assert.deepEqual((await call('models.list', { view: 'default' })).models.map((m: any) => m.id), ['local/main-model'], 'the default agent\'s primary (it has no fallbacks)');
    const agents = await call('agents.list', {});
    assert.equal(agents.defaultId, 'main');
    assert.deepEqual(agents.agents.map((a: any) => [a.id, a.model.primary]), [['main', 'local/main-model'], ['ops', 'local/busy']]);
    assert.deepEqual(agents.agents[0].model.fallbacks, []);
  });
});
