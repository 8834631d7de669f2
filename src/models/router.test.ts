// Providers + router against the local fake OpenAI and Anthropic servers: streaming, fallbacks on
// 429 / 500 / timeout / long context, compat flags, and the diagnosable errors.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../logging/types.js';
import { parseModelsConfig } from './config.js';
import { AllModelsFailedError, ModelError } from './errors.js';
import { ProviderRegistry } from './providers/registry.js';
import { completeOnce, listAgents, resolveCandidate, resolveCandidates, runWithFallback } from './router.js';
import { startFakeAnthropic } from './testing/fake-anthropic.js';
import { startFakeOpenAi, type FakeServerBase } from './testing/fake-openai.js';
import type { ChatRequest } from './types.js';

let oa: FakeServerBase;
let an: FakeServerBase;
before(async () => {
  oa = await startFakeOpenAi({ apiKey: 'sk-local', models: ['primary', 'backup', 'strict', 'notools'] });
  an = await startFakeAnthropic({ apiKey: 'sk-ant', models: ['claude-x'] });
});
after(async () => {
  await oa.close();
  await an.close();
});

function config(agents: Record<string, unknown>, timeoutSeconds = 30) {
  return parseModelsConfig({
    models: {
      providers: {
        local: { baseUrl: oa.baseUrl, apiKey: 'sk-local', models: [{ id: 'strict', compat: { requiresStringContent: true } }, { id: 'primary' }, { id: 'backup' }, { id: 'notools', compat: { supportsTools: false } }] },
        raw: { baseUrl: oa.baseUrl, apiKey: 'sk-local', models: [{ id: 'strict' }, { id: 'notools' }] },
        ant: { baseUrl: an.baseUrl, apiKey: 'sk-ant', api: 'anthropic-messages', models: [{ id: 'claude-x' }] },
      },
    },
    agents: { ...agents, defaults: { timeoutSeconds, ...(agents.defaults as object) } },
  });
}

const parts: ChatRequest = { messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }, { type: 'text', text: 'world' }] }] };
const tools: ChatRequest = { messages: [{ role: 'user', content: 'use a tool' }], tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }] };

async function run(cfgAgents: Record<string, unknown>, request: ChatRequest, model?: string, timeoutSeconds?: number) {
  const cfg = config(cfgAgents, timeoutSeconds);
  const fallbacks: string[] = [];
  const deltas: string[] = [];
  const result = await runWithFallback({
    candidates: resolveCandidates(cfg, { agent: listAgents(cfg)[0], model }),
    request,
    providers: new ProviderRegistry({}),
    log: silentLogger,
    onDelta: (t) => deltas.push(t),
    onFallback: (f) => fallbacks.push(`${f.from}->${f.to}:${f.error.kind}`),
  });
  return { result, deltas, fallbacks };
}

