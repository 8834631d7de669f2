// A local server speaking OpenAI's chat-completions, embeddings and models wire formats, SSE
// framed like api.openai.com (role chunk, content chunks, finish chunk, usage chunk, [DONE]).
import type http from 'node:http';
import {
  anyArrayContent, chunkText, countTokens, hasTools, sendJson, startFakeServer, tokenClock,
  type FakeContext, type FakeServerBase,
} from './fake-common.js';

export type { FakeBehaviour, FakeServerBase } from './fake-common.js';

export interface FakeOpenAiOptions {
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  models?: string[];
  /** Also answer Ollama's own model list, `GET /api/tags`, as Ollama does next to its `/v1` API. */
  ollama?: boolean;
}

export async function startFakeOpenAi(o: FakeOpenAiOptions = {}): Promise<FakeServerBase> {
  const models = o.models ?? ['fake-model'];
  return startFakeServer((req, res, body, ctx) => {
    if (o.ollama && req.method === 'GET' && req.url === '/api/tags') return sendJson(res, 200, ollamaTags(models));
    return route(req, res, body, ctx, o.apiKey, models);
  }, '/v1');
}

/** Ollama's `/api/tags` answer (its shape as of Ollama 0.5). */
function ollamaTags(models: string[]) {
  return {
    models: models.map((name) => ({
      name, model: name, modified_at: '2026-11-01T10:00:00.000000000Z', size: 2_019_393_189, digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
      details: { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
    })),
  };
}

async function route(req: http.IncomingMessage, res: http.ServerResponse, body: any, ctx: FakeContext, apiKey: string | undefined, models: string[]): Promise<void> {
  const url = (req.url ?? '/').split('?')[0];
  if (apiKey && req.headers.authorization !== `Bearer ${apiKey}`) {
    return sendJson(res, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
  }
  if (req.method === 'GET' && url === '/v1/models') {
    return sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'fake' })) });
  }
  if (req.method === 'POST' && url === '/v1/embeddings') return embeddings(res, body, ctx.behaviourOf(String(body?.model ?? '')));
  if (req.method === 'POST' && url === '/v1/chat/completions') return chat(res, body, ctx);
  sendJson(res, 404, { error: { message: `Unknown request URL: ${req.method} ${url}`, type: 'invalid_request_error', param: null, code: 'unknown_url' } });
}

async function chat(res: http.ServerResponse, body: any, ctx: FakeContext): Promise<void> {
  const model = String(body?.model ?? '');
  const behaviour = ctx.behaviourOf(model);
  if (behaviour === 'hang') return; // never answer
  if (behaviour === 'rate_limit') {
    return sendJson(res, 429, { error: { message: `Rate limit reached for ${model} on requests per min (RPM): Limit 3, Used 3, Requested 1.`, type: 'requests', param: null, code: 'rate_limit_exceeded' } }, { 'retry-after': '1' });
  }
  if (behaviour === 'server_error') {
    return sendJson(res, 500, { error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null } });
  }
  if (behaviour === 'context_length') {
    // Exactly what api.openai.com answers when the messages do not fit the context window.
    return sendJson(res, 400, { error: { message: "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens. Please reduce the length of the messages.", type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } });
  }
  if (behaviour === 'reject_array_content' && anyArrayContent(body)) {
    const index = body.messages.findIndex((m: any) => Array.isArray(m?.content));
    const text = `Failed to deserialize the JSON body into the target type: messages[${index}].content: invalid type: sequence, expected a string at line 1 column 42`;
    res.writeHead(422, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  if (behaviour === 'reject_tools' && hasTools(body)) {
    return sendJson(res, 400, { error: { message: `${model} does not support tools`, type: 'invalid_request_error', param: 'tools', code: null } });
  }
  const text = ctx.state.reply(body);
  const id = `chatcmpl-${Math.random().toString(36).slice(2, 14)}`;
  const created = Math.floor(Date.now() / 1000);
  const promptTokens = countTokens(JSON.stringify(body?.messages ?? []));
  const usage = { prompt_tokens: promptTokens, completion_tokens: countTokens(text), total_tokens: promptTokens + countTokens(text) };
  if (!body?.stream) {
    return sendJson(res, 200, {
      id, object: 'chat.completion', created, model, system_fingerprint: null,
      choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage,
    });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: null, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
  res.write(chunk({ role: 'assistant', content: '', refusal: null }, null));
  let first = true;
  const nextToken = tokenClock(ctx.state.chunkDelayMs);
  for (const piece of chunkText(text)) {
    if (ctx.state.chunkDelayMs) await nextToken();
    if (res.destroyed) return;
    res.write(chunk({ content: piece }, null));
    if (first && behaviour === 'stall_mid_stream') return; // keep the socket open, send nothing more
    first = false;
  }
  res.write(chunk({}, 'stop'));
  if (body?.stream_options?.include_usage) {
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: null, choices: [], usage })}\n\n`);
  }
  res.end('data: [DONE]\n\n');
}

function embeddings(res: http.ServerResponse, body: any, behaviour: string) {
  const inputs: string[] = Array.isArray(body?.input) ? body.input.map(String) : [String(body?.input ?? '')];
  const base64 = body?.encoding_format === 'base64' && behaviour !== 'float_embeddings_only';
  const data = inputs.map((text, index) => {
    const vec = embed(text);
    return { object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(vec).buffer).toString('base64') : vec };
  });
  const tokens = inputs.reduce((n, t) => n + countTokens(t), 0);
  sendJson(res, 200, { object: 'list', data, model: body?.model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

/** A deterministic 8-dimensional unit vector per text (so tests can compare). */
export function embed(text: string): number[] {
  const v = new Array<number>(8).fill(0);
  for (let i = 0; i < text.length; i++) v[i % 8] += text.charCodeAt(i);
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => Math.fround(x / norm));
}
