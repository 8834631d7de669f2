// The OpenAI-compatible HTTP API on the gateway port (reference §9.3): GET /v1/models,
// POST /v1/chat/completions (JSON or SSE) and POST /v1/embeddings. `model` picks either an agent
// (`openclaw`, `openclaw/<agentId>`: a full turn with a transcript) or a backend model
// (`<provider>/<model>`: straight to the provider with compat and fallbacks).
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthLimiters } from '../gateway/control-plane/auth-limiters.js';
import type { HttpHandler } from '../gateway/extensions.js';
import { BodyBudget, BUSY_RETRY_AFTER_S } from '../gateway/transport/guards.js';
import type { GatewayServices } from '../gateway/methods/types.js';
import { rejectionError, Rejections, type ErrorShape, type RejectionContext } from '../protocol/errors.js';
import { scopeSatisfies } from '../protocol/scopes.js';
import { isDiskFull } from '../infra/disk-full.js';
import { prepareTurn, runAgentTurn } from './agent-turn.js';
import { flattenContent } from './compat.js';
import { AllModelsFailedError, classifyProviderError, ModelError, RouteError, toErrorShape } from './errors.js';
import { createHttpAuthenticator } from './http-auth.js';
import { forwardSse } from './passthrough.js';
import { isOpenAiProviderClient, upstreamStreamError } from './providers/openai.js';
import { errorContext, findAgent, listAgents, listConfiguredModels, resolveCandidate, resolveCandidates, runWithFallback, type TurnCallbacks, type TurnResult } from './router.js';
import type { ModelRuntime } from './runtime.js';
import type { TranscriptMessage } from '../sessions/transcript.js';
import type { ChatMessage, ChatRequest, StreamEvent, ToolDef } from './types.js';

export const MAX_BODY_BYTES = 20 * 1024 * 1024;
export const MAX_IMAGE_PARTS = 8;
export const SSE_KEEPALIVE_MS = 15_000;
/** How long a client may take to send a request body after its headers. */
export const BODY_TIMEOUT_MS = 30_000;
const RESERVED_SESSION_PREFIXES = ['subagent:', 'cron:', 'acp:'];

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'camera=(), geolocation=()',
};

export interface OpenAiHttpOptions {
  runtime: ModelRuntime;
  services: GatewayServices;
  /** The gateway's failed-auth limiters (one budget per client across WS and /v1); private ones otherwise. */
  limiters?: AuthLimiters;
  keepAliveMs?: number;
  /** Default BODY_TIMEOUT_MS. */
  bodyTimeoutMs?: number;
  /** Bytes of request bodies buffered at once (default: env OPENCLAW_MAX_INFLIGHT_BODY_BYTES or 32 MB). */
  bodyBudget?: BodyBudget;
}

/** An error answered in OpenAI's shape `{error:{message,type,code}}` plus our `cause` and `fix`. */
class HttpError extends Error {
  constructor(readonly status: number, readonly type: string, readonly shape: Pick<ErrorShape, 'message' | 'details'>, readonly headers: Record<string, string> = {}) {
    super(shape.message);
  }
}

/** The /v1 handler, plus what shutdown calls to end its open SSE streams cleanly. */
export type OpenAiHttpHandler = HttpHandler & {
  /** Ends every open SSE stream with an error chunk and `data: [DONE]` (SIGTERM, restart). */
  endStreams(reason: 'shutdown' | 'restart'): void;
};

