// /v1 `<provider>/<model>` requests when upstreams fail before any output: a streamed request on the
// byte passthrough falls over to the agent's configured fallback on 429, 500, a hung upstream
// (agents.defaults.timeoutSeconds) and a context-window rejection, and the client gets the
// fallback's answer as a normal stream; rate limits come back as 429 with Retry-After, also when
// every candidate was rate limited.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeStateDir, type StateDir } from '../testing/harness.js';
import { startFakeAnthropic } from './testing/fake-anthropic.js';
import { startFakeOpenAi, type FakeBehaviour, type FakeServerBase } from './testing/fake-openai.js';
import { startV1Server } from './testing/services.js';
import { parseSseChunks, postStream } from './testing/sse.js';

const TOKEN = 'v1-fallback-token-0123456789abcdef';
let oa: FakeServerBase;
let an: FakeServerBase;
let state: StateDir;
let v1: Awaited<ReturnType<typeof startV1Server>>;

before(async () => {
  oa = await startFakeOpenAi({ models: ['flaky', 'backup'] });
  an = await startFakeAnthropic({ models: ['claude-x'] });
  state = makeStateDir({
    gateway: { mode: 'local', auth: { mode: 'token', token: TOKEN } },
    models: {
      providers: {
        local: { baseUrl: oa.baseUrl, models: [{ id: 'flaky' }, { id: 'backup' }] },
        ant: { baseUrl: an.baseUrl, api: 'anthropic-messages', models: [{ id: 'claude-x' }] },
      },
    },
    // A `<provider>/<model>` request tries that model, then the default agent's fallbacks (router.ts
    // resolveCandidates). 4 s: how long the hung upstream gets before it counts as timed out; long
    // enough that a loaded machine does not turn the other cases' answers into timeouts (502).
    agents: { defaults: { model: { primary: 'local/backup', fallbacks: ['local/backup'] }, timeoutSeconds: 4 } },
  });
  v1 = await startV1Server(state);
});
after(async () => {
  await v1.close();
  await oa.close();
  await an.close();
  state.cleanup();
});

const post = (body: Record<string, unknown>) =>
  fetch(`${v1.base}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Runs `fn` with the given behaviours, restoring "ok" afterwards. */
async function behaving(fakes: Array<[FakeServerBase, string, FakeBehaviour]>, fn: () => Promise<void>): Promise<void> {
  for (const [fake, model, b] of fakes) fake.behave(model, b);
  try {
    await fn();
  } finally {
    for (const [fake, model] of fakes) fake.behave(model, 'ok');
  }
}

const upstreamModels = (from: number) => oa.requests.slice(from).filter((r) => r.path === '/v1/chat/completions').map((r) => r.body.model);

describe('/v1 passthrough: fallbacks on HTTP errors before any output (stream: true)', () => {
  for (const [behaviour, what] of [['rate_limit', '429 with Retry-After'], ['server_error', '500'], ['hang', 'no answer until the provider timeout'], ['context_length', '400 context_length_exceeded']] as const) {
    it(`primary answers ${what}: the client gets the fallback's answer as a normal SSE stream`, () =>
      behaving([[oa, 'flaky', behaviour]], async () => {
        const before = oa.requests.length;
        const { res, text } = await postStream(v1.base, TOKEN, { model: 'local/flaky', messages: [{ role: 'user', content: 'fall over please' }] });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
        const chunks = parseSseChunks(text);
        assert.deepEqual(upstreamModels(before), ['flaky', 'backup'], 'one try of the primary (no SDK retries), then the fallback');
        assert.ok(chunks.every((c) => c.model === 'local/flaky'), 'every chunk carries the model the client asked for');
        assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '', refusal: null }, "the fallback's own opening chunk");
        assert.equal(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), 'echo: fall over please');
        assert.deepEqual(chunks.map((c) => c.choices[0]?.finish_reason).filter(Boolean), ['stop']);
        // Passthrough, not the parsed path: the upstream's bytes (system_fingerprint is the fake's,
        // SseWriter never writes it), and the upstream was not asked for usage the client did not want.
        assert.ok(chunks.every((c) => 'system_fingerprint' in c));
        assert.equal(oa.requests.at(-1)!.body.stream_options, undefined);
      }));
  }
});

/** Checks an error answer: status, Retry-After (null: none), an OpenAI-shaped JSON body with our code, cause and fix; returns `error`. */
async function errorAnswer(res: Response, want: { status: number; retryAfter: string | null; type: string; code: string }): Promise<any> {
  assert.equal(res.status, want.status);
  assert.equal(res.headers.get('retry-after'), want.retryAfter);
  assert.match(String(res.headers.get('content-type')), /^application\/json/);
  const { error } = (await res.json()) as any;
  assert.equal(error.type, want.type);
  assert.equal(error.code, want.code);
  assert.ok(error.cause && error.fix, 'cause and fix ride along');
  return error;
}

describe('/v1 errors when no model answers', () => {
  it('the only model is rate limited: 429 in OpenAI shape with Retry-After', () =>
    behaving([[oa, 'backup', 'rate_limit']], async () => {
      // local/backup is also the agent's only fallback, so it is the only candidate
      const res = await post({ model: 'local/backup', messages: [{ role: 'user', content: 'x' }] });
      const error = await errorAnswer(res, { status: 429, retryAfter: '1', type: 'rate_limit_error', code: 'MODEL_RATE_LIMITED' });
      assert.match(error.message, /^local\/backup is rate limited: HTTP 429/);
    }));

  for (const stream of [false, true]) {
    it(`every candidate rate limited${stream ? ' (stream: true)' : ''}: 429 with the smallest Retry-After any of them gave`, () =>
      // ant/claude-x (the primary) says retry after 2 s, local/backup (the fallback) after 1 s
      behaving([[an, 'claude-x', 'rate_limit'], [oa, 'backup', 'rate_limit']], async () => {
        const res = await post({ model: 'ant/claude-x', stream, messages: [{ role: 'user', content: 'x' }] });
        const error = await errorAnswer(res, { status: 429, retryAfter: '1', type: 'rate_limit_error', code: 'MODEL_ALL_FAILED' });
        assert.match(error.message, /^all models failed: ant\/claude-x: rate limit \(429\).*; local\/backup: rate limit \(429\)/);
        assert.deepEqual(error.failures.map((f: any) => [f.model, f.kind, f.status]), [['ant/claude-x', 'rate_limit', 429], ['local/backup', 'rate_limit', 429]]);
      }));
  }

  it('a rate limit and a server error: still 502 without Retry-After', () =>
    behaving([[an, 'claude-x', 'rate_limit'], [oa, 'backup', 'server_error']], async () => {
      const res = await post({ model: 'ant/claude-x', messages: [{ role: 'user', content: 'x' }] });
      await errorAnswer(res, { status: 502, retryAfter: null, type: 'api_error', code: 'MODEL_ALL_FAILED' });
    }));

  it('the only model rejects the request as too long for its context window: 400 in OpenAI shape', () =>
    behaving([[oa, 'backup', 'context_length']], async () => {
      const res = await post({ model: 'local/backup', messages: [{ role: 'user', content: 'x' }] });
      const error = await errorAnswer(res, { status: 400, retryAfter: null, type: 'invalid_request_error', code: 'MODEL_CONTEXT_LENGTH_EXCEEDED' });
      assert.match(error.message, /^local\/backup: HTTP 400: invalid_request_error: This model's maximum context length is 8192 tokens/);
    }));
});
