// Turns whatever a provider SDK throws into one diagnosable ModelError: which rejection it is
// (with the provider's own message), whether the router may fall over to the next model, and the
// exact fix. The strings themselves live in src/protocol/errors.ts.
import { rejectionError, Rejections as table, type ErrorShape, type Rejection, type RejectionContext, type RejectionId } from '../protocol/errors.js';

const Rejections: Record<RejectionId, Rejection> = table;

export type FailureKind =
  | 'rate_limit'
  | 'long_context'
  | 'context_length'
  | 'server'
  | 'timeout'
  | 'unreachable'
  | 'auth'
  | 'no_api_key'
  | 'string_content'
  | 'tools_unsupported'
  | 'bad_request'
  | 'aborted';

const REJECTION_OF: Record<Exclude<FailureKind, 'aborted'>, RejectionId> = {
  rate_limit: 'MODEL_RATE_LIMITED',
  long_context: 'MODEL_LONG_CONTEXT_REJECTED',
  context_length: 'MODEL_CONTEXT_LENGTH_EXCEEDED',
  server: 'MODEL_UPSTREAM_ERROR',
  timeout: 'MODEL_TIMEOUT',
  unreachable: 'MODEL_UNREACHABLE',
  auth: 'MODEL_AUTH_FAILED',
  no_api_key: 'MODEL_API_KEY_MISSING',
  string_content: 'MODEL_REQUIRES_STRING_CONTENT',
  tools_unsupported: 'MODEL_TOOLS_UNSUPPORTED',
  bad_request: 'MODEL_BAD_REQUEST',
};

/** Failures where another model may well succeed (issue: 429, 5xx, timeout, a rejected long-context request). */
const FAILOVER_KINDS: ReadonlySet<FailureKind> = new Set(['rate_limit', 'long_context', 'context_length', 'server', 'timeout', 'unreachable']);

export class ModelError extends Error {
  readonly rejection: RejectionId;
  constructor(
    readonly kind: FailureKind,
    readonly ctx: RejectionContext,
    readonly status?: number,
  ) {
    const rejection = kind === 'aborted' ? 'INTERNAL_ERROR' : REJECTION_OF[kind];
    super(kind === 'aborted' ? 'aborted' : Rejections[rejection].message(ctx));
    this.name = 'ModelError';
    this.rejection = rejection;
  }
  get failover(): boolean {
    return FAILOVER_KINDS.has(this.kind);
  }
  get fix(): string {
    return Rejections[this.rejection].fix(this.ctx);
  }
  /** Short reason for logs and the all-failed summary: `rate limited (429)`. */
  get reason(): string {
    const label = this.kind.replace('_', ' ');
    return this.status ? `${label} (${this.status}): ${this.ctx.detail ?? ''}`.trimEnd() : `${label}: ${this.ctx.detail ?? ''}`.trimEnd();
  }
  toErrorShape(): ErrorShape {
    return rejectionError(this.rejection, this.ctx, { kind: this.kind, ...(this.status ? { status: this.status } : {}) });
  }
}

/** All candidates failed: names each model and why. */
export class AllModelsFailedError extends Error {
  constructor(readonly failures: ModelError[]) {
    super(Rejections.MODEL_ALL_FAILED.message({ detail: summarize(failures) }));
    this.name = 'AllModelsFailedError';
  }
  get fix(): string {
    return this.failures[0]?.fix ?? Rejections.MODEL_ALL_FAILED.fix({});
  }
  toErrorShape(): ErrorShape {
    return rejectionError('MODEL_ALL_FAILED', { detail: summarize(this.failures) }, {
      failures: this.failures.map((f) => ({ model: `${f.ctx.provider}/${f.ctx.model}`, kind: f.kind, status: f.status, message: f.ctx.detail, fix: f.fix })),
    });
  }
}

function summarize(failures: ModelError[]): string {
  return failures.map((f) => `${f.ctx.provider}/${f.ctx.model}: ${f.reason}`).join('; ');
}

const STRING_CONTENT_RE = /invalid type: sequence, expected a string/i;
const TOOLS_RE = /tools? (?:are |is )?not supported|does not support tools|tool use is not supported|unsupported.{0,20}tools/i;
const LONG_CONTEXT_RE = /long context/i;
/** OpenAI (and compatible servers): "This model's maximum context length is 8192 tokens. However, …". */
const CONTEXT_LENGTH_RE = /maximum context length/i;

