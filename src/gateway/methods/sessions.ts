// sessions.list / sessions.reset / sessions.delete over the transcript store, and the
// subscription calls official clients make before they chat (sessions.subscribe,
// sessions.messages.subscribe): a snapshot in the answer, then `sessions.changed` /
// `chat` events as deltas (every operator.read client receives those).
import { z } from 'zod';
import type { ModelRuntime } from '../../models/runtime.js';
import { listAgents, listConfiguredModels, sessionAgentId } from '../../models/router.js';
import { canonicalSessionKey } from '../../sessions/keys.js';
import type { SessionInfo } from '../../sessions/store.js';
import { rejectionError } from '../../protocol/errors.js';
import { MethodError, type CallerInfo, type MethodDef } from './types.js';

/** `sessionKey` (ours) or `key` (upstream's name for it). */
const Target = z
  .looseObject({ sessionKey: z.string().min(1).max(512).optional(), key: z.string().min(1).max(512).optional(), agentId: z.string().min(1).optional() })
  .refine((p) => p.sessionKey ?? p.key, { message: 'sessionKey is required', path: ['sessionKey'] });

/** Upstream's sessions.patch; this gateway keeps the label (other overrides are accepted and unused). */
const PatchParams = z.looseObject({
  key: z.string().trim().min(1).max(512).optional(),
  sessionKey: z.string().trim().min(1).max(512).optional(),
  agentId: z.string().min(1).optional(),
  label: z.union([z.string().trim().min(1).max(120), z.null()]).optional(),
}).refine((p) => p.key ?? p.sessionKey, { message: 'key is required', path: ['key'] });

/**
 * The agent and canonical key a request names: `main` and `agent:<id>:main` are one session
 * (the alias resolves to the canonical key before any transcript is touched).
 */
export function resolveSession(runtime: ModelRuntime, sessionKey: string | undefined, agentId?: string): { agentId: string; sessionKey: string } {
  const agent = sessionAgentId(runtime.config(), sessionKey?.trim() ?? '', agentId);
  return { agentId: agent, sessionKey: canonicalSessionKey(sessionKey, agent) };
}

/** Upstream's params carry many filters this gateway has no data for; they are accepted and unused. */
const ListParams = z.looseObject({ agentId: z.string().min(1).optional(), limit: z.number().int().min(1).max(10_000).optional(), offset: z.number().int().min(0).optional() });
type ListParams = z.infer<typeof ListParams>;

const MessagesKey = z.looseObject({ key: z.string().trim().min(1).max(512), agentId: z.string().min(1).optional() });

const DEFAULT_CONTEXT_TOKENS = 200_000;

/** `provider/model` split the way upstream's rows show it. */
function splitModel(ref: string | undefined): { modelProvider?: string; model?: string } {
  if (!ref) return {};
  const slash = ref.indexOf('/');
  return slash > 0 ? { modelProvider: ref.slice(0, slash), model: ref.slice(slash + 1) } : { model: ref };
}

/** The default model of an agent, as upstream's `defaults` block describes it. */
export function sessionDefaults(runtime: ModelRuntime, agentId: string | undefined, _caller: CallerInfo): Record<string, unknown> {
  const cfg = runtime.config();
  const agents = listAgents(cfg);
  const agent = agents.find((a) => a.id === agentId) ?? agents.find((a) => a.default) ?? agents[0];
  const ref = splitModel(agent?.model);
  const configured = listConfiguredModels(cfg).find((m) => m.id === agent?.model);
  return {
    modelProvider: ref.modelProvider ?? null,
    model: ref.model ?? null,
    contextTokens: configured?.contextWindow ?? DEFAULT_CONTEXT_TOKENS,
    thinkingLevels: [],
    thinkingOptions: [],
    // Model choices stay per session: this gateway never writes a chat's model into the config.
    modelSelectionTarget: 'session',
  };
}

export function sessionRow(runtime: ModelRuntime, s: SessionInfo): Record<string, unknown> {
  const ref = splitModel(s.lastModel);
  return {
    ...s,
    // Upstream's row names, next to ours.
    key: s.sessionKey,
    kind: s.sessionKey.includes(':group:') ? 'group' : 'direct',
    ...(ref.model ? ref : {}),
    totalTokens: s.inputTokens + s.outputTokens,
    active: runtime.chat.inFlight(s.sessionKey) !== undefined,
  };
}

