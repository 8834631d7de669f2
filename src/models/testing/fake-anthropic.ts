// A local server speaking the Anthropic Messages API (and its SSE events: message_start,
// content_block_start, ping, content_block_delta, content_block_stop, message_delta, message_stop).
import type http from 'node:http';
import { chunkText, countTokens, hasTools, sendJson, startFakeServer, tokenClock, type FakeContext, type FakeServerBase } from './fake-common.js';

export interface FakeAnthropicOptions {
  apiKey?: string;
  models?: string[];
}

export async function startFakeAnthropic(o: FakeAnthropicOptions = {}): Promise<FakeServerBase> {
  const models = o.models ?? ['claude-fake'];
  return startFakeServer((req, res, body, ctx) => route(req, res, body, ctx, o.apiKey, models), '');
}

const errorBody = (type: string, message: string) => ({ type: 'error', error: { type, message } });

async function route(req: http.IncomingMessage, res: http.ServerResponse, body: any, ctx: FakeContext, apiKey: string | undefined, models: string[]) {
  const url = (req.url ?? '/').split('?')[0];
  // The SDK sends API keys as x-api-key (older releases) or Authorization: Bearer (1.x).
  if (apiKey && req.headers['x-api-key'] !== apiKey && req.headers.authorization !== `Bearer ${apiKey}`) return sendJson(res, 401, errorBody('authentication_error', 'invalid x-api-key'));
  if (req.method === 'GET' && url === '/v1/models') {
    const data = models.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' }));
    return sendJson(res, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
  }
  if (req.method === 'POST' && url === '/v1/messages') return messages(req, res, body, ctx);
  sendJson(res, 404, errorBody('not_found_error', `Not found: ${url}`));
}

async function messages(req: http.IncomingMessage, res: http.ServerResponse, body: any, ctx: FakeContext) {
  const model = String(body?.model ?? '');
  const behaviour = ctx.behaviourOf(model);
  const betas = String(req.headers['anthropic-beta'] ?? '');
  if (behaviour === 'hang') return;
  if (behaviour === 'long_context' && betas.includes('context-1m')) {
    return sendJson(res, 429, errorBody('rate_limit_error', 'Extra usage is required for long context requests'));
  }
  if (behaviour === 'rate_limit') return sendJson(res, 429, errorBody('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'), { 'retry-after': '2' });
  if (behaviour === 'server_error') return sendJson(res, 500, errorBody('api_error', 'Internal server error'));
  if (behaviour === 'reject_tools' && hasTools(body)) return sendJson(res, 400, errorBody('invalid_request_error', 'tools: tool use is not supported for this model'));
  if (typeof body?.max_tokens !== 'number') return sendJson(res, 400, errorBody('invalid_request_error', 'max_tokens: Field required'));
  const text = ctx.state.reply(body);
  const id = `msg_${Math.random().toString(36).slice(2, 14)}`;
  const inputTokens = countTokens(JSON.stringify(body?.messages ?? []) + (body?.system ?? ''));
  const outputTokens = countTokens(text);
  if (!body?.stream) {
    return sendJson(res, 200, {
      id, type: 'message', role: 'assistant', model, content: [{ type: 'text', text }],
      stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: inputTokens, output_tokens: outputTokens },
    });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const event = (type: string, data: unknown) => res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  event('message_start', { type: 'message_start', message: { id, type: 'message', role: 'assistant', content: [], model, stop_reason: null, stop_sequence: null, usage: { input_tokens: inputTokens, output_tokens: 1 } } });
  event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
  event('ping', { type: 'ping' });
  let first = true;
  const nextToken = tokenClock(ctx.state.chunkDelayMs);
  for (const piece of chunkText(text)) {
    if (ctx.state.chunkDelayMs) await nextToken();
    if (res.destroyed) return;
    event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } });
    if (first && behaviour === 'stall_mid_stream') return;
    first = false;
  }
  event('content_block_stop', { type: 'content_block_stop', index: 0 });
  event('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: outputTokens } });
  event('message_stop', { type: 'message_stop' });
  res.end();
}