interface SdkErrorLike {
  name?: string;
  status?: number;
  message?: string;
  headers?: Headers | Record<string, string>;
  error?: unknown;
  code?: string;
  cause?: unknown;
}

/** Classifies an error from the openai / anthropic SDKs (or fetch) for model `ctx`. */
export function classifyProviderError(err: unknown, ctx: RejectionContext & { provider: string; model: string }): ModelError {
  if (err instanceof ModelError) return err;
  const e = (err ?? {}) as SdkErrorLike;
  const name = e.name ?? (err as object)?.constructor?.name ?? '';
  const detail = providerMessage(e);
  const at = (kind: FailureKind, status?: number, extra: Partial<RejectionContext> = {}) =>
    new ModelError(kind, { ...ctx, detail: status ? `HTTP ${status}: ${detail}` : detail, ...extra }, status);
  if (name === 'APIUserAbortError' || name === 'AbortError') return new ModelError('aborted', { ...ctx, detail: 'aborted' });
  if (name === 'APIConnectionTimeoutError' || /timed? ?out/i.test(name)) return at('timeout');
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (status === undefined) return at('unreachable');
  if (STRING_CONTENT_RE.test(detail)) return at('string_content', status);
  if (LONG_CONTEXT_RE.test(detail) && (status === 429 || status === 400)) return at('long_context', status);
  if (status === 400 && (e.code === 'context_length_exceeded' || CONTEXT_LENGTH_RE.test(detail))) return at('context_length', status);
  if (status === 429) return at('rate_limit', status, { retryAfterMs: retryAfterMs(e.headers) });
  if (status === 408 || status === 504) return at('timeout', status);
  if (status >= 500) return at('server', status);
  if (status === 401 || status === 403) return at('auth', status);
  if (TOOLS_RE.test(detail)) return at('tools_unsupported', status);
  return at('bad_request', status);
}

/** The provider's own words: `rate_limit_error: Extra usage …` for Anthropic, the message for OpenAI. */
function providerMessage(e: SdkErrorLike): string {
  const body = e.error as { type?: string; message?: string; error?: { type?: string; message?: string } } | undefined;
  const inner = body?.error ?? body;
  if (inner && typeof inner === 'object' && typeof inner.message === 'string') {
    return inner.type && inner.type !== 'error' ? `${inner.type}: ${inner.message}` : inner.message;
  }
  const msg = (e.message ?? String(e)).replace(/^\d{3} /, '');
  const code = causeCode(e.cause);
  return code ? `${msg} (${code})` : msg;
}

/** ECONNREFUSED & co. sit one or two `cause` levels down (SDK error → fetch TypeError → socket error). */
function causeCode(cause: unknown, depth = 0): string | undefined {
  if (!cause || typeof cause !== 'object' || depth > 3) return undefined;
  const c = cause as { code?: unknown; cause?: unknown; message?: unknown };
  if (typeof c.code === 'string') return c.code;
  return causeCode(c.cause, depth + 1) ?? (c.cause === undefined && typeof c.message === 'string' ? c.message : undefined);
}

function retryAfterMs(headers: SdkErrorLike['headers']): number | undefined {
  const get = (k: string) => (headers instanceof Headers ? headers.get(k) : headers?.[k]) ?? undefined;
  const raw = get('retry-after');
  if (!raw) return undefined;
  const secs = Number(raw);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The request names an agent or model the config does not have. */
export class RouteError extends Error {
  constructor(
    readonly rejection: 'AGENT_NOT_FOUND' | 'MODEL_NOT_CONFIGURED',
    readonly ctx: RejectionContext,
  ) {
    super(Rejections[rejection].message(ctx));
    this.name = 'RouteError';
  }
  get fix(): string {
    return Rejections[this.rejection].fix(this.ctx);
  }
  toErrorShape(): ErrorShape {
    return rejectionError(this.rejection, this.ctx);
  }
}

/** Any error a run can end with, as the wire error shape (code, message, cause, fix). */
export function toErrorShape(err: unknown): ErrorShape {
  if (err instanceof ModelError || err instanceof AllModelsFailedError || err instanceof RouteError) return err.toErrorShape();
  return rejectionError('INTERNAL_ERROR', { detail: err instanceof Error ? err.message : String(err) });
}
