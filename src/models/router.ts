// Which models a run tries, in order, and the loop that falls over between them. A run falls over
// on 429, 5xx, timeouts, unreachable backends and rejected long-context requests, but only while
// nothing has been streamed yet (a half-written answer cannot be taken back). Other failures
// (compat, auth, bad request) stop at once: another model would not fix the config.
import type { Logger } from '../logging/types.js';
import { applyCompat, type ModelCompat } from './compat.js';
import type { ModelsConfig, ProviderConfig } from './config.js';
import { AllModelsFailedError, classifyProviderError, ModelError, RouteError } from './errors.js';
import { apiKeyEnvVar, type ProviderRegistry } from './providers/registry.js';
import { formatRef, parseRef, type ChatRequest, type ModelRef, type ProviderClient, type StreamEvent, type ToolCall, type Usage } from './types.js';

export const DEFAULT_AGENT_ID = 'main';
/** Per-request provider timeout (first byte, and the gap between stream chunks). */
export const DEFAULT_TIMEOUT_SECONDS = 120;

export interface Candidate {
  ref: ModelRef;
  provider: ProviderConfig;
  compat?: ModelCompat;
  params?: Record<string, unknown>;
  /** agents.defaults.timeoutSeconds, in ms. */
  timeoutMs: number;
}

export interface AgentSummary {
  id: string;
  name?: string;
  default: boolean;
  model?: string;
  fallbacks: string[];
  systemPrompt?: string;
}

type Selection = string | { primary?: string; fallbacks?: string[] } | undefined;

function selection(sel: Selection): { primary?: string; fallbacks?: string[] } {
  return typeof sel === 'string' ? { primary: sel } : (sel ?? {});
}

/** The configured agents; "main" exists even with no agents.list. */
export function listAgents(cfg: ModelsConfig): AgentSummary[] {
  const defaults = selection(cfg.agents.defaults?.model as Selection);
  const list = cfg.agents.list ?? [];
  const defaultId = list.find((a) => a.default)?.id ?? list[0]?.id ?? DEFAULT_AGENT_ID;
  const agents = list.map((a) => {
    const own = selection(a.model as Selection);
    return {
      id: a.id,
      name: a.name,
      default: a.id === defaultId,
      model: own.primary ?? defaults.primary,
      fallbacks: own.fallbacks ?? defaults.fallbacks ?? [],
      systemPrompt: a.systemPrompt ?? cfg.agents.defaults?.systemPrompt,
    };
  });
  if (!agents.some((a) => a.id === DEFAULT_AGENT_ID) && list.length === 0) {
    agents.push({ id: DEFAULT_AGENT_ID, name: undefined, default: true, model: defaults.primary, fallbacks: defaults.fallbacks ?? [], systemPrompt: cfg.agents.defaults?.systemPrompt });
  }
  return agents;
}

export function findAgent(cfg: ModelsConfig, agentId: string | undefined): AgentSummary {
  const agents = listAgents(cfg);
  const agent = agentId ? agents.find((a) => a.id === agentId) : agents.find((a) => a.default);
  if (!agent) throw new RouteError('AGENT_NOT_FOUND', { detail: agentId });
  return agent;
}

/** Every configured model as `<provider>/<model>` with its index and compat. */
export function listConfiguredModels(cfg: ModelsConfig): Array<Candidate & { id: string; name?: string; contextWindow?: number; api: string }> {
  return Object.entries(cfg.providers).flatMap(([provider, p]) =>
    p.models.map((m, index) => ({
      id: formatRef({ provider, model: m.id }),
      name: m.name,
      contextWindow: m.contextWindow,
      api: p.api,
      ref: { provider, model: m.id, index },
      provider: p,
      compat: m.compat,
      params: cfg.agents.defaults?.models?.[formatRef({ provider, model: m.id })]?.params,
      timeoutMs: timeoutMs(cfg),
    })),
  );
}

/** Resolves one `<provider>/<model>` against the config. */
export function resolveCandidate(cfg: ModelsConfig, refText: string): Candidate {
  const parsed = parseRef(refText);
  const provider = parsed ? cfg.providers[parsed.provider] : undefined;
  if (!parsed || !provider) throw new RouteError('MODEL_NOT_CONFIGURED', { provider: parsed?.provider ?? refText, model: parsed?.model });
  const index = provider.models.findIndex((m) => m.id === parsed.model);
  const entry = index >= 0 ? provider.models[index] : undefined;
  return {
    ref: { provider: parsed.provider, model: parsed.model, index: index >= 0 ? index : provider.models.length },
    provider,
    compat: entry?.compat,
    params: cfg.agents.defaults?.models?.[refText]?.params,
    timeoutMs: timeoutMs(cfg),
  };
}