describe('streaming through the providers', () => {
  it('streams OpenAI chat-completions deltas with usage', async () => {
    const { result, deltas } = await run({ defaults: { model: 'local/primary' } }, { messages: [{ role: 'user', content: 'one two three' }] });
    assert.equal(result.text, 'echo: one two three');
    assert.ok(deltas.length >= 3, `expected several deltas, got ${deltas.length}`);
    assert.equal(deltas.join(''), result.text);
    assert.equal(result.stopReason, 'stop');
    assert.ok(result.usage && result.usage.totalTokens > 0);
  });

  it('streams Anthropic messages and moves system prompts to `system`', async () => {
    const before = an.requests.length;
    const { result } = await run({ defaults: { model: 'ant/claude-x' } }, { messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi there' }] });
    assert.equal(result.text, 'echo: hi there');
    const sent = an.requests.slice(before).find((r) => r.path === '/v1/messages')!.body;
    assert.equal(sent.system, 'be brief');
    assert.equal(sent.stream, true);
    assert.deepEqual(sent.messages, [{ role: 'user', content: [{ type: 'text', text: 'hi there' }] }]);
  });

  it('non-streaming completion and embeddings go through the SDKs', async () => {
    const cfg = config({});
    const reg = new ProviderRegistry({});
    const r = await completeOnce(resolveCandidate(cfg, 'local/primary'), { messages: [{ role: 'user', content: 'ping' }] }, reg);
    assert.equal(r.text, 'echo: ping');
    const emb = await reg.get('local', cfg.providers.local, 'primary', 5000).embed('primary', ['a', 'b']);
    assert.equal(emb.embeddings.length, 2);
    assert.equal(emb.embeddings[0].length, 8);
  });
});

describe('fallbacks', () => {
  it('falls over on 429, then 500, and reports each hop', async () => {
    oa.behave('primary', 'rate_limit');
    oa.behave('backup', 'server_error');
    try {
      const { result, fallbacks } = await run({ defaults: { model: { primary: 'local/primary', fallbacks: ['local/backup', 'ant/claude-x'] } } }, { messages: [{ role: 'user', content: 'x' }] });
      assert.deepEqual(fallbacks, ['local/primary->local/backup:rate_limit', 'local/backup->ant/claude-x:server']);
      assert.equal(result.model.provider, 'ant');
      assert.equal(result.failures[0].status, 429);
      assert.equal(result.failures[0].ctx.retryAfterMs, 1000);
    } finally {
      oa.behave('primary', 'ok');
      oa.behave('backup', 'ok');
    }
  });

  it('falls over on a timeout', async () => {
    oa.behave('primary', 'hang');
    try {
      const { result, fallbacks } = await run({ defaults: { model: { primary: 'local/primary', fallbacks: ['local/backup'] } } }, { messages: [{ role: 'user', content: 'x' }] }, undefined, 0.5);
      assert.deepEqual(fallbacks, ['local/primary->local/backup:timeout']);
      assert.equal(result.model.model, 'backup');
    } finally {
      oa.behave('primary', 'ok');
    }
  });

  it('a stream that stalls after output started times out without falling over', async () => {
    oa.behave('primary', 'stall_mid_stream');
    try {
      await assert.rejects(
        run({ defaults: { model: { primary: 'local/primary', fallbacks: ['local/backup'] } } }, { messages: [{ role: 'user', content: 'a b c' }] }, undefined, 0.5),
        (err: unknown) => err instanceof ModelError && err.kind === 'timeout',
      );
    } finally {
      oa.behave('primary', 'ok');
    }
  });

  it('falls over when Anthropic rejects a long-context request (params.context1m)', async () => {
    an.behave('claude-x', 'long_context');
    try {
      const agents = { defaults: { model: { primary: 'ant/claude-x', fallbacks: ['local/backup'] }, models: { 'ant/claude-x': { params: { context1m: true } } } } };
      const before = an.requests.length;
      const { result, fallbacks } = await run(agents, { messages: [{ role: 'user', content: 'x' }] });
      assert.deepEqual(fallbacks, ['ant/claude-x->local/backup:long_context']);
      assert.equal(result.model.model, 'backup');
      assert.match(String(an.requests[before].headers['anthropic-beta']), /context-1m/);
      assert.equal(result.failures[0].message, 'ant/claude-x: HTTP 429: rate_limit_error: Extra usage is required for long context requests');
    } finally {
      an.behave('claude-x', 'ok');
    }
  });

  it("falls over when OpenAI rejects the request as longer than the model's context window (400 context_length_exceeded)", async () => {
    oa.behave('primary', 'context_length');
    try {
      const { result, fallbacks } = await run({ defaults: { model: { primary: 'local/primary', fallbacks: ['local/backup'] } } }, { messages: [{ role: 'user', content: 'a long conversation' }] });
      assert.deepEqual(fallbacks, ['local/primary->local/backup:context_length']);
      assert.equal(result.model.model, 'backup');
      assert.equal(result.text, 'echo: a long conversation');
      const [failure] = result.failures;
      assert.equal(failure.status, 400);
      assert.equal(failure.failover, true);
      assert.equal(failure.message, "local/primary: HTTP 400: invalid_request_error: This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens. Please reduce the length of the messages.");
      assert.equal(failure.toErrorShape().details?.code, 'MODEL_CONTEXT_LENGTH_EXCEEDED');
    } finally {
      oa.behave('primary', 'ok');
    }
  });

  it('names every model and why when all fail', async () => {
    oa.behave('primary', 'rate_limit');
    oa.behave('backup', 'server_error');
    try {
      await assert.rejects(run({ defaults: { model: { primary: 'local/primary', fallbacks: ['local/backup'] } } }, { messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
        assert.ok(err instanceof AllModelsFailedError);
        assert.match(err.message, /^all models failed: local\/primary: rate limit \(429\).*; local\/backup: server \(500\)/);
        const shape = err.toErrorShape();
        assert.equal(shape.details?.code, 'MODEL_ALL_FAILED');
        assert.equal((shape.details?.failures as unknown[]).length, 2);
        return true;
      });
    } finally {
      oa.behave('primary', 'ok');
      oa.behave('backup', 'ok');
    }
  });
});

describe('compat flags', () => {
  it('requiresStringContent flattens content parts into one string', async () => {
    oa.behave('strict', 'reject_array_content');
    const before = oa.requests.length;
    const { result } = await run({ defaults: { model: 'local/strict' } }, parts);
    assert.equal(result.text, 'echo: hello\nworld');
    assert.equal(oa.requests[before].body.messages[0].content, 'hello\nworld');
  });

  it('without the flag the backend error carries the exact fix (real provider id and index)', async () => {
    oa.behave('strict', 'reject_array_content');
    await assert.rejects(run({ defaults: { model: 'raw/strict' } }, parts), (err: unknown) => {
      assert.ok(err instanceof ModelError);
      assert.equal(err.kind, 'string_content');
      assert.match(err.message, /messages\[0\]\.content: invalid type: sequence, expected a string/);
      assert.equal(err.fix, 'openclaw config set models.providers.raw.models[0].compat.requiresStringContent true');
      assert.equal(err.failover, false);
      return true;
    });
  });

  it('supportsTools:false strips tools; without it the rejection names the fix', async () => {
    oa.behave('notools', 'reject_tools');
    const before = oa.requests.length;
    const { result } = await run({ defaults: { model: 'local/notools' } }, tools);
    assert.equal(result.text, 'echo: use a tool');
    assert.equal(oa.requests[before].body.tools, undefined);
    await assert.rejects(run({ defaults: { model: 'raw/notools' } }, tools), (err: unknown) => {
      assert.ok(err instanceof ModelError && err.kind === 'tools_unsupported');
      assert.equal(err.fix, 'openclaw config set models.providers.raw.models[1].compat.supportsTools false');
      return true;
    });
  });
});

describe('diagnosable failures', () => {
  it('a wrong API key is an auth failure naming the provider', async () => {
    const cfg = parseModelsConfig({ models: { providers: { bad: { baseUrl: oa.baseUrl, apiKey: 'wrong', models: [{ id: 'primary' }] } } } });
    await assert.rejects(completeOnce(resolveCandidate(cfg, 'bad/primary'), { messages: [{ role: 'user', content: 'x' }] }, new ProviderRegistry({})), (err: unknown) => {
      assert.ok(err instanceof ModelError && err.kind === 'auth' && err.status === 401);
      assert.doesNotMatch(err.message, /wrong/);
      return true;
    });
  });

  it('a remote provider without a key says which env var to set', async () => {
    const cfg = parseModelsConfig({ models: { providers: { openai: { models: [{ id: 'gpt-x' }] } } } });
    await assert.rejects(completeOnce(resolveCandidate(cfg, 'openai/gpt-x'), { messages: [{ role: 'user', content: 'x' }] }, new ProviderRegistry({})), (err: unknown) => {
      assert.ok(err instanceof ModelError && err.kind === 'no_api_key');
      assert.equal(err.fix, 'export OPENAI_API_KEY=<key>');
      return true;
    });
  });

  it('an unreachable backend is classified and falls over', async () => {
    const cfg = parseModelsConfig({
      models: { providers: { dead: { baseUrl: 'http://127.0.0.1:9/v1', models: [{ id: 'm' }] }, local: { baseUrl: oa.baseUrl, apiKey: 'sk-local', models: [{ id: 'backup' }] } } },
      agents: { defaults: { model: { primary: 'dead/m', fallbacks: ['local/backup'] } } },
    });
    const kinds: string[] = [];
    const providers = new ProviderRegistry({});
    const r = await runWithFallback({ candidates: resolveCandidates(cfg, { agent: listAgents(cfg)[0] }), request: { messages: [{ role: 'user', content: 'x' }] }, providers, log: silentLogger, onFallback: (f) => kinds.push(f.error.kind) });
    assert.deepEqual(kinds, ['unreachable']);
    assert.equal(r.model.model, 'backup');
    // what models.status reports: the dead backend's failure with its fix, the answering one's success
    const dead = providers.health.get('dead')!;
    assert.equal(dead.consecutiveFailures, 1);
    assert.equal(dead.lastError?.kind, 'unreachable');
    assert.equal(dead.lastError?.model, 'dead/m');
    assert.ok(dead.lastError?.fix);
    assert.equal(dead.lastOkAt, null);
    const local = providers.health.get('local')!;
    assert.ok(local.lastOkAt);
    assert.equal(local.failures, 0);
  });
});
