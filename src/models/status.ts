// `openclaw models status`: for each configured provider, is it reachable, does it take our key,
// which models does it serve, how long did that take, and the fix when something is off.
import { classifyProviderError } from './errors.js';
import type { ModelsConfig } from './config.js';
import { apiKeyEnvVar, DEFAULT_BASE_URLS, ProviderRegistry, type Env } from './providers/registry.js';

export interface ProviderStatus {
  provider: string;
  api: string;
  baseUrl: string;
  reachable: boolean;
  authOk: boolean;
  /** Ids the backend reports. */
  models: string[];
  /** Configured ids the backend does not report (typos, models not pulled). */
  missingModels: string[];
  latencyMs: number;
  error?: string;
  fix?: string;
}

export async function probeProviders(cfg: ModelsConfig, o: { env: Env; timeoutMs?: number }): Promise<ProviderStatus[]> {
  const registry = new ProviderRegistry(o.env);
  const timeoutMs = o.timeoutMs ?? 5000;
  return Promise.all(
    Object.entries(cfg.providers).map(async ([id, p]): Promise<ProviderStatus> => {
      const base = { provider: id, api: p.api, baseUrl: p.baseUrl ?? DEFAULT_BASE_URLS[p.api] };
      const configured = p.models.map((m) => m.id);
      const started = performance.now();
      try {
        const models = await registry.get(id, p, configured[0] ?? '', timeoutMs).listModels();
        return { ...base, reachable: true, authOk: true, models, missingModels: configured.filter((m) => !models.includes(m)), latencyMs: Math.round(performance.now() - started) };
      } catch (err) {
        const e = classifyProviderError(err, { provider: id, model: configured[0] ?? '<model>', modelIndex: 0, envVar: apiKeyEnvVar(id, p) });
        return {
          ...base,
          // without a key nothing was sent, so reachability is unknown: reported as not reachable
          reachable: !['unreachable', 'timeout', 'no_api_key'].includes(e.kind),
          authOk: e.kind !== 'auth' && e.kind !== 'no_api_key',
          models: [],
          missingModels: configured,
          latencyMs: Math.round(performance.now() - started),
          error: e.message,
          fix: e.fix,
        };
      }
    }),
  );
}
