// Same-API passthrough: the pure SSE forwarder (event boundaries, model rewrite, hold-back until
// output, error events, [DONE]) and /v1 against a scripted upstream that writes SSE bytes exactly
// as given (split mid-character, error events before and after output).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { freePort, makeStateDir, type StateDir } from '../testing/harness.js';
import { SsePassthrough } from './passthrough.js';
import type { ModelRuntime } from './runtime.js';
import { startV1Server } from './testing/services.js';

const enc = (s: string) => Buffer.from(s, 'utf8');
const chunk = (model: string, delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const utf8 = (latin1: string) => Buffer.from(latin1, 'latin1').toString('utf8');

describe('SsePassthrough', () => {
  it('holds the role chunk until output, then forwards whole events with the client model', () => {
    const p = new SsePassthrough('local/bench');
    assert.equal(p.push(enc(chunk('bench', { role: 'assistant', content: '' }))).out, '');
    assert.equal(p.committed, false);
    const out = p.push(enc(chunk('bench', { content: 'hi' }))).out;
    assert.equal(p.committed, true);
    const events = utf8(out).split('\n\n').filter(Boolean).map((e) => JSON.parse(e.slice(6)));
    assert.deepEqual(events.map((e) => [e.model, e.choices[0].delta]), [['local/bench', { role: 'assistant', content: '' }], ['local/bench', { content: 'hi' }]]);
  });

  it('keeps multi-byte characters and events split across reads intact', () => {
    const p = new SsePassthrough('prov/модель');
    const bytes = enc(chunk('m', { content: 'héllo wörld 👋' }) + 'data: [DONE]\n\n');
    let out = '';
    for (let i = 0; i < bytes.length; i += 7) out += p.push(bytes.subarray(i, i + 7)).out;
    out += p.end();
    const [first, done] = utf8(out).split('\n\n').filter(Boolean);
    assert.deepEqual(JSON.parse(first.slice(6)).choices[0].delta, { content: 'héllo wörld 👋' });
    assert.equal(JSON.parse(first.slice(6)).model, 'prov/модель');
    assert.equal(done, 'data: [DONE]');
  });

  it('a model name inside content is not rewritten (quotes in strings are escaped)', () => {
    const p = new SsePassthrough('x/y');
    const out = utf8(p.push(enc(chunk('up', { content: '"model":"up"' }))).out);
    assert.equal(JSON.parse(out.slice(6, out.indexOf('\n'))).choices[0].delta.content, '"model":"up"');
  });

  it('reports an error event with the events before it; end() adds a missing [DONE]', () => {
    const p = new SsePassthrough('a/b');
    const step = p.push(enc(chunk('b', { content: 'x' }) + 'data: {"error":{"message":"boom","type":"server_error"}}\n\n'));
    assert.deepEqual(step.error, { message: 'boom', type: 'server_error' });
    assert.match(utf8(step.out), /"content":"x"/);
    assert.doesNotMatch(step.out, /boom/);
    const q = new SsePassthrough('a/b');
    q.push(enc(chunk('b', { content: 'y' }) + 'data: {"id"'));
    assert.equal(q.end().endsWith('data: {"id"\n\ndata: [DONE]\n\n'), true);
  });

  it('CRLF-framed upstreams are forwarded at CRLF event boundaries', () => {
    const p = new SsePassthrough('a/b');
    const out = p.push(enc(chunk('b', { content: 'z' }).replace('\n\n', '\r\n\r\n') + 'data: [DO')).out;
    assert.ok(out.endsWith('\r\n\r\n'));
    assert.equal(p.end().endsWith('data: [DO\n\ndata: [DONE]\n\n'), true);
  });
});

// ---- /v1 against a scripted upstream ----------------------------------------------------------

const TOKEN = 'passthrough-test-token-0123456789abcd';
let upstream: http.Server;
let state: StateDir;
let runtime: ModelRuntime;
let v1: Awaited<ReturnType<typeof startV1Server>>;
let base: string;
const seen: any[] = [];
/** The upstream-side port of the connection each request came in on (keep-alive reuse). */
const sockets: Array<number | undefined> = [];
/** Settles when the lingering response closes: with whether it was ended (false: cut off). */
let lingering: Promise<boolean> | undefined;

/** Writes each script entry as its own socket write, a few ms apart, exactly as given. */
function script(model: string, includeUsage: boolean): Array<string | Buffer> {
  const role = chunk(model, { role: 'assistant', content: '' });
  const word = enc(chunk(model, { content: 'grüße ' }));
  if (model === 'error-early') return [role, 'data: {"error":{"message":"overloaded, retry later","type":"server_error","code":null}}\n\n'];
  if (model === 'error-late') return [role, chunk(model, { content: 'half ' }), 'data: {"error":{"message":"backend crashed","type":"server_error","code":null}}\n\n'];
  const usage = `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model, choices: [], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } })}\n\n`;
  return [role, word.subarray(0, word.indexOf(0xc3) + 1), word.subarray(word.indexOf(0xc3) + 1), chunk(model, {}, 'stop'), ...(includeUsage ? [usage] : []), 'data: [DONE]\n\n'];
}

before(async () => {
  upstream = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      const parsed = JSON.parse(body);
      seen.push(parsed);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      sockets.push(req.socket.remotePort);
      if (parsed.model === 'done-then-linger') {
        // [DONE], then the body stays open past the 1 s idle timeout without a byte
        res.write(chunk(parsed.model, { content: 'all ' }) + 'data: [DONE]\n\n');
        lingering = new Promise((r) => res.once('close', () => r(res.writableEnded)));
        return;
      }
      if (parsed.model === 'stall-late' || parsed.model === 'hangup-late') {
        res.write(chunk(parsed.model, { content: 'half ' }));
        // stall: say nothing more (the provider's idle timeout must cut it); hangup: drop the connection
        if (parsed.model === 'hangup-late') setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      for (const piece of script(parsed.model, parsed.stream_options?.include_usage === true)) {
        res.write(piece);
        await new Promise((r) => setTimeout(r, 5));
      }
      res.end();
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  state = makeStateDir({
    gateway: { mode: 'local', auth: { mode: 'token', token: TOKEN } },
    models: { providers: { down: { baseUrl: `http://127.0.0.1:${await freePort()}/v1`, models: [{ id: 'x' }] }, script: { baseUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`, models: [{ id: 'good' }, { id: 'error-early' }, { id: 'error-late' }, { id: 'stall-late' }, { id: 'hangup-late' }, { id: 'done-then-linger' }] } } },
    // 3 s: the idle watchdog's cut-off for the stalling upstream below (not 1: on a loaded machine a
    // healthy upstream's gap between chunks can come near a second)
    agents: { defaults: { model: { primary: 'script/good', fallbacks: ['script/good'] }, timeoutSeconds: 3 } },
  });
  v1 = await startV1Server(state);
  ({ runtime, base } = v1);
});
after(async () => {
  await v1.close();
  upstream.closeAllConnections();
  await new Promise((r) => upstream.close(r));
  state.cleanup();
});

const client = () => new OpenAI({ apiKey: TOKEN, baseURL: `${base}/v1`, maxRetries: 0 });

async function collect(model: string, includeUsage: boolean) {
  const stream = await client().chat.completions.create({ model, stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}), messages: [{ role: 'user', content: 'q' }] });
  const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
  for await (const c of stream) chunks.push(c);
  return chunks;
}

describe('/v1 passthrough', () => {
  it('forwards the upstream chunks with the client model; usage only when asked for', async () => {
    const plain = await collect('script/good', false);
    assert.equal(seen.at(-1).stream_options, undefined, 'upstream not asked for usage');
    assert.ok(plain.every((c) => c.model === 'script/good'));
    assert.equal(plain.map((c) => c.choices[0]?.delta?.content ?? '').join(''), 'grüße ');
    assert.equal(plain.at(-1)!.choices[0].finish_reason, 'stop');
    const withUsage = await collect('script/good', true);
    assert.deepEqual(seen.at(-1).stream_options, { include_usage: true });
    assert.equal(withUsage.at(-1)!.usage!.total_tokens, 4);
  });

  it('an upstream that refuses connections falls over to the next model', async () => {
    const before = seen.length;
    const chunks = await collect('down/x', false);
    assert.deepEqual(seen.slice(before).map((b) => b.model), ['good']);
    assert.ok(chunks.every((c) => c.model === 'down/x'), 'chunks carry the model the client asked for');
    assert.equal(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), 'grüße ');
  });

  it('an error event before any output falls over to the next model', async () => {
    const chunks = await collect('script/error-early', false);
    assert.deepEqual(seen.slice(-2).map((b) => b.model), ['error-early', 'good']);
    assert.equal(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), 'grüße ');
  });

  it('an error event after output ends the stream with an OpenAI-shaped error chunk and [DONE]', async () => {
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'script/error-late', stream: true, messages: [{ role: 'user', content: 'q' }] }),
    });
    assert.equal(res.status, 200);
    const events = (await res.text()).split('\n\n').filter(Boolean);
    assert.match(events[1], /"content":"half "/);
    const error = JSON.parse(events.at(-2)!.slice(6)).error;
    assert.match(error.message, /script\/error-late.*backend crashed/);
    assert.ok(error.fix);
    assert.equal(events.at(-1), 'data: [DONE]');
    assert.equal(seen.at(-1).model, 'error-late', 'no fallback once output was sent');
  });

  it('[DONE] ends the client response at once; the upstream connection goes back to the pool', async () => {
    await collect('script/good', false);
    const first = sockets.at(-1);
    // This upstream ends its body 5 ms after [DONE]: the gateway reads it to the end, then reuses the socket.
    await new Promise((r) => setTimeout(r, 100));
    await collect('script/good', false);
    assert.equal(sockets.at(-1), first, 'the second request reused the first one\'s upstream connection');
  });

  it('an upstream that lingers after [DONE]: the client gets its whole answer now; the watchdog still cuts the upstream', async () => {
    const started = Date.now();
    const chunks = await collect('script/done-then-linger', false);
    assert.equal(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), 'all ');
    assert.ok(Date.now() - started < 900, `the answer ended with [DONE], not with the upstream (${Date.now() - started} ms)`);
    assert.equal(await lingering, false, 'the idle watchdog closed the silent upstream response');
  });

  for (const [model, why] of [['stall-late', /no data for 3s/], ['hangup-late', /script\/hangup-late/]] as const) {
    it(`an upstream that ${model === 'stall-late' ? 'goes silent' : 'hangs up'} after output ends the stream with an error chunk and [DONE]`, async () => {
      const res = await fetch(`${base}/v1/chat/completions`, {
        method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: `script/${model}`, stream: true, messages: [{ role: 'user', content: 'q' }] }),
      });
      assert.equal(res.status, 200);
      const events = (await res.text()).split('\n\n').filter(Boolean);
      assert.match(events[0], /"content":"half "/);
      assert.match(JSON.parse(events.at(-2)!.slice(6)).error.message, why);
      assert.equal(events.at(-1), 'data: [DONE]');
      assert.equal(seen.at(-1).model, model, 'no fallback once output was sent');
    });
  }
});