export function createOpenAiHttpHandler(o: OpenAiHttpOptions): OpenAiHttpHandler {
  const auth = createHttpAuthenticator({ stateDir: o.services.stateDir, settings: () => o.services.settings(), limiters: o.limiters });
  const keepAliveMs = o.keepAliveMs ?? SSE_KEEPALIVE_MS;
  const budget = o.bodyBudget ?? BodyBudget.fromEnv(process.env);
  const readBody = (req: IncomingMessage, res: ServerResponse) => readJsonBody(req, res, budget, o.bodyTimeoutMs);
  const streams = new Set<SseWriter>();
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url !== '/v1' && !url.startsWith('/v1/')) return false;
    let enabled: boolean;
    try {
      enabled = o.services.settings().http.chatCompletionsEnabled;
    } catch (err) {
      sendError(res, err); // an answer, never a hung request
      return true;
    }
    if (!enabled) return false;
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    try {
      const who = auth.authenticate(req);
      if (!who.ok) {
        if (who.status === 429) {
          throw new HttpError(429, 'rate_limited', { message: Rejections.AUTH_RATE_LIMITED.message(), details: { fix: Rejections.AUTH_RATE_LIMITED.fix({ retryAfterMs: who.retryAfterMs }) } }, { 'retry-after': String(Math.ceil(who.retryAfterMs / 1000)) });
        }
        if (who.status === 403) {
          // Upstream's error type, so OpenAI clients and scripts can tell it apart.
          throw new HttpError(403, 'proxy_attribution_required', { message: Rejections.PROXY_ATTRIBUTION_REQUIRED.message(), details: { code: 'proxy_attribution_required', fix: Rejections.PROXY_ATTRIBUTION_REQUIRED.fix() } });
        }
        if (who.delayMs) await holdAnswer(req, who.delayMs);
        if (who.trustedProxy) {
          const ctx = { detail: who.trustedProxy };
          throw new HttpError(401, 'unauthorized', { message: Rejections.AUTH_TRUSTED_PROXY.message(ctx), details: { fix: Rejections.AUTH_TRUSTED_PROXY.fix(ctx) } });
        }
        throw new HttpError(401, 'unauthorized', { message: Rejections.HTTP_UNAUTHORIZED.message(), details: { fix: Rejections.HTTP_UNAUTHORIZED.fix() } });
      }
      await route(o, req, res, url, who.scopes, { keepAliveMs, streams }, readBody);
    } catch (err) {
      // A full state disk (the transcript write of an agent turn): the catalogued error, not a raw ENOSPC.
      sendError(res, isDiskFull(err) ? new HttpError(503, 'api_error', rejectionError('STATE_DISK_FULL', { stateDir: o.services.stateDir, detail: 'the turn' })) : err);
    }
    return true;
  };
  return Object.assign(handler, {
    endStreams(reason: 'shutdown' | 'restart') {
      const id = reason === 'shutdown' ? 'GOING_AWAY' : 'SERVICE_RESTART';
      const r = Rejections[id];
      const error = new HttpError(503, 'server_error', { message: `the gateway is ${reason === 'shutdown' ? 'shutting down' : 'restarting'}; this stream was ended`, details: { code: r.detailCode, fix: r.fix() } });
      for (const sse of [...streams]) sse.fail(error);
    },
  });
}

interface StreamOptions {
  keepAliveMs: number;
  /** The handler's open SSE streams (ended cleanly on shutdown). */
  streams: Set<SseWriter>;
}

async function route(o: OpenAiHttpOptions, req: IncomingMessage, res: ServerResponse, url: string, scopes: readonly string[], stream: StreamOptions, readBody: (req: IncomingMessage, res: ServerResponse) => Promise<any>): Promise<void> {
  const allow = (methods: string) => {
    if (!methods.split(', ').includes(req.method ?? '')) throw httpError(405, 'HTTP_METHOD_NOT_ALLOWED', {}, { allow: methods });
  };
  const need = (scope: string) => {
    if (!scopeSatisfies(scopes, scope)) throw new HttpError(403, 'forbidden', { message: Rejections.MISSING_SCOPE.message({ scope }), details: { fix: Rejections.MISSING_SCOPE.fix({ scope }) } });
  };
  if (url === '/v1/models') {
    allow('GET, HEAD');
    need('operator.read');
    return sendJson(res, 200, { object: 'list', data: modelTargets(o.runtime).map(modelObject) });
  }
  if (url.startsWith('/v1/models/')) {
    allow('GET, HEAD');
    need('operator.read');
    const id = decodePathPart(url.slice('/v1/models/'.length));
    if (!modelTargets(o.runtime).includes(id)) throw httpError(404, 'HTTP_NOT_FOUND', { model: id });
    return sendJson(res, 200, modelObject(id));
  }
  if (url === '/v1/chat/completions') {
    allow('POST');
    need('operator.write');
    return chatCompletions(o.runtime, req, res, await readBody(req, res), stream);
  }
  if (url === '/v1/embeddings') {
    allow('POST');
    need('operator.write');
    return embeddings(o.runtime, res, await readBody(req, res));
  }
  throw httpError(404, 'HTTP_NOT_FOUND', { detail: `${req.method} ${url}` });
}

