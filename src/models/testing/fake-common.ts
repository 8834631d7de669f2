// Shared plumbing for the local fake model servers: an http.Server on 127.0.0.1:0 that records
// requests, switches behaviour per model id, and closes hung connections on close().
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

export type FakeBehaviour =
  | 'ok'
  /** 429 with Retry-After. */
  | 'rate_limit'
  /** 500 with the provider's error body. */
  | 'server_error'
  /** Accepts the request and never answers (timeouts). */
  | 'hang'
  /** Sends the first chunk, then stalls (stream idle timeouts). */
  | 'stall_mid_stream'
  /** llama.cpp/axum-style 422 when any message content is an array of parts. */
  | 'reject_array_content'
  /** 400 when the request carries tools. */
  | 'reject_tools'
  /** Anthropic long-context rejection (429 rate_limit_error) when the 1M-context beta is asked for. */
  | 'long_context'
  /** OpenAI's context-window rejection: 400 invalid_request_error, code context_length_exceeded. */
  | 'context_length'
  /** Embeddings always as float arrays, whatever `encoding_format` asks (many local servers). */
  | 'float_embeddings_only';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

export interface FakeServerBase {
  /** Base URL as a provider's baseUrl expects it. */
  baseUrl: string;
  port: number;
  requests: RecordedRequest[];
  /** Behaviour for one model id ('*' = every model without its own). */
  behave(model: string, behaviour: FakeBehaviour): void;
  /** Delay between streamed chunks (slow streams for abort / kill tests). */
  chunkDelayMs: number;
  /** Responses whose connection closed before they were finished (client gave up / aborted). */
  abortedResponses: number;
  /** Text the model answers; default echoes the last user message. */
  reply: (body: any) => string;
  /** Called with each finished response's time from request to last byte (the proxy bench's upstream side). */
  onResponseTime?: (ms: number) => void;
  close(): Promise<void>;
}

export interface FakeContext {
  behaviourOf(model: string): FakeBehaviour;
  state: FakeServerBase;
}

export type FakeRoute = (req: http.IncomingMessage, res: http.ServerResponse, body: any, ctx: FakeContext) => void | Promise<void>;

export async function startFakeServer(route: FakeRoute, basePath: string): Promise<FakeServerBase> {
  const behaviours = new Map<string, FakeBehaviour>();
  const sockets = new Set<Socket>();
  const state: FakeServerBase = {
    baseUrl: '',
    port: 0,
    requests: [],
    chunkDelayMs: 0,
    abortedResponses: 0,
    reply: (body) => `echo: ${lastUserText(body)}`,
    behave: (model, b) => void behaviours.set(model, b),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const ctx: FakeContext = { state, behaviourOf: (m) => behaviours.get(m) ?? behaviours.get('*') ?? 'ok' };
  const server = http.createServer(async (req, res) => {
    const started = performance.now();
    res.on('finish', () => state.onResponseTime?.(performance.now() - started));
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: any = undefined;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    res.on('close', () => {
      if (!res.writableFinished) state.abortedResponses++;
    });
    state.requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body });
    try {
      await route(req, res, body, ctx);
    } catch {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    }
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.baseUrl = `http://127.0.0.1:${state.port}${basePath}`;
  return state;
}

export function lastUserText(body: any): string {
  const msgs: any[] = Array.isArray(body?.messages) ? body.messages : [];
  for (let i = msgs.length - 1; i >= 0; i--) {
    const m = msgs[i];
    if (m?.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    if (Array.isArray(m.content)) return m.content.filter((p: any) => p?.type === 'text').map((p: any) => p.text).join('\n');
  }
  return '';
}

/** Splits a reply into stream chunks the way models do: a word (with its space) at a time. */
export function chunkText(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers });
  res.end(data);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Paces a stream like a model server: token i is due at start + i × gapMs, on the server's own
 * clock. Sleeping gapMs after each write instead let every late timer push all later tokens back,
 * so on a shared box the stand-in's own event-loop lag compounded into the measured total.
 */
export function tokenClock(gapMs: number): () => Promise<void> {
  const start = performance.now();
  let due = 0;
  return () => {
    due += 1;
    if (!gapMs) return Promise.resolve();
    return sleep(Math.max(0, start + due * gapMs - performance.now()));
  };
}

export function anyArrayContent(body: any): boolean {
  return Array.isArray(body?.messages) && body.messages.some((m: any) => Array.isArray(m?.content));
}

export function hasTools(body: any): boolean {
  return Array.isArray(body?.tools) && body.tools.length > 0;
}

/** Rough token count for usage fields. */
export function countTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