function timeoutMs(cfg: ModelsConfig): number {
  return (cfg.agents.defaults?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
}

/** Primary then fallbacks for an agent, or for an explicit model (which keeps the agent's fallbacks). */
export function resolveCandidates(cfg: ModelsConfig, o: { agent: AgentSummary; model?: string }): Candidate[] {
  const primary = o.model ?? o.agent.model ?? listConfiguredModels(cfg)[0]?.id;
  if (!primary) throw new RouteError('MODEL_NOT_CONFIGURED', {});
  const refs = [primary, ...o.agent.fallbacks.filter((f) => f !== primary)];
  return refs.map((r) => resolveCandidate(cfg, r));
}

/** One non-streaming call to one model, compat applied, no fallbacks (`openclaw infer model run`). */
export async function completeOnce(c: Candidate, request: ChatRequest, providers: ProviderRegistry, signal?: AbortSignal): Promise<TurnResult> {
  const ctx = errorContext(c);
  try {
    const client = providers.get(c.ref.provider, c.provider, c.ref.model, c.timeoutMs);
    const res = await client.complete(c.ref.model, { ...applyCompat(request, c.compat), params: { ...c.params, ...request.params } }, { signal });
    return { ...res, model: c.ref, failures: [] };
  } catch (err) {
    throw classifyProviderError(err, ctx);
  }
}

export interface TurnCallbacks {
  onDelta?(text: string): void;
  onToolCall?(ev: Extract<StreamEvent, { type: 'tool_call' }>): void;
  /** A candidate failed and the next one is tried. */
  onFallback?(info: { from: string; to: string; error: ModelError }): void;
}

export interface TurnResult {
  text: string;
  toolCalls: ToolCall[];
  stopReason: string;
  usage?: Usage;
  model: ModelRef;
  /** Candidates that failed before this one answered. */
  failures: ModelError[];
  /** The answer went to the client as the upstream's own bytes (RunOptions.forward): text, tool calls and usage are empty. */
  forwarded?: boolean;
}

export interface RunOptions extends TurnCallbacks {
  candidates: Candidate[];
  request: ChatRequest;
  providers: ProviderRegistry;
  signal?: AbortSignal;
  log: Logger;
  /**
   * Streams a candidate straight to the client instead of as parsed events (the /v1 same-API
   * passthrough); returns undefined for candidates it does not handle. It calls `onOutput` before
   * the first output reaches the client: a failure after that no longer falls over.
   */
  forward?(c: Candidate, client: ProviderClient, request: ChatRequest, onOutput: () => void): Promise<void> | undefined;
}

/** Streams the first candidate that answers. Throws ModelError (aborted / non-failover) or AllModelsFailedError. */
export async function runWithFallback(o: RunOptions): Promise<TurnResult> {
  const failures: ModelError[] = [];
  for (let i = 0; i < o.candidates.length; i++) {
    const c = o.candidates[i];
    const ctx = errorContext(c);
    let emitted = false;
    try {
      const client = o.providers.get(c.ref.provider, c.provider, c.ref.model, c.timeoutMs);
      const request = { ...applyCompat(o.request, c.compat), params: { ...c.params, ...o.request.params } };
      const forwarding = o.forward?.(c, client, request, () => void (emitted = true));
      if (forwarding) {
        await forwarding;
        o.providers.health.ok(c.ref.provider);
        return { text: '', toolCalls: [], stopReason: 'stop', model: c.ref, failures, forwarded: true };
      }
      let text = '';
      const calls: ToolCall[] = [];
      for await (const ev of client.stream(c.ref.model, request, { signal: o.signal })) {
        if (ev.type === 'delta') {
          emitted = true;
          text += ev.text;
          o.onDelta?.(ev.text);
        } else if (ev.type === 'tool_call') {
          emitted = true;
          accumulateToolCall(calls, ev);
          o.onToolCall?.(ev);
        } else {
          o.providers.health.ok(c.ref.provider);
          return { text, toolCalls: calls, stopReason: ev.stopReason, usage: ev.usage, model: c.ref, failures };
        }
      }
      o.providers.health.ok(c.ref.provider);
      return { text, toolCalls: calls, stopReason: 'stop', model: c.ref, failures };
    } catch (err) {
      const error = o.signal?.aborted ? new ModelError('aborted', { ...ctx, detail: 'aborted' }) : classifyProviderError(err, ctx);
      if (error.kind === 'aborted') throw error;
      o.providers.health.fail(c.ref.provider, error);
      o.log.warn(`model ${formatRef(c.ref)} failed: ${error.reason}`, { model: formatRef(c.ref), kind: error.kind, status: error.status });
      failures.push(error);
      const next = o.candidates[i + 1];
      if (!error.failover || emitted || !next) break;
      o.log.info(`falling back from ${formatRef(c.ref)} to ${formatRef(next.ref)} (${error.kind})`);
      o.onFallback?.({ from: formatRef(c.ref), to: formatRef(next.ref), error });
    }
  }
  if (failures.length === 1) throw failures[0];
  throw new AllModelsFailedError(failures);
}

/** What error messages and fixes need to name the model exactly. */
export function errorContext(c: Candidate) {
  return { provider: c.ref.provider, model: c.ref.model, modelIndex: c.ref.index, envVar: apiKeyEnvVar(c.ref.provider, c.provider) };
}

function accumulateToolCall(calls: ToolCall[], ev: Extract<StreamEvent, { type: 'tool_call' }>): void {
  const call = (calls[ev.index] ??= { id: ev.id ?? `call_${ev.index}`, type: 'function', function: { name: '', arguments: '' } });
  if (ev.id) call.id = ev.id;
  if (ev.name) call.function.name += ev.name;
  if (ev.argumentsDelta) call.function.arguments += ev.argumentsDelta;
}

/** The agent a session belongs to: explicit id, else `agent:<id>:…` keys, else the default agent. */
export function sessionAgentId(cfg: ModelsConfig, sessionKey: string, explicit?: string): string {
  if (explicit) return explicit;
  const m = /^agent:([^:]+):/.exec(sessionKey);
  if (m) return m[1];
  return listAgents(cfg).find((a) => a.default)?.id ?? DEFAULT_AGENT_ID;
}
