// The provider-neutral shapes the router, the chat methods and /v1 share. Messages follow the
// OpenAI chat format (the lingua franca of local backends); the Anthropic provider translates.

export interface TextPart {
  type: 'text';
  text: string;
}
export interface ImagePart {
  type: 'image_url';
  image_url: { url: string };
}
export type ContentPart = TextPart | ImagePart | ({ type: string } & Record<string, unknown>);

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  content: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

export interface ToolDef {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export interface ChatRequest {
  messages: ChatMessage[];
  tools?: ToolDef[];
  toolChoice?: unknown;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string | string[];
  /** Provider-specific extras from agents.defaults.models.<ref>.params (e.g. context1m). */
  params?: Record<string, unknown>;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/** What a streaming call yields, in order: deltas, then exactly one `done`. */
export type StreamEvent =
  | { type: 'delta'; text: string }
  | { type: 'tool_call'; index: number; id?: string; name?: string; argumentsDelta?: string }
  | { type: 'done'; stopReason: string; usage?: Usage };

export interface ChatResult {
  text: string;
  toolCalls: ToolCall[];
  stopReason: string;
  usage?: Usage;
}

/** A `<provider>/<model>` reference resolved against the config. */
export interface ModelRef {
  provider: string;
  model: string;
  /** Index of the model in models.providers.<provider>.models (for exact fix commands). */
  index: number;
}

export function formatRef(ref: Pick<ModelRef, 'provider' | 'model'>): string {
  return `${ref.provider}/${ref.model}`;
}

/** Splits `<provider>/<model>` at the first slash (model ids may contain slashes). */
export function parseRef(ref: string): { provider: string; model: string } | null {
  const slash = ref.indexOf('/');
  if (slash <= 0 || slash === ref.length - 1) return null;
  return { provider: ref.slice(0, slash), model: ref.slice(slash + 1) };
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** One configured backend, spoken to through its official SDK. */
export interface ProviderClient {
  readonly id: string;
  readonly api: string;
  stream(model: string, req: ChatRequest, opts?: CallOptions): AsyncIterable<StreamEvent>;
  complete(model: string, req: ChatRequest, opts?: CallOptions): Promise<ChatResult>;
  embed(model: string, input: string[], opts?: CallOptions): Promise<{ embeddings: number[][]; usage?: Usage }>;
  /** Model ids the backend reports (GET /v1/models). */
  listModels(opts?: CallOptions): Promise<string[]>;
}
