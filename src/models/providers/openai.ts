// OpenAI chat-completions backends (OpenAI, Ollama, LM Studio, llama.cpp, vLLM …) through the
// official SDK. No SDK retries: the router decides what happens after a failure. The SDK is
// imported on first use: it costs ~100 ms and ~10 MB, which a gateway with no provider never pays.
import type OpenAI from 'openai';
import type { CallOptions, ChatRequest, ChatResult, ProviderClient, StreamEvent, Usage } from '../types.js';
import type { UpstreamSse } from '../passthrough.js';
import { createHttpFetch, type StreamResponse } from './http-fetch.js';
import { withIdleTimeout } from './idle-timeout.js';
import { SseDataReader } from './sse.js';

export interface OpenAiProviderOptions {
  id: string;
  baseUrl: string;
  apiKey: string | undefined;
  timeoutMs: number;
  /** Extra headers for every request (models.providers.<id>.headers). */
  headers?: Record<string, string>;
}

/** An OpenAI-API client that can also hand out a streaming call's raw SSE bytes. */
export interface OpenAiProviderClient extends ProviderClient {
  readonly api: 'openai-completions';
  /**
   * Opens a streaming call and hands over its SSE body, byte for byte (same-API passthrough). The
   * SDK builds, authenticates and sends the request; HTTP errors throw here, and a body that goes
   * silent for the provider's timeout is cut off by the watchdog.
   */
  openSse(model: string, req: ChatRequest, opts?: CallOptions & { includeUsage?: boolean }): Promise<UpstreamSse>;
}

interface ChatCallTemplate {
  sdk: typeof import('openai');
  url: string;
  headers: Record<string, string>;
}

export function isOpenAiProviderClient(c: ProviderClient): c is OpenAiProviderClient {
  return c.api === 'openai-completions' && typeof (c as Partial<OpenAiProviderClient>).openSse === 'function';
}