/** A percent-encoded path segment; a malformed one is the client's error (400), not ours. */
function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw httpError(400, 'HTTP_BAD_URL', {});
  }
}

/** Waits `ms` before a failure is answered, or less when the client hangs up. */
function holdAnswer(req: IncomingMessage, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      req.socket.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    req.socket.once('close', done);
  });
}

/** `openclaw`, `openclaw/<agentId>` for every agent, and every configured `<provider>/<model>`. */
function modelTargets(rt: ModelRuntime): string[] {
  const cfg = rt.config();
  return ['openclaw', 'openclaw/default', ...listAgents(cfg).map((a) => `openclaw/${a.id}`), ...listConfiguredModels(cfg).map((m) => m.id)];
}

function modelObject(id: string) {
  return { id, object: 'model', created: 0, owned_by: 'openclaw' };
}

type Target = { kind: 'agent'; agentId?: string } | { kind: 'model'; ref: string };

/** Reads the `model` field (reference §9.3 spellings). */
export function parseTarget(model: string): Target {
  if (model === 'openclaw' || model === 'openclaw/default') return { kind: 'agent' };
  const m = /^(?:openclaw[/:]|agent:)(.+)$/.exec(model);
  if (m) return { kind: 'agent', agentId: m[1] };
  return { kind: 'model', ref: model };
}

async function chatCompletions(rt: ModelRuntime, req: IncomingMessage, res: ServerResponse, body: any, so: StreamOptions): Promise<void> {
  const request = toChatRequest(body);
  const modelName = typeof body.model === 'string' && body.model ? body.model : 'openclaw';
  const target = parseTarget(modelName);
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const stream = body.stream === true;
  const sse = stream ? new SseWriter(res, modelName, body.stream_options?.include_usage === true, so.keepAliveMs) : undefined;
  if (sse) {
    so.streams.add(sse);
    res.once('close', () => so.streams.delete(sse));
    // Ended by shutdown: the turn behind it stops too.
    sse.onEnded = () => controller.abort();
  }
  const callbacks: TurnCallbacks = sse ? { onDelta: (t) => sse.delta({ content: t }), onToolCall: (ev) => sse.delta({ tool_calls: [toolCallDelta(ev)] }) } : {};
  try {
    let result: TurnResult;
    if (target.kind === 'agent') {
      const agentId = header(req, 'x-openclaw-agent-id') ?? target.agentId;
      const prepared = prepareTurn(rt, { agentId, model: header(req, 'x-openclaw-model') });
      const sessionKey = resolveSessionKey(req, body, prepared.agent.id);
      const lastUser = findLastIndex(request.messages, (m) => m.role === 'user');
      if (lastUser < 0) throw invalid('messages must contain a user message');
      const system = request.messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => flattenContent(m.content)).join('\n\n');
      const prior = request.messages.slice(0, lastUser).filter((m) => m.role !== 'system' && m.role !== 'developer');
      result = await runAgentTurn(rt, {
        prepared, sessionKey, runId: crypto.randomUUID(), message: (request.messages[lastUser].content ?? '') as TranscriptMessage['content'], system: system || undefined,
        priorMessages: prior, signal: controller.signal, ...callbacks,
      });
    } else {
      const cfg = rt.config();
      const candidates = resolveCandidates(cfg, { agent: findAgent(cfg, undefined), model: target.ref });
      result = await runWithFallback({ candidates, request, providers: rt.providers, signal: controller.signal, log: rt.log, ...callbacks, forward: sse && ((c, client, req, onOutput) => {
        // Same API on both sides: the upstream's chunks go out as they are, only `model` rewritten.
        if (!isOpenAiProviderClient(client)) return undefined;
        return client.openSse(c.ref.model, req, { signal: controller.signal, includeUsage: sse.includeUsage }).then((upstream) =>
          forwardSse({ upstream, clientModel: modelName, write: (t) => sse.raw(t), end: (t) => sse.rawEnd(t), onDrain: (resume) => res.once('drain', resume), onOutput, toError: (e) => upstreamStreamError(e) }));
      }) });
    }
    if (sse) return sse.finish(result);
    sendJson(res, 200, completionObject(modelName, result));
  } catch (err) {
    sse?.dispose();
    if (res.writableEnded) return; // ended from outside (shutdown) with its own error chunk
    if (err instanceof ModelError && err.kind === 'aborted') return void res.destroy();
    if (sse?.started) return sse.fail(err);
    throw err;
  }
}

