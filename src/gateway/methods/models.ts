// models.list and agents.list: the configured catalog (no upstream calls); models.status: each
// provider's health as real turns saw it (last success, last failure with its fix, a 429's
// Retry-After), and with `probe` what `openclaw models status` finds by asking each backend.
import { z } from 'zod';
import type { ModelRuntime } from '../../models/runtime.js';
import { listAgents, listConfiguredModels } from '../../models/router.js';
import { probeProviders, type ProviderStatus } from '../../models/status.js';
import { DEFAULT_BASE_URLS } from '../../models/providers/registry.js';
import type { MethodDef } from './types.js';

export function modelsMethods(runtime: ModelRuntime): MethodDef[] {
  return [
    {
      name: 'models.list',
      scope: 'operator.read',
      params: z.object({ view: z.enum(['default', 'configured', 'all']).optional() }),
      // `default`: what the default agent runs on (primary, then fallbacks); `configured` and `all`:
      // every model in models.providers (the gateway knows no catalog beyond its config).
      handler: ({ params }) => {
        const cfg = runtime.config();
        const agent = listAgents(cfg).find((a) => a.default);
        const primary = agent?.model;
        const defaults = [...new Set([primary, ...(agent?.fallbacks ?? [])])].filter((id): id is string => Boolean(id));
        const models = listConfiguredModels(cfg);
        const shown = params.view === 'default' ? defaults.flatMap((id) => models.filter((m) => m.id === id)) : models;
        return {
          models: shown.map((m) => ({
            id: m.id,
            provider: m.ref.provider,
            model: m.ref.model,
            name: m.name ?? m.ref.model,
            api: m.api,
            contextWindow: m.contextWindow ?? null,
            compat: m.compat ?? {},
            params: m.params ?? {},
            default: m.id === primary,
          })),
        };
      },
    },
    {
      name: 'models.status',
      scope: 'operator.read',
      params: z.object({ probe: z.boolean().optional(), timeoutMs: z.number().int().positive().max(30_000).optional() }),
      handler: async ({ params }) => {
        const cfg = runtime.config();
        const agent = listAgents(cfg).find((a) => a.default);
        const probes = new Map<string, ProviderStatus>();
        if (params.probe) for (const p of await probeProviders(cfg, { env: runtime.providers.env, timeoutMs: params.timeoutMs ?? 5000 })) probes.set(p.provider, p);
        const now = Date.now();
        return {
          ts: now,
          defaultModel: agent?.model ?? null,
          fallbacks: agent?.fallbacks ?? [],
          providers: Object.entries(cfg.providers).map(([id, p]) => {
            const h = runtime.providers.health.get(id);
            const probe = probes.get(id);
            const turnState = !h ? 'unknown' : h.cooldownUntil && h.cooldownUntil > now ? 'cooling-down' : h.consecutiveFailures > 0 ? 'failing' : 'ok';
            const state = probe && !(probe.reachable && probe.authOk) ? 'failing' : probe && turnState === 'unknown' ? 'ok' : turnState;
            return {
              provider: id,
              api: p.api,
              baseUrl: p.baseUrl ?? DEFAULT_BASE_URLS[p.api],
              models: p.models.map((m) => m.id),
              state,
              requests: h?.requests ?? 0,
              failures: h?.failures ?? 0,
              consecutiveFailures: h?.consecutiveFailures ?? 0,
              lastOkAt: h?.lastOkAt ?? null,
              lastFailureAt: h?.lastFailureAt ?? null,
              lastError: h?.lastError ?? null,
              cooldownUntil: h?.cooldownUntil && h.cooldownUntil > now ? h.cooldownUntil : null,
              ...(probe ? { probe } : {}),
            };
          }),
        };
      },
    },
    {
      name: 'agents.list',
      scope: 'operator.read',
      handler: () => {
        const agents = listAgents(runtime.config());
        // Upstream's shape: the model as { primary, fallbacks } (the official Control UI reads
        // model.primary to decide whether the agent can chat), mainKey and the session scope.
        return {
          defaultId: agents.find((a) => a.default)?.id ?? null,
          mainKey: 'main',
          scope: 'per-sender',
          agents: agents.map((a) => ({ id: a.id, name: a.name ?? a.id, default: a.default, model: { ...(a.model ? { primary: a.model } : {}), fallbacks: a.fallbacks } })),
        };
      },
    },
  ];
}
