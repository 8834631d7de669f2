// /v1 streaming of agent targets (`openclaw`, `openclaw/<agentId>`): a full agent turn written by
// our own SseWriter. The exact SSE framing and chunk sequence, the usage chunk only when asked for,
// the client's `model` in every chunk, and the official openai SDK reading the same stream.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { makeStateDir, type StateDir } from '../testing/harness.js';
import { startFakeOpenAi, type FakeServerBase } from './testing/fake-openai.js';
import { startV1Server } from './testing/services.js';
import { assertChatStream, postStream, sdkStream } from './testing/sse.js';

const TOKEN = 'v1-agent-test-token-0123456789abcdef';
let fake: FakeServerBase;
let state: StateDir;
let v1: Awaited<ReturnType<typeof startV1Server>>;

before(async () => {
  fake = await startFakeOpenAi({ models: ['main-model', 'writer-model'] });
  state = makeStateDir({
    gateway: { mode: 'local', auth: { mode: 'token', token: TOKEN } },
    models: { providers: { local: { baseUrl: fake.baseUrl, models: [{ id: 'main-model' }, { id: 'writer-model' }] } } },
    agents: { defaults: { model: 'local/main-model' }, list: [{ id: 'main', default: true }, { id: 'writer', model: 'local/writer-model' }] },
  });
  v1 = await startV1Server(state);
});
after(async () => {
  await v1.close();
  await fake.close();
  state.cleanup();
});

/** The model the agent's turn went to upstream (proves which agent ran). */
const lastUpstreamModel = () => fake.requests.filter((r) => r.path === '/v1/chat/completions').at(-1)?.body.model;

const targets = [
  { model: 'openclaw', upstream: 'main-model' },
  { model: 'openclaw/writer', upstream: 'writer-model' },
];

describe('/v1 streaming of an agent turn', () => {
  for (const { model, upstream } of targets) {
    for (const usage of [false, true]) {
      it(`${model}, ${usage ? 'with' : 'without'} stream_options.include_usage: exact framing and chunk sequence`, async () => {
        const { res, text } = await postStream(v1.base, TOKEN, {
          model, messages: [{ role: 'user', content: 'one two three four' }], ...(usage ? { stream_options: { include_usage: true } } : {}),
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
        assertChatStream(text, { model, text: 'echo: one two three four', usage });
        assert.equal(lastUpstreamModel(), upstream);
      });
    }

    it(`${model}: the official openai SDK reads the stream (with and without usage)`, async () => {
      const client = new OpenAI({ apiKey: TOKEN, baseURL: `${v1.base}/v1`, maxRetries: 0 });
      for (const includeUsage of [false, true]) {
        const got = await sdkStream(client, { model, messages: [{ role: 'user', content: 'via the sdk' }], includeUsage });
        assert.equal(got.content, 'echo: via the sdk');
        assert.deepEqual(got.finish, ['stop']);
        assert.equal(got.chunks[0].choices[0].delta.role, 'assistant');
        assert.ok(got.chunks.every((c) => c.model === model), 'every chunk carries the model the client sent');
        if (includeUsage) assert.ok(got.usage && got.usage.total_tokens === got.usage.prompt_tokens + got.usage.completion_tokens && got.usage.completion_tokens > 0);
        else assert.equal(got.usage, undefined);
        assert.equal(lastUpstreamModel(), upstream);
      }
    });
  }
});
