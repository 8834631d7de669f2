// Anthropic Messages backends through the official SDK. Translates the OpenAI-shaped request
// (system messages, image parts, tools, tool calls) into the Messages API and back.
import type Anthropic from '@anthropic-ai/sdk';
import { flattenContent } from '../compat.js';
import { ModelError } from '../errors.js';
import type { CallOptions, ChatMessage, ChatRequest, ChatResult, ContentPart, ProviderClient, ToolCall, Usage } from '../types.js';
import { withIdleTimeout } from './idle-timeout.js';

export interface AnthropicProviderOptions {
  id: string;
  baseUrl: string | undefined;
  apiKey: string | undefined;
  timeoutMs: number;
  /** Extra headers for every request (models.providers.<id>.headers). */
  headers?: Record<string, string>;
  defaultMaxTokens?: number;
}

/** Beta flag that unlocks the 1M-token context window (agents.defaults.models.<ref>.params.context1m). */
export const CONTEXT_1M_BETA = 'context-1m-2025-08-07';

export function createAnthropicProvider(o: AnthropicProviderOptions): ProviderClient {
  // Without a key the SDK would go looking for profile credentials; local backends need none.
  // The SDK is imported on first use (it is the heaviest module we have; most gateways never need it).
  let client: Promise<Anthropic> | undefined;
  const getClient = () =>
    (client ??= import('@anthropic-ai/sdk').then((m) => new m.default({ apiKey: o.apiKey ?? 'not-needed', baseURL: o.baseUrl ?? null, timeout: o.timeoutMs, maxRetries: 0, defaultHeaders: o.headers })));
  const params = (model: string, req: ChatRequest) => ({ ...toMessagesParams(model, req, o.defaultMaxTokens ?? 4096) });
  const headers = (req: ChatRequest) => (req.params?.context1m === true ? { 'anthropic-beta': CONTEXT_1M_BETA } : undefined);

  return {
    id: o.id,
    api: 'anthropic-messages',
    async *stream(model, req, opts: CallOptions = {}) {
      const idle = withIdleTimeout(opts.signal, o.timeoutMs);
      try {
        const stream = await (await getClient()).messages.create({ ...params(model, req), stream: true }, { signal: idle.signal, headers: headers(req) });
        let inputTokens = 0;
        let outputTokens = 0;
        let stopReason = 'stop';
        const toolIndex = new Map<number, number>();
        for await (const ev of stream) {
          idle.touch();
          if (ev.type === 'message_start') inputTokens = ev.message.usage?.input_tokens ?? 0;
          else if (ev.type === 'content_block_start' && ev.content_block.type === 'tool_use') {
            const index = toolIndex.size;
            toolIndex.set(ev.index, index);
            yield { type: 'tool_call', index, id: ev.content_block.id, name: ev.content_block.name };
          } else if (ev.type === 'content_block_delta') {
            if (ev.delta.type === 'text_delta') yield { type: 'delta', text: ev.delta.text };
            else if (ev.delta.type === 'input_json_delta') yield { type: 'tool_call', index: toolIndex.get(ev.index) ?? 0, argumentsDelta: ev.delta.partial_json };
          } else if (ev.type === 'message_delta') {
            stopReason = mapStopReason(ev.delta.stop_reason);
            outputTokens = ev.usage?.output_tokens ?? outputTokens;
          }
        }
        idle.throwIfAborted();
        yield { type: 'done', stopReason, usage: usage(inputTokens, outputTokens) };
      } catch (err) {
        throw idle.explain(err);
      } finally {
        idle.dispose();
      }
    },
    async complete(model, req, opts: CallOptions = {}): Promise<ChatResult> {
      const msg = await (await getClient()).messages.create({ ...params(model, req), stream: false }, { signal: opts.signal, headers: headers(req) });
      let text = '';
      const toolCalls: ToolCall[] = [];
      for (const block of msg.content) {
        if (block.type === 'text') text += block.text;
        else if (block.type === 'tool_use') toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input) } });
      }
      return { text, toolCalls, stopReason: mapStopReason(msg.stop_reason), usage: usage(msg.usage.input_tokens, msg.usage.output_tokens) };
    },
    async embed(model) {
      throw new ModelError('bad_request', { provider: o.id, model, detail: 'the Anthropic Messages API has no embeddings endpoint; use an openai-completions provider' });
    },
    async listModels(opts: CallOptions = {}) {
      const ids: string[] = [];
      for await (const m of (await getClient()).models.list({}, { signal: opts.signal })) ids.push(m.id);
      return ids;
    },
  };
}

function usage(input: number, output: number): Usage {
  return { inputTokens: input, outputTokens: output, totalTokens: input + output };
}

function mapStopReason(r: string | null | undefined): string {
  if (r === 'max_tokens') return 'length';
  if (r === 'tool_use') return 'tool_calls';
  return 'stop';
}

type Block = Anthropic.ContentBlockParam;

/** OpenAI-shaped request → Messages API params (system pulled out, tool turns translated). */
export function toMessagesParams(model: string, req: ChatRequest, defaultMaxTokens: number) {
  const system = req.messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => flattenContent(m.content)).join('\n\n');
  const messages: Anthropic.MessageParam[] = [];
  const push = (role: 'user' | 'assistant', blocks: Block[]) => {
    const last = messages[messages.length - 1];
    // The Messages API wants alternating roles: merge consecutive turns of one role.
    if (last && last.role === role && Array.isArray(last.content)) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const m of req.messages) {
    if (m.role === 'system' || m.role === 'developer') continue;
    if (m.role === 'tool') push('user', [{ type: 'tool_result', tool_use_id: m.tool_call_id ?? '', content: flattenContent(m.content) }]);
    else if (m.role === 'assistant') {
      const blocks: Block[] = toBlocks(m.content);
      for (const tc of m.tool_calls ?? []) blocks.push({ type: 'tool_use', id: tc.id, name: tc.function.name, input: safeJson(tc.function.arguments) });
      push('assistant', blocks);
    } else push('user', toBlocks(m.content));
  }
  const tools = req.tools?.map((t) => ({
    name: t.function.name,
    ...(t.function.description ? { description: t.function.description } : {}),
    input_schema: (t.function.parameters ?? { type: 'object', properties: {} }) as Anthropic.Tool.InputSchema,
  }));
  return {
    model,
    max_tokens: req.maxTokens ?? defaultMaxTokens,
    messages,
    ...(system ? { system } : {}),
    ...(tools?.length ? { tools } : {}),
    ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    ...(req.topP !== undefined ? { top_p: req.topP } : {}),
    ...(req.stop !== undefined ? { stop_sequences: Array.isArray(req.stop) ? req.stop : [req.stop] } : {}),
  };
}

function toBlocks(content: ChatMessage['content']): Block[] {
  if (content === null) return [];
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  return content.flatMap((p: ContentPart): Block[] => {
    if (p.type === 'text') return [{ type: 'text', text: String((p as { text: unknown }).text ?? '') }];
    if (p.type === 'image_url') {
      const url = (p as { image_url: { url: string } }).image_url.url;
      const data = /^data:([^;]+);base64,(.*)$/s.exec(url);
      if (data) return [{ type: 'image', source: { type: 'base64', media_type: data[1] as 'image/png', data: data[2] } }];
      return [{ type: 'image', source: { type: 'url', url } }];
    }
    return [];
  });
}

function safeJson(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
