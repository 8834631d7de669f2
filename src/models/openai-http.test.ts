// /v1 on a real http.Server with the handler, driven by the official openai SDK and raw fetch,
// against the fake upstream: auth (token, device token, rate limit), SSE framing, agent turns
// with transcripts, provider-direct calls with fallbacks and compat, limits and error shapes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { eventually, makeStateDir, type StateDir } from '../testing/harness.js';
import { createOpenAiHttpHandler } from './openai-http.js';
import { embeddingVector } from './providers/openai.js';
import type { ModelRuntime } from './runtime.js';
import { embed as fakeEmbed, startFakeOpenAi, type FakeServerBase } from './testing/fake-openai.js';
import { makeTestServices, startV1Server } from './testing/services.js';

const TOKEN = 'v1-test-token-0123456789abcdef0123';
const DEVICE_TOKEN = 'device-token-abcdefabcdefabcdef0123';
let fake: FakeServerBase;
let state: StateDir;
let runtime: ModelRuntime;
let v1: Awaited<ReturnType<typeof startV1Server>>;
let base: string;

before(async () => {
  fake = await startFakeOpenAi({ models: ['main-model', 'busy', 'strict'] });
  state = makeStateDir({
    gateway: { mode: 'local', auth: { mode: 'token', token: TOKEN, rateLimit: { maxAttempts: 3, exemptLoopback: false } } },
    models: { providers: { local: { baseUrl: fake.baseUrl, models: [{ id: 'main-model' }, { id: 'busy' }, { id: 'strict', compat: { requiresStringContent: true } }] } } },
    agents: { defaults: { model: { primary: 'local/main-model', fallbacks: ['local/main-model'] } }, list: [{ id: 'main', default: true }, { id: 'ops', model: { primary: 'local/busy', fallbacks: ['local/main-model'] } }] },
  });
  const devicesDir = path.join(state.dir, 'devices');
  fs.mkdirSync(devicesDir, { recursive: true, mode: 0o700 });
  const device = (id: string, scopes: string[], token: string) => ({
    deviceId: id, publicKey: 'x', roles: ['operator'], scopes, createdAtMs: 1, approvedAtMs: 1,
    tokens: { operator: { token, role: 'operator', scopes, createdAtMs: 1 } },
  });
  fs.writeFileSync(path.join(devicesDir, 'paired.json'), JSON.stringify({ d1: device('d1', ['operator.write'], DEVICE_TOKEN), d2: device('d2', ['operator.read'], 'read-only-device-token-0123456789') }), { mode: 0o600 });
  v1 = await startV1Server(state);
  ({ runtime, base } = v1);
});
after(async () => {
  await v1.close();
  await fake.close();
  state.cleanup();
});