function resolveSessionKey(req: IncomingMessage, body: any, agentId: string): string {
  const explicit = header(req, 'x-openclaw-session-key');
  if (explicit) {
    if (RESERVED_SESSION_PREFIXES.some((p) => explicit.startsWith(p))) throw invalid(`x-openclaw-session-key may not start with ${RESERVED_SESSION_PREFIXES.join(', ')}`);
    return explicit;
  }
  if (typeof body.user === 'string' && body.user) return `agent:${agentId}:openai-user:${crypto.createHash('sha256').update(body.user).digest('hex').slice(0, 16)}`;
  return `agent:${agentId}:openai:${crypto.randomUUID()}`;
}

async function embeddings(rt: ModelRuntime, res: ServerResponse, body: any): Promise<void> {
  const input: unknown = body.input;
  const inputs = typeof input === 'string' ? [input] : Array.isArray(input) && input.every((x) => typeof x === 'string') ? (input as string[]) : null;
  if (!inputs || inputs.length === 0) throw invalid('input must be a string or an array of strings');
  // The caller's encoding_format decides the answer (float by default, as OpenAI's API); upstream is
  // always asked for floats, which every OpenAI-compatible server speaks.
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') throw invalid('encoding_format must be "float" or "base64"');
  const modelName = typeof body.model === 'string' && body.model ? body.model : 'openclaw';
  const cfg = rt.config();
  const target = parseTarget(modelName);
  const candidate = target.kind === 'model'
    ? resolveCandidate(cfg, target.ref)
    : resolveCandidates(cfg, { agent: findAgent(cfg, target.agentId) })[0];
  const ctx = errorContext(candidate);
  let out: Awaited<ReturnType<ReturnType<ModelRuntime['providers']['get']>['embed']>>;
  try {
    out = await rt.providers.get(candidate.ref.provider, candidate.provider, candidate.ref.model, candidate.timeoutMs).embed(candidate.ref.model, inputs);
  } catch (err) {
    throw classifyProviderError(err, ctx);
  }
  const tokens = out.usage?.inputTokens ?? 0;
  // The official SDKs ask for base64 (little-endian float32) unless told otherwise.
  const base64 = format === 'base64';
  sendJson(res, 200, {
    object: 'list',
    data: out.embeddings.map((v, index) => ({ object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v })),
    model: modelName,
    usage: { prompt_tokens: tokens, total_tokens: out.usage?.totalTokens ?? tokens },
  });
}