function listResult(runtime: ModelRuntime, params: ListParams, caller: CallerInfo): Record<string, unknown> {
  const all = runtime.sessions.list(params.agentId);
  const offset = params.offset ?? 0;
  const limit = params.limit ?? 500;
  const page = all.slice(offset, offset + limit);
  return {
    ts: Date.now(),
    count: page.length,
    totalCount: all.length,
    hasMore: offset + page.length < all.length,
    ...(offset + page.length < all.length ? { nextOffset: offset + page.length } : {}),
    defaults: sessionDefaults(runtime, params.agentId, caller),
    sessions: page.map((s) => sessionRow(runtime, s)),
  };
}

export function sessionsMethods(runtime: ModelRuntime): MethodDef[] {
  const canonical = (key: string, agentId?: string) => ({ key: resolveSession(runtime, key, agentId).sessionKey });
  const target = (p: { sessionKey?: string; key?: string; agentId?: string }) => resolveSession(runtime, p.sessionKey ?? p.key, p.agentId);
  /**
   * The session a reset/delete acts on: of a configured agent, or of one that still has this session
   * on disk (an agent removed from the config). Anything else is refused before a directory is created.
   */
  const existingTarget = (p: { sessionKey?: string; key?: string; agentId?: string }) => {
    const t = target(p);
    if (listAgents(runtime.config()).some((a) => a.id === t.agentId)) return t;
    if (/^[A-Za-z0-9_-]{1,64}$/.test(t.agentId) && runtime.sessions.list(t.agentId).some((s) => s.sessionKey === t.sessionKey)) return t;
    const e = rejectionError('AGENT_NOT_FOUND', { detail: t.agentId });
    throw new MethodError(e.code, e.message, e.details);
  };
  return [
    {
      name: 'sessions.list',
      scope: 'operator.read',
      params: ListParams,
      handler: ({ params, caller }) => listResult(runtime, params, caller),
    },
    {
      name: 'sessions.subscribe',
      scope: 'operator.read',
      params: ListParams,
      // With list params the answer carries the snapshot; later changes arrive as events.
      handler: ({ params, caller }) => (Object.keys(params).length === 0 ? { subscribed: true } : { subscribed: true, list: listResult(runtime, params, caller) }),
    },
    {
      name: 'sessions.unsubscribe',
      scope: 'operator.read',
      handler: () => ({ subscribed: false }),
    },
    {
      name: 'sessions.messages.subscribe',
      scope: 'operator.read',
      params: MessagesKey,
      handler: ({ params }) => ({ subscribed: true, key: canonical(params.key, params.agentId).key }),
    },
    {
      name: 'sessions.messages.unsubscribe',
      scope: 'operator.read',
      params: MessagesKey,
      handler: ({ params }) => ({ subscribed: false, key: canonical(params.key, params.agentId).key }),
    },
    // Both archive the transcript once every run of the session has written its end.
    ...(['reset', 'delete'] as const).map((op): MethodDef => ({
      name: `sessions.${op}`,
      scope: 'operator.admin',
      params: Target,
      handler: async ({ params }) => {
        const { agentId, sessionKey } = existingTarget(params);
        await runtime.chat.abortAndSettle(sessionKey);
        const existed = runtime.sessions[op](agentId, sessionKey);
        return { ok: true, sessionKey, key: sessionKey, [op === 'reset' ? 'reset' : 'deleted']: existed };
      },
    })),
    {
      name: 'sessions.patch',
      // Upstream: a label (or model) is operator.write; this gateway patches nothing else.
      scope: 'operator.write',
      params: PatchParams,
      handler: ({ params }) => {
        const { agentId, sessionKey } = target(params);
        const info = runtime.sessions.patch(agentId, sessionKey, { label: params.label });
        return { ok: true, key: sessionKey, sessionKey, entry: sessionRow(runtime, info) };
      },
    },
  ];
}