const client = (apiKey = TOKEN) => new OpenAI({ apiKey, baseURL: `${base}/v1`, maxRetries: 0 });
const post = (p: string, body: unknown, token = TOKEN, headers: Record<string, string> = {}) =>
  fetch(`${base}${p}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('auth', () => {
  it('401 in OpenAI shape without a valid bearer; non-/v1 paths are not handled', async () => {
    const res = await fetch(`${base}/v1/models`);
    assert.equal(res.status, 401);
    const body = (await res.json()) as any;
    assert.equal(body.error.message, 'Unauthorized');
    assert.equal(body.error.type, 'unauthorized');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal((await fetch(`${base}/other`)).status, 404);
  });

  it('accepts a paired device token; a read-only one gets 403 on completions', async () => {
    const ok = await client(DEVICE_TOKEN).chat.completions.create({ model: 'local/main-model', messages: [{ role: 'user', content: 'dev' }] });
    assert.equal(ok.choices[0].message.content, 'echo: dev');
    const res = await post('/v1/chat/completions', { model: 'local/main-model', messages: [{ role: 'user', content: 'x' }] }, 'read-only-device-token-0123456789');
    assert.equal(res.status, 403);
    assert.match(((await res.json()) as any).error.message, /missing scope: operator\.write/);
  });

  it('a revoked device token stops working at once (the token index follows paired.json)', async () => {
    const pairedPath = path.join(state.dir, 'devices', 'paired.json');
    const original = fs.readFileSync(pairedPath, 'utf8');
    const models = (token: string) => fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await models(DEVICE_TOKEN)).status, 200);
    const paired = JSON.parse(original);
    paired.d1.tokens.operator.revokedAtMs = Date.now();
    fs.writeFileSync(pairedPath, JSON.stringify(paired), { mode: 0o600 });
    try {
      assert.equal((await models(DEVICE_TOKEN)).status, 401);
    } finally {
      fs.writeFileSync(pairedPath, original, { mode: 0o600 });
    }
    assert.equal((await models(DEVICE_TOKEN)).status, 200);
  });
});

describe('chat completions', () => {
  it('GET /v1/models lists agent targets and configured models', async () => {
    const ids = (await client().models.list()).data.map((m) => m.id);
    for (const id of ['openclaw', 'openclaw/main', 'openclaw/ops', 'local/main-model']) assert.ok(ids.includes(id), id);
  });

  it('streams SSE chunks the OpenAI SDK understands, ending with [DONE]', async () => {
    const stream = await client().chat.completions.create({ model: 'local/main-model', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'one two three four' }] });
    const pieces: string[] = [];
    let finish: string | null = null;
    let usage: unknown;
    let first: unknown;
    for await (const chunk of stream) {
      first ??= chunk.choices[0]?.delta;
      if (chunk.choices[0]?.delta?.content) pieces.push(chunk.choices[0].delta.content);
      if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    // the upstream's own opening chunk, forwarded (same-API passthrough)
    assert.equal((first as { role?: string }).role, 'assistant');
    assert.equal((first as { content?: string }).content, '');
    assert.equal(pieces.join(''), 'echo: one two three four');
    assert.ok(pieces.length >= 4);
    assert.equal(finish, 'stop');
    assert.ok((usage as { total_tokens: number }).total_tokens > 0);
  });

  it('frames SSE exactly: data lines, blank-line separated, [DONE] last', async () => {
    const res = await post('/v1/chat/completions', { model: 'local/main-model', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const text = await res.text();
    const events = text.split('\n\n').filter(Boolean);
    assert.ok(events.every((e) => e.startsWith('data: ')));
    assert.equal(events.at(-1), 'data: [DONE]');
    assert.equal(JSON.parse(events[0].slice(6)).object, 'chat.completion.chunk');
  });

  it('openclaw/<agent> runs a full agent turn with a transcript (session from x-openclaw-session-key)', async () => {
    const r = await client().chat.completions.create(
      { model: 'openclaw/main', messages: [{ role: 'system', content: 'be terse' }, { role: 'user', content: 'remember me' }] },
      { headers: { 'x-openclaw-session-key': 'v1-session' } },
    );
    assert.equal(r.choices[0].message.content, 'echo: remember me');
    const entries = runtime.sessions.history('main', 'v1-session');
    assert.deepEqual(entries.map((e) => [e.message.role, e.message.content]), [['user', 'remember me'], ['assistant', 'echo: remember me']]);
    const bad = await post('/v1/chat/completions', { model: 'openclaw', messages: [{ role: 'user', content: 'x' }] }, TOKEN, { 'x-openclaw-session-key': 'cron:job' });
    assert.equal(bad.status, 400);
  });

  it('a provider model falls back on 429 (agent fallbacks) and flattens content for requiresStringContent', async () => {
    fake.behave('busy', 'rate_limit');
    const r = await client().chat.completions.create({ model: 'openclaw/ops', messages: [{ role: 'user', content: 'fall' }] });
    assert.equal(r.choices[0].message.content, 'echo: fall');
    fake.behave('strict', 'reject_array_content');
    const before = fake.requests.length;
    const s = await client().chat.completions.create({ model: 'local/strict', messages: [{ role: 'user', content: [{ type: 'text', text: 'flat' }] }] });
    assert.equal(s.choices[0].message.content, 'echo: flat');
    assert.equal(fake.requests[before].body.messages[0].content, 'flat');
  });

  it('upstream errors come back in OpenAI shape with status, cause and fix', async () => {
    fake.behave('busy', 'rate_limit');
    const res = await post('/v1/chat/completions', { model: 'local/busy', messages: [{ role: 'user', content: 'x' }] });
    // local/busy falls back to the default agent's fallback (local/main-model)
    assert.equal(res.status, 200);
    fake.behave('main-model', 'server_error');
    try {
      const failed = await post('/v1/chat/completions', { model: 'local/main-model', messages: [{ role: 'user', content: 'x' }] });
      assert.equal(failed.status, 502);
      const body = (await failed.json()) as any;
      assert.equal(body.error.type, 'api_error');
      assert.equal(body.error.code, 'MODEL_UPSTREAM_ERROR');
      assert.match(body.error.message, /local\/main-model failed upstream: HTTP 500/);
      assert.ok(body.error.fix);
    } finally {
      fake.behave('main-model', 'ok');
    }
    const unknown = await post('/v1/chat/completions', { model: 'nope/x', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(unknown.status, 404);
    const invalidJson = await post('/v1/chat/completions', '{not json');
    assert.equal(invalidJson.status, 400);
    assert.equal(((await invalidJson.json()) as any).error.type, 'invalid_request_error');
  });

  it('a streamed request that fails before any output still gets an HTTP status', async () => {
    fake.behave('main-model', 'server_error');
    try {
      const res = await post('/v1/chat/completions', { model: 'local/main-model', stream: true, messages: [{ role: 'user', content: 'x' }] });
      assert.equal(res.status, 502);
      assert.equal(((await res.json()) as any).error.code, 'MODEL_UPSTREAM_ERROR');
    } finally {
      fake.behave('main-model', 'ok');
    }
  });

  it('sends `: keepalive` comments while the upstream is silent', async () => {
    const services = makeTestServices({ stateDir: state.dir, configPath: state.configPath });
    const handler = createOpenAiHttpHandler({ runtime, services, keepAliveMs: 20 });
    const slow = http.createServer((req, res) => void handler(req, res));
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    fake.chunkDelayMs = 150;
    try {
      const res = await fetch(`http://127.0.0.1:${(slow.address() as AddressInfo).port}/v1/chat/completions`, {
        method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'local/main-model', stream: true, messages: [{ role: 'user', content: 'a b' }] }),
      });
      const text = await res.text();
      assert.ok(text.indexOf(': keepalive\n\n') >= 0 && text.indexOf(': keepalive') < text.indexOf('"content":"echo'), text.slice(0, 300));
      assert.ok(text.endsWith('data: [DONE]\n\n'));
    } finally {
      fake.chunkDelayMs = 0;
      slow.closeAllConnections();
      await new Promise((r) => slow.close(r));
    }
  });

  it('rejects bodies over 20 MB with 413', async () => {
    const big = JSON.stringify({ model: 'local/main-model', messages: [{ role: 'user', content: 'x'.repeat(21 * 1024 * 1024) }] });
    const res = await post('/v1/chat/completions', big);
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as any).error.message, 'Payload too large');
  });

  it('a body that stalls after the headers gets 408 and the connection closes', async () => {
    const quick = await startV1Server(state, { bodyTimeoutMs: 300 });
    try {
      const { port } = new URL(quick.base);
      const sock = net.connect(Number(port), '127.0.0.1');
      let answer = '';
      sock.on('data', (d) => (answer += d));
      const closed = new Promise((r) => sock.once('close', r));
      // headers and half a body, then nothing
      sock.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${TOKEN}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"model":`);
      await closed;
      assert.match(answer, /^HTTP\/1\.1 408 /);
      assert.match(answer, /"message":"Request body timeout"/);
      assert.match(answer, /proxy_request_buffering off/);
    } finally {
      await quick.close();
    }
  });

  it('a client that disconnects mid-stream cancels the upstream request', async () => {
    fake.chunkDelayMs = 30;
    fake.reply = () => Array.from({ length: 200 }, (_, i) => `t${i}`).join(' ');
    try {
      const abortedBefore = fake.abortedResponses;
      const res = await post('/v1/chat/completions', { model: 'local/main-model', stream: true, messages: [{ role: 'user', content: 'x' }] }, TOKEN);
      const reader = res.body!.getReader();
      await reader.read();
      await reader.cancel();
      await eventually(() => fake.abortedResponses > abortedBefore);
    } finally {
      fake.chunkDelayMs = 0;
      fake.reply = (body) => `echo: ${body.messages.at(-1).content}`;
    }
  });

  it('POST /v1/embeddings returns vectors for string and array input', async () => {
    const r = await client().embeddings.create({ model: 'local/main-model', input: ['alpha', 'beta'] });
    assert.equal(r.data.length, 2);
    assert.equal(r.data[0].embedding.length, 8);
    assert.notDeepEqual(r.data[0].embedding, r.data[1].embedding);
  });

  it('POST /v1/embeddings honours the caller\'s encoding_format against a backend that only sends floats', async () => {
    fake.behave('main-model', 'float_embeddings_only');
    try {
      const close = (got: ArrayLike<number>, want: number[]) => {
        assert.equal(got.length, want.length);
        for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-6, `${got[i]} vs ${want[i]}`);
      };
      const before = fake.requests.length;
      // The official SDK asks for base64 when the caller names no format and decodes the answer itself.
      const sdk = await client().embeddings.create({ model: 'local/main-model', input: ['alpha', 'beta'] });
      close(sdk.data[0].embedding, fakeEmbed('alpha'));
      close(sdk.data[1].embedding, fakeEmbed('beta'));
      const upstream = fake.requests.slice(before).filter((r) => r.path.endsWith('/embeddings'));
      assert.ok(upstream.length > 0 && upstream.every((r) => r.body.encoding_format === 'float'), JSON.stringify(upstream.map((r) => r.body.encoding_format)));
      // No encoding_format: floats, as OpenAI's API.
      const plain = (await (await post('/v1/embeddings', { model: 'local/main-model', input: 'alpha' })).json()) as any;
      close(plain.data[0].embedding, fakeEmbed('alpha'));
      // base64: little-endian float32.
      const b64 = (await (await post('/v1/embeddings', { model: 'local/main-model', input: 'alpha', encoding_format: 'base64' })).json()) as any;
      assert.equal(typeof b64.data[0].embedding, 'string');
      const bytes = Buffer.from(b64.data[0].embedding, 'base64');
      close(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4), fakeEmbed('alpha'));
      const bad = await post('/v1/embeddings', { model: 'local/main-model', input: 'alpha', encoding_format: 'int8' });
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as any).error.message, /encoding_format/);
    } finally {
      fake.behave('main-model', 'ok');
    }
  });

  it('an embeddings answer without a vector is an upstream error, never "embedding": []', () => {
    assert.throws(() => embeddingVector([], 'local', 'm'), /failed upstream: the embeddings answer holds no vector/);
    assert.throws(() => embeddingVector(undefined, 'local', 'm'), /holds no vector/);
    assert.deepEqual(embeddingVector(Buffer.from(new Float32Array([0.5, -2]).buffer).toString('base64'), 'local', 'm'), [0.5, -2]);
  });
});

describe('failed-auth lockout (last: it locks this address out)', () => {
  it('locks out after repeated failures with 429 and Retry-After', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) last = await fetch(`${base}/v1/models`, { headers: { authorization: 'Bearer wrong' } });
    assert.equal(last!.status, 429);
    assert.ok(Number(last!.headers.get('retry-after')) > 0);
    // the lockout is per client address and also blocks the right token until it expires
    assert.equal((await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 429);
  });
});
