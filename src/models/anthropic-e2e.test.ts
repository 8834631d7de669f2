// An Anthropic Messages provider (api: "anthropic-messages") behind the gateway, against the fake
// Anthropic server: `<provider>/<model>` through /v1 without and with streaming (the parsed path:
// the passthrough is OpenAI-only), an agent whose primary is the Anthropic model through
// /v1 `openclaw/<agent>`, and the same agent through the chat.send method (WS level).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { chatMethods } from '../gateway/methods/chat.js';
import { makeStateDir, type StateDir } from '../testing/harness.js';
import { startFakeAnthropic } from './testing/fake-anthropic.js';
import type { FakeServerBase } from './testing/fake-openai.js';
import { chatEventsOf, chatTerminal, methodCaller, startV1Server } from './testing/services.js';
import { assertChatStream, postStream, sdkStream } from './testing/sse.js';

const TOKEN = 'anthropic-e2e-token-0123456789abcdef';
const ANT_KEY = 'sk-ant-e2e';
const AGENT_PROMPT = 'You are the claude agent.';
let an: FakeServerBase;
let state: StateDir;
let v1: Awaited<ReturnType<typeof startV1Server>>;
let client: OpenAI;

before(async () => {
  an = await startFakeAnthropic({ apiKey: ANT_KEY, models: ['claude-x'] });
  state = makeStateDir({
    gateway: { mode: 'local', auth: { mode: 'token', token: TOKEN } },
    models: { providers: { ant: { baseUrl: an.baseUrl, api: 'anthropic-messages', apiKey: ANT_KEY, models: [{ id: 'claude-x' }] } } },
    agents: { defaults: { model: 'ant/claude-x' }, list: [{ id: 'main', default: true }, { id: 'claude', model: 'ant/claude-x', systemPrompt: AGENT_PROMPT }] },
  });
  v1 = await startV1Server(state);
  client = new OpenAI({ apiKey: TOKEN, baseURL: `${v1.base}/v1`, maxRetries: 0 });
});
after(async () => {
  await v1.close();
  await an.close();
  state.cleanup();
});

/** The Messages API request the fake received last. */
const lastMessagesRequest = () => an.requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages').at(-1)!;

describe('/v1 with an Anthropic provider model', () => {
  it('non-streaming: an OpenAI chat.completion; system messages become `system`', async () => {
    const r = await client.chat.completions.create({ model: 'ant/claude-x', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello claude' }] });
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.model, 'ant/claude-x');
    assert.equal(r.choices[0].message.role, 'assistant');
    assert.equal(r.choices[0].message.content, 'echo: hello claude');
    assert.equal(r.choices[0].finish_reason, 'stop');
    assert.ok(r.usage!.prompt_tokens > 0 && r.usage!.completion_tokens > 0);
    assert.equal(r.usage!.total_tokens, r.usage!.prompt_tokens + r.usage!.completion_tokens);
    const sent = lastMessagesRequest().body;
    assert.equal(sent.model, 'claude-x');
    assert.equal(sent.system, 'be brief');
    assert.deepEqual(sent.messages, [{ role: 'user', content: [{ type: 'text', text: 'hello claude' }] }]);
    assert.equal(typeof sent.max_tokens, 'number');
  });

  for (const usage of [false, true]) {
    it(`streaming ${usage ? 'with' : 'without'} usage: Anthropic events become OpenAI chunks (parsed path)`, async () => {
      const { res, text } = await postStream(v1.base, TOKEN, { model: 'ant/claude-x', messages: [{ role: 'user', content: 'stream me please' }], ...(usage ? { stream_options: { include_usage: true } } : {}) });
      assert.equal(res.status, 200);
      assertChatStream(text, { model: 'ant/claude-x', text: 'echo: stream me please', usage });
      assert.equal(lastMessagesRequest().body.stream, true);
    });
  }

  it('streaming, read by the official openai SDK', async () => {
    const got = await sdkStream(client, { model: 'ant/claude-x', messages: [{ role: 'user', content: 'sdk here' }], includeUsage: true });
    assert.equal(got.content, 'echo: sdk here');
    assert.deepEqual(got.finish, ['stop']);
    assert.ok(got.chunks.every((c) => c.model === 'ant/claude-x'));
    assert.ok(got.usage!.total_tokens > 0);
  });
});

describe('an agent whose primary is the Anthropic model', () => {
  it('/v1 openclaw/claude: a full turn (agent system prompt sent, transcript written), JSON and streamed', async () => {
    const r = await client.chat.completions.create({ model: 'openclaw/claude', messages: [{ role: 'user', content: 'agent turn' }] }, { headers: { 'x-openclaw-session-key': 'v1-claude' } });
    assert.equal(r.model, 'openclaw/claude');
    assert.equal(r.choices[0].message.content, 'echo: agent turn');
    assert.equal(lastMessagesRequest().body.system, AGENT_PROMPT);
    const history = v1.runtime.sessions.history('claude', 'v1-claude');
    assert.deepEqual(history.map((e) => [e.message.role, e.message.content, e.message.model]), [['user', 'agent turn', undefined], ['assistant', 'echo: agent turn', 'ant/claude-x']]);

    const { text } = await postStream(v1.base, TOKEN, { model: 'openclaw/claude', messages: [{ role: 'user', content: 'streamed agent turn' }], stream_options: { include_usage: true } });
    assertChatStream(text, { model: 'openclaw/claude', text: 'echo: streamed agent turn', usage: true });
    assert.equal(lastMessagesRequest().body.system, AGENT_PROMPT);
  });

  it('chat.send (WS method): chat deltas, then a final message from ant/claude-x; chat.history has the turn', async () => {
    const call = methodCaller(chatMethods(v1.runtime), v1.services);
    const ack = await call('chat.send', { sessionKey: 'agent:claude:ws', message: 'over the socket', idempotencyKey: 'ant-ws-1' });
    assert.equal(ack.status, 'accepted');
    const final = (await chatTerminal(v1.services, ack.runId)).payload;
    assert.equal(final.state, 'final', JSON.stringify(final.error ?? final));
    assert.deepEqual(final.message.content, [{ type: 'text', text: 'echo: over the socket' }]);
    assert.equal(final.message.model, 'ant/claude-x');
    assert.equal(final.stopReason, 'stop');
    assert.ok(final.usage.totalTokens > 0);
    const deltas = chatEventsOf(v1.services, ack.runId).filter((e) => e.state === 'delta');
    assert.ok(deltas.length >= 1);
    assert.equal(deltas.map((d) => d.deltaText).join(''), 'echo: over the socket');
    const sent = lastMessagesRequest();
    assert.equal(sent.body.system, AGENT_PROMPT);
    assert.equal(sent.body.model, 'claude-x');
    const history = await call('chat.history', { sessionKey: 'agent:claude:ws' });
    assert.equal(history.agentId, 'claude');
    assert.deepEqual(history.messages.map((m: any) => [m.role, m.content]), [['user', 'over the socket'], ['assistant', 'echo: over the socket']]);
  });
});
