// models.list and agents.list: the configured catalog (no upstream calls; `openclaw models
// status` probes the backends).
import { z } from 'zod';
import type { ModelRuntime } from '../../models/runtime.js';
import { listAgents, listConfiguredModels } from '../../models/router.js';
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
      name: 'agents.list',
      scope: 'operator.read',
      handler: () => {
        const agents = listAgents(runtime.config());
        return {
          defaultId: agents.find((a) => a.default)?.id ?? null,
          agents: agents.map((a) => ({ id: a.id, name: a.name ?? a.id, default: a.default, model: a.model ?? null, fallbacks: a.fallbacks })),
        };
      },
    },
  ];
}
