// OpenAI chat-completions backends (OpenAI, Ollama, LM Studio, llama.cpp, vLLM …) through the
// official SDK. No SDK retries: the router decides what happens after a failure. The SDK is
// imported on first use: it costs ~100 ms and ~10 MB, which a gateway with no provider never pays.
import type OpenAI from 'openai';
import type { CallOptions, ChatRequest, ChatResult, ProviderClient, StreamEvent, Usage } from '../types.js';
import type { UpstreamSse } from '../passthrough.js';
import { createHttpFetch, type StreamResponse } from '../../infra/http-fetch.js';
import { withIdleTimeout } from './idle-timeout.js';
import { ModelError } from '../errors.js';

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

export function isOpenAiProviderClient(c: ProviderClient): c is OpenAiProviderClient {
  return c.api === 'openai-completions' && typeof (c as Partial<OpenAiProviderClient>).openSse === 'function';
}

export function createOpenAiProvider(o: OpenAiProviderOptions): OpenAiProviderClient {
  // Local backends ignore the key, but the SDK insists on one.
  let client: Promise<OpenAI> | undefined;
  const getClient = () =>
    (client ??= loadOpenAiSdk().then((m) => new m.default({ apiKey: o.apiKey ?? 'not-needed', baseURL: o.baseUrl, timeout: o.timeoutMs, maxRetries: 0, defaultHeaders: o.headers })));
  // The /v1 passthrough only reads status and body bytes of a streaming call: the SDK sends it
  // through its `fetch` option over node:http (http-fetch.ts), one keep-alive pool per provider.
  let passthroughClient: Promise<OpenAI> | undefined;
  const getPassthroughClient = () =>
    (passthroughClient ??= loadOpenAiSdk().then((m) => new m.default({ apiKey: o.apiKey ?? 'not-needed', baseURL: o.baseUrl, timeout: o.timeoutMs, maxRetries: 0, defaultHeaders: o.headers, fetch: createHttpFetch() as unknown as typeof fetch })));
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
        // The SDK builds, authenticates and sends the request and throws its APIError on an error status.
        const response = await (await getPassthroughClient()).chat.completions
          .create({ ...body(model, req), stream: true, ...(opts.includeUsage ? { stream_options: { include_usage: true } } : {}) }, { signal: idle.signal })
          .asResponse();
        return {
          body: (response as unknown as StreamResponse).body, // http-fetch.ts: the node:http response itself
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
        const chunks = await (await getClient()).chat.completions.create({ ...body(model, req), stream: true, stream_options: { include_usage: true } }, { signal: idle.signal });
        let stopReason = 'stop';
        let usage: Usage | undefined;
        // The SDK's stream throws its APIError for an `{"error":…}` event inside a 200 stream.
        for await (const chunk of chunks) {
          idle.touch();
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
      // Ask for floats: without encoding_format the SDK asks for base64 and decodes whatever comes
      // back as base64, so a backend that ignores the field (and sends floats) came out as [].
      const res = await (await getClient()).embeddings.create({ model, input, encoding_format: 'float' }, { signal: opts.signal });
      return {
        embeddings: res.data.sort((a, b) => a.index - b.index).map((d) => embeddingVector(d.embedding, o.id, model)),
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

let sdk: Promise<typeof import('openai')> | undefined;
const loadOpenAiSdk = () => (sdk ??= import('openai'));

function toUsage(u: { prompt_tokens: number; completion_tokens: number; total_tokens: number }): Usage {
  return { inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens, totalTokens: u.total_tokens };
}

/** A float vector from an embeddings answer: floats as asked, or base64 float32 from a backend that sends it anyway. */
export function embeddingVector(value: unknown, provider: string, model: string): number[] {
  if (Array.isArray(value) && value.length > 0 && value.every((x) => typeof x === 'number')) return value;
  if (typeof value === 'string' && value !== '') {
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length > 0 && bytes.length % 4 === 0) return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));
  }
  throw new ModelError('server', { provider, model, detail: 'the embeddings answer holds no vector (expected an array of floats, or base64 float32)' });
}