/** Validates the OpenAI request body into our ChatRequest. */
export function toChatRequest(body: any): ChatRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalid('request body must be a JSON object');
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw invalid('messages must be a non-empty array');
  let images = 0;
  const messages: ChatMessage[] = body.messages.map((m: any, i: number) => {
    if (!m || typeof m !== 'object' || typeof m.role !== 'string') throw invalid(`messages[${i}].role is required`);
    if (!['system', 'developer', 'user', 'assistant', 'tool'].includes(m.role)) throw invalid(`messages[${i}].role '${m.role}' is not supported`);
    const content = m.content ?? null;
    if (content !== null && typeof content !== 'string' && !Array.isArray(content)) throw invalid(`messages[${i}].content must be a string or an array of content parts`);
    if (Array.isArray(content)) images += content.filter((p: any) => p?.type === 'image_url').length;
    return { role: m.role, content, ...(m.name ? { name: m.name } : {}), ...(m.tool_calls ? { tool_calls: m.tool_calls } : {}), ...(m.tool_call_id ? { tool_call_id: m.tool_call_id } : {}) };
  });
  if (images > MAX_IMAGE_PARTS) throw invalid(`at most ${MAX_IMAGE_PARTS} image_url parts are allowed`);
  const stop = body.stop;
  if (Array.isArray(stop) && stop.length > 4) throw invalid('stop may hold at most 4 sequences');
  return {
    messages,
    ...(Array.isArray(body.tools) && body.tools.length ? { tools: body.tools as ToolDef[] } : {}),
    ...(body.tool_choice !== undefined ? { toolChoice: body.tool_choice } : {}),
    ...(typeof (body.max_completion_tokens ?? body.max_tokens) === 'number' ? { maxTokens: body.max_completion_tokens ?? body.max_tokens } : {}),
    ...(typeof body.temperature === 'number' ? { temperature: body.temperature } : {}),
    ...(typeof body.top_p === 'number' ? { topP: body.top_p } : {}),
    ...(stop !== undefined && stop !== null ? { stop } : {}),
  };
}