export function createOpenAiProvider(o: OpenAiProviderOptions): OpenAiProviderClient {
  // Local backends ignore the key, but the SDK insists on one.
  let client: Promise<OpenAI> | undefined;
  const getClient = () =>
    (client ??= loadOpenAiSdk().then((m) => new m.default({ apiKey: o.apiKey ?? 'not-needed', baseURL: o.baseUrl, timeout: o.timeoutMs, maxRetries: 0, defaultHeaders: o.headers })));
  // Streaming calls go over node:http (http-fetch.ts), one keep-alive pool per provider.
  const fetchStream = createHttpFetch();
  /**
   * What the SDK sends for a chat call besides the body: URL, auth and default headers. They are
   * the same for every call of this client, so the SDK builds them once (buildRequest); each call
   * then adds its JSON body, as the SDK's own body encoder does. Skipping makeRequest per call
   * drops only its retry, logging and timeout machinery (we retry nothing; the idle watchdog times
   * streams): together they were half the request's cost on the /v1 hot path.
   */
  let template: Promise<ChatCallTemplate> | undefined;
  let ready: ChatCallTemplate | undefined;
  const getTemplate = () =>
    (template ??= Promise.all([loadOpenAiSdk(), getClient()])
      .then(async ([sdk, c]) => {
        const { req, url } = await c.buildRequest({ method: 'post', path: '/chat/completions', body: {}, stream: true });
        const headers: Record<string, string> = {};
        new Headers(req.headers as HeadersInit).forEach((v, k) => (headers[k] = v));
        return (ready = { sdk, url, headers });
      })
      .catch((err: unknown) => {
        template = undefined; // try again on the next call
        throw err;
      }));
  /** Sends a streaming chat call; a non-2xx answer becomes the SDK's own APIError, classified like any SDK call's. */
  const postStreaming = async (params: Record<string, unknown>, signal: AbortSignal): Promise<StreamResponse> => {
    const t = ready ?? (await getTemplate());
    let res: StreamResponse;
    try {
      res = await fetchStream(t.url, { method: 'POST', headers: t.headers, body: JSON.stringify(params), signal });
    } catch (err) {
      if (signal.aborted) throw new t.sdk.APIUserAbortError();
      throw new t.sdk.APIConnectionError({ cause: err as Error });
    }
    if (!res.ok) {
      const text = await res.text().catch((err: unknown) => String(err));
      const json = parseJson(text);
      throw t.sdk.APIError.generate(res.status, json, json ? undefined : text, res.headers);
    }
    return res;
  };
  const body = (model: string, req: ChatRequest) => ({
    model,
    messages: req.messages as OpenAI.Chat.ChatCompletionMessageParam[],
    ...(req.tools ? { tools: req.tools as OpenAI.Chat.ChatCompletionTool[] } : {}),
    ...(req.toolChoice !== undefined ? { tool_choice: req.toolChoice as OpenAI.Chat.ChatCompletionToolChoiceOption } : {}),
    ...(req.maxTokens !== undefined ? { max_tokens: req.maxTokens } : {}),
    ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    ...(req.topP !== undefined ? { top_p: req.topP } : {}),
    ...(req.stop !== undefined ? { stop: req.stop } : {}),
  });

  return {
    id: o.id,
    api: 'openai-completions',
    async openSse(model, req, opts = {}) {
      const idle = withIdleTimeout(opts.signal, o.timeoutMs);
      try {
        const response = await postStreaming({ ...body(model, req), stream: true, ...(opts.includeUsage ? { stream_options: { include_usage: true } } : {}) }, idle.signal);
        return {
          body: response.body,
          touch: idle.touch,
          explain: idle.explain,
          closedEarly() {
            try {
              idle.throwIfAborted();
            } catch (err) {
              return err;
            }
            return Object.assign(new Error('the upstream closed the stream before its end'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
          },
          dispose: idle.dispose,
        };
      } catch (err) {
        idle.dispose();
        throw idle.explain(err);
      }
    },
    async *stream(model, req, opts: CallOptions = {}) {
      const idle = withIdleTimeout(opts.signal, o.timeoutMs);
      try {
        // The SDK sends the request and turns HTTP errors into APIError; the body is read here.
        const response = await postStreaming({ ...body(model, req), stream: true, stream_options: { include_usage: true } }, idle.signal);
        let stopReason = 'stop';
        let usage: Usage | undefined;
        const reader = new SseDataReader();
        const events = async function* () {
          for await (const bytes of response.body) yield* reader.push(bytes as Buffer);
          yield* reader.end();
        };
        for await (const data of events()) {
          idle.touch();
          if (data === '[DONE]') break;
          const chunk = JSON.parse(data) as OpenAI.Chat.ChatCompletionChunk & { error?: { message?: string } };
          if (chunk.error) throw await upstreamStreamError(chunk.error, response.headers);
          if (chunk.usage) usage = toUsage(chunk.usage);
          const choice = chunk.choices?.[0];
          if (!choice) continue;
          if (choice.delta?.content) yield { type: 'delta', text: choice.delta.content } satisfies StreamEvent;
          for (const tc of choice.delta?.tool_calls ?? []) {
            yield { type: 'tool_call', index: tc.index, id: tc.id, name: tc.function?.name, argumentsDelta: tc.function?.arguments };
          }
          if (choice.finish_reason) stopReason = choice.finish_reason;
        }
        idle.throwIfAborted();
        yield { type: 'done', stopReason, usage };
      } catch (err) {
        throw idle.explain(err);
      } finally {
        idle.dispose();
      }
    },
    async complete(model, req, opts: CallOptions = {}): Promise<ChatResult> {
      const res = await (await getClient()).chat.completions.create({ ...body(model, req), stream: false }, { signal: opts.signal });
      const choice = res.choices[0];
      const toolCalls = (choice?.message?.tool_calls ?? []).filter((t) => t.type === 'function').map((t) => ({
        id: t.id, type: 'function' as const, function: { name: (t as { function: { name: string } }).function.name, arguments: (t as { function: { arguments: string } }).function.arguments },
      }));
      return { text: choice?.message?.content ?? '', toolCalls, stopReason: choice?.finish_reason ?? 'stop', usage: res.usage ? toUsage(res.usage) : undefined };
    },
    async embed(model, input, opts: CallOptions = {}) {
      const res = await (await getClient()).embeddings.create({ model, input }, { signal: opts.signal });
      return {
        embeddings: res.data.sort((a, b) => a.index - b.index).map((d) => d.embedding),
        usage: res.usage ? { inputTokens: res.usage.prompt_tokens, outputTokens: 0, totalTokens: res.usage.total_tokens } : undefined,
      };
    },
    async listModels(opts: CallOptions = {}) {
      const ids: string[] = [];
      for await (const m of (await getClient()).models.list({ signal: opts.signal })) ids.push(m.id);
      return ids;
    },
  };
}

/** An `{"error":…}` event inside a 200 stream, as the SDK's APIError the router classifies. */
export async function upstreamStreamError(error: { message?: string }, headers?: Headers): Promise<Error> {
  return new (await loadOpenAiSdk()).default.APIError(undefined, error, error.message, headers);
}

function parseJson(text: string): object | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? v : undefined;
  } catch {
    return undefined;
  }
}

let sdk: Promise<typeof import('openai')> | undefined;
const loadOpenAiSdk = () => (sdk ??= import('openai'));

function toUsage(u: { prompt_tokens: number; completion_tokens: number; total_tokens: number }): Usage {
  return { inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens, totalTokens: u.total_tokens };
}
