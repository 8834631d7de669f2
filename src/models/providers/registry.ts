// One SDK client per provider configuration, reused across requests (keep-alive connections);
// a changed config entry gets a fresh client.
import { ProviderHealth } from '../provider-health.js';
import { isLoopbackHost } from '../../config/types.js';
import type { ProviderConfig } from '../config.js';
import { ModelError } from '../errors.js';
import type { ProviderClient } from '../types.js';
import { createAnthropicProvider } from './anthropic.js';
import { createOpenAiProvider } from './openai.js';

export const DEFAULT_BASE_URLS = {
  'openai-completions': 'https://api.openai.com/v1',
  'anthropic-messages': 'https://api.anthropic.com',
} as const;

const DEFAULT_KEY_ENV = { 'openai-completions': 'OPENAI_API_KEY', 'anthropic-messages': 'ANTHROPIC_API_KEY' } as const;

export type Env = Record<string, string | undefined>;

export interface ResolvedKey {
  key: string | undefined;
  /** The env var the key comes (or should come) from, for fix commands. */
  envVar?: string;
  /** Loopback backends (Ollama, LM Studio) do not need a key. */
  required: boolean;
}

/** The env var a provider's key comes from: apiKeyEnv, else the vendor default for vendor endpoints. */
export function apiKeyEnvVar(id: string, cfg: ProviderConfig): string | undefined {
  if (cfg.apiKey) return undefined;
  return cfg.apiKeyEnv ?? (!cfg.baseUrl || id === 'openai' || id === 'anthropic' ? DEFAULT_KEY_ENV[cfg.api] : undefined);
}

export function resolveApiKey(id: string, cfg: ProviderConfig, env: Env): ResolvedKey {
  const required = !isLoopbackUrl(cfg.baseUrl ?? DEFAULT_BASE_URLS[cfg.api]);
  if (cfg.apiKey) return { key: cfg.apiKey, required };
  const envVar = apiKeyEnvVar(id, cfg);
  return { key: envVar ? env[envVar] || undefined : undefined, envVar, required };
}

export function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname.replace(/^\[|\]$/g, ''));
  } catch {
    return false;
  }
}

export class ProviderRegistry {
  private readonly clients = new Map<string, { fingerprint: string; client: ProviderClient }>();
  /** Hot path: the same config object (unchanged file) and key need no re-resolution. */
  private readonly byConfig = new WeakMap<ProviderConfig, { timeoutMs: number; key: string | undefined; client: ProviderClient }>();

  /** What real turns taught about each provider (models.status). */
  readonly health = new ProviderHealth();

  constructor(readonly env: Env = process.env) {}

  /** The client for provider `id`; throws MODEL_API_KEY_MISSING when a remote provider has no key. */
  get(id: string, cfg: ProviderConfig, model: string, timeoutMs: number): ProviderClient {
    const hit = this.byConfig.get(cfg);
    if (hit && hit.timeoutMs === timeoutMs && hit.key === this.currentKey(id, cfg)) return hit.client;
    return this.create(id, cfg, model, timeoutMs);
  }

  private currentKey(id: string, cfg: ProviderConfig): string | undefined {
    if (cfg.apiKey) return cfg.apiKey;
    const envVar = apiKeyEnvVar(id, cfg);
    return envVar ? this.env[envVar] || undefined : undefined;
  }

  private create(id: string, cfg: ProviderConfig, model: string, timeoutMs: number): ProviderClient {
    const key = resolveApiKey(id, cfg, this.env);
    if (!key.key && key.required) throw new ModelError('no_api_key', { provider: id, model, envVar: key.envVar, detail: key.envVar ? `${key.envVar} is not set` : 'no apiKey configured' });
    const fingerprint = JSON.stringify([cfg.baseUrl, cfg.api, timeoutMs, key.key, cfg.headers]);
    const cached = this.clients.get(id);
    if (cached && cached.fingerprint === fingerprint) {
      this.byConfig.set(cfg, { timeoutMs, key: key.key, client: cached.client });
      return cached.client;
    }
    const client = cfg.api === 'anthropic-messages'
      ? createAnthropicProvider({ id, baseUrl: cfg.baseUrl, apiKey: key.key, timeoutMs, headers: cfg.headers })
      : createOpenAiProvider({ id, baseUrl: cfg.baseUrl ?? DEFAULT_BASE_URLS['openai-completions'], apiKey: key.key, timeoutMs, headers: cfg.headers });
    this.clients.set(id, { fingerprint, client });
    this.byConfig.set(cfg, { timeoutMs, key: key.key, client });
    return client;
  }
}