function completionObject(model: string, r: TurnResult) {
  return {
    id: `chatcmpl-${crypto.randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{
      index: 0,
      message: { role: 'assistant', content: r.text, ...(r.toolCalls.length ? { tool_calls: r.toolCalls } : {}) },
      finish_reason: r.toolCalls.length ? 'tool_calls' : r.stopReason,
    }],
    usage: usageObject(r),
  };
}

function usageObject(r: TurnResult) {
  const u = r.usage;
  return { prompt_tokens: u?.inputTokens ?? 0, completion_tokens: u?.outputTokens ?? 0, total_tokens: u?.totalTokens ?? 0 };
}

function toolCallDelta(ev: Extract<StreamEvent, { type: 'tool_call' }>) {
  return { index: ev.index, ...(ev.id ? { id: ev.id, type: 'function' } : {}), function: { ...(ev.name ? { name: ev.name } : {}), ...(ev.argumentsDelta ? { arguments: ev.argumentsDelta } : {}) } };
}

/**
 * SSE framing of chat.completion.chunk objects. Headers go out with the first output, so a failure
 * before any still gets a real HTTP status; `: keepalive` comments hold idle proxies open. A
 * forwarded (passthrough) answer writes the upstream's own events through `raw`.
 */
class SseWriter {
  started = false;
  /** Called once when fail() ends the stream from outside the turn (shutdown). */
  onEnded?: () => void;
  private roleSent = false;
  private readonly timer: NodeJS.Timeout;
  /** Everything around `delta` is the same for every chunk of a stream: serialized once, when first needed (a passthrough never needs it). */
  private head?: string;
  private corked = false;
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(private readonly res: ServerResponse, private readonly model: string, readonly includeUsage: boolean, keepAliveMs: number) {
    this.timer = setInterval(() => {
      this.start();
      res.write(': keepalive\n\n');
    }, keepAliveMs);
  }

  private get prefix(): string {
    this.head ??= `data: ${JSON.stringify({ id: `chatcmpl-${crypto.randomUUID()}`, object: 'chat.completion.chunk', created: this.created, model: this.model }).slice(0, -1)},"choices":[{"index":0,"delta":`;
    return this.head;
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  }

  private write(delta: Record<string, unknown>, finish: string | null): void {
    if (this.res.writableEnded) return;
    this.start();
    // Chunks produced in the same tick leave in one packet.
    if (!this.corked) {
      this.corked = true;
      this.res.cork();
      process.nextTick(() => {
        this.corked = false;
        this.res.uncork();
      });
    }
    if (!this.roleSent) {
      this.roleSent = true;
      this.res.write(`${this.prefix}{"role":"assistant","content":""},"finish_reason":null}]}\n\n`);
    }
    this.res.write(`${this.prefix}${JSON.stringify(delta)},"finish_reason":${JSON.stringify(finish)}}]}\n\n`);
  }

  delta(delta: Record<string, unknown>): void {
    this.write(delta, null);
  }

  /** Whole upstream events, as latin1 text (bytes kept as they are); false when the client is behind. */
  raw(text: string): boolean {
    if (this.res.writableEnded) return true;
    this.start();
    return this.res.write(text, 'latin1');
  }

  /** The last upstream events (ending with [DONE]) and the end of the response, in one write. */
  rawEnd(text: string): void {
    this.dispose();
    if (this.res.writableEnded) return;
    this.start();
    this.res.end(text, 'latin1');
  }

  finish(r: TurnResult): void {
    this.dispose();
    if (this.res.writableEnded) return;
    if (r.forwarded) {
      if (!this.res.writableEnded) this.res.end(); // rawEnd ended it already, unless the run was cut short
      return;
    }
    this.write({}, r.toolCalls.length ? 'tool_calls' : r.stopReason);
    if (this.includeUsage) this.res.write(`${this.prefix.slice(0, this.prefix.indexOf('"choices"'))}"choices":[],"usage":${JSON.stringify(usageObject(r))}}\n\n`);
    this.res.end('data: [DONE]\n\n');
  }

  /** A failure after output started (or a shutdown): an error chunk in OpenAI's shape, then [DONE]. */
  fail(err: unknown): void {
    this.dispose();
    if (this.res.writableEnded || this.res.destroyed) return;
    this.start();
    const ended = this.onEnded;
    this.onEnded = undefined;
    const { body } = errorResponse(err);
    this.res.write(`data: ${JSON.stringify(body)}\n\n`);
    this.res.end('data: [DONE]\n\n');
    ended?.();
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}

function invalid(detail: string): HttpError {
  return httpError(400, 'HTTP_INVALID_REQUEST', { detail });
}

function httpError(status: number, id: 'HTTP_INVALID_REQUEST' | 'HTTP_NOT_FOUND' | 'HTTP_METHOD_NOT_ALLOWED' | 'HTTP_PAYLOAD_TOO_LARGE' | 'HTTP_BODY_TIMEOUT' | 'HTTP_BUSY' | 'HTTP_BAD_URL', ctx: RejectionContext, headers: Record<string, string> = {}): HttpError {
  const shape = rejectionError(id, ctx);
  return new HttpError(status, status >= 500 ? 'server_error' : 'invalid_request_error', { message: shape.message, details: { code: shape.details?.code, fix: shape.details?.fix } }, headers);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s?.trim() || undefined;
}

function findLastIndex<T>(arr: T[], pred: (x: T) => boolean): number {
  for (let i = arr.length - 1; i >= 0; i--) if (pred(arr[i])) return i;
  return -1;
}

/** Reads a JSON body of at most 20 MB (413 beyond, 400 when it is not JSON, 408 when it stalls). */
function readJsonBody(req: IncomingMessage, res: ServerResponse, budget: BodyBudget, timeoutMs = BODY_TIMEOUT_MS): Promise<any> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const tooLarge = () => httpError(413, 'HTTP_PAYLOAD_TOO_LARGE', {}, { connection: 'close' });
    const busy = () => httpError(503, 'HTTP_BUSY', { detail: 'too many large request bodies are being received', retryAfterMs: BUSY_RETRY_AFTER_S * 1000 }, { 'retry-after': String(BUSY_RETRY_AFTER_S), connection: 'close' });
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      return reject(tooLarge());
    }
    const chunked = !(declared > 0);
    if (!budget.reserve(declared, res)) return reject(busy());
    const chunks: Buffer[] = [];
    const whole = chunked ? undefined : Buffer.allocUnsafe(declared);
    let size = 0;
    let failed = false;
    // A client that never finishes its body would otherwise hold the request (and a socket) open.
    const timer = setTimeout(() => {
      failed = true;
      chunks.length = 0;
      req.resume();
      reject(httpError(408, 'HTTP_BODY_TIMEOUT', {}, { connection: 'close' }));
    }, timeoutMs);
    req.once('close', () => clearTimeout(timer));
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      const over = size > MAX_BODY_BYTES;
      if (over || (chunked && !budget.reserve(c.length, res))) {
        failed = true;
        clearTimeout(timer);
        chunks.length = 0;
        reject(over ? tooLarge() : busy());
        return;
      }
      if (whole) c.copy(whole, size - c.length); // one copy of the body, not chunks plus their concatenation
      else chunks.push(c);
    });
    req.on('error', reject);
    req.on('end', () => {
      clearTimeout(timer);
      if (failed) return;
      try {
        const text = (whole ? whole.subarray(0, size) : Buffer.concat(chunks)).toString('utf8');
        chunks.length = 0;
        resolve(JSON.parse(text));
      } catch {
        reject(invalid('request body is not valid JSON'));
      }
    });
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(data), ...headers });
  res.end(data);
}

const STATUS_OF_KIND: Record<string, number> = {
  rate_limit: 429, long_context: 429, timeout: 504, server: 502, unreachable: 502, auth: 502, no_api_key: 500,
  string_content: 400, tools_unsupported: 400, bad_request: 400, context_length: 400,
};

/** Status, headers and OpenAI-shaped body for any error; cause and fix ride along. */
function errorResponse(err: unknown): { status: number; headers: Record<string, string>; body: unknown } {
  if (err instanceof HttpError) {
    return { status: err.status, headers: err.headers, body: { error: { message: err.shape.message, type: err.type, code: null, ...err.shape.details } } };
  }
  const shape = toErrorShape(err);
  const details = (shape.details ?? {}) as Record<string, unknown>;
  let status = 500;
  let retryAfterMs = shape.retryAfterMs;
  if (err instanceof ModelError) status = STATUS_OF_KIND[err.kind] ?? 502;
  else if (err instanceof AllModelsFailedError) {
    // Every model was rate limited: the client should wait, not give up. The soonest retry wins.
    const rateLimited = err.failures.every((f) => f.kind === 'rate_limit');
    status = rateLimited ? 429 : 502;
    if (rateLimited) retryAfterMs = soonest(err.failures.map((f) => f.ctx.retryAfterMs));
  } else if (err instanceof RouteError) status = err.rejection === 'MODEL_NOT_CONFIGURED' ? 404 : 400;
  const headers: Record<string, string> = {};
  if (retryAfterMs !== undefined) headers['retry-after'] = String(Math.ceil(retryAfterMs / 1000));
  const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'api_error' : 'invalid_request_error';
  return { status, headers, body: { error: { message: shape.message, type, code: details.code ?? null, cause: details.cause, fix: details.fix, ...(details.failures ? { failures: details.failures } : {}) } } };
}

function soonest(values: Array<number | undefined>): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length ? Math.min(...known) : undefined;
}

function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { status, headers, body } = errorResponse(err);
  sendJson(res, status, body, headers);
}
