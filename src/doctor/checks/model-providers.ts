// Configured model providers answer (GET <baseUrl>/models). Cloud defaults are probed only with --deep.
import { isPlainObject } from '../../config/path-ops.js';
import { valueAt } from '../config-view.js';
import { probeHttp } from '../gateway-probe.js';
import { type Check, isFinding, ok, settingsOf, skipped, warn } from '../types.js';

const DEFAULT_BASE_URLS: Record<string, string> = {
  'openai-completions': 'https://api.openai.com/v1',
  'anthropic-messages': 'https://api.anthropic.com/v1',
};

export const modelProviders: Check = {
  id: 'model-providers',
  title: 'Model providers reachable',
  async run(ctx) {
    const settings = settingsOf(ctx);
    if (isFinding(settings)) return settings;
    const providers = valueAt(ctx.config.value, 'models.providers');
    const entries = isPlainObject(providers) ? Object.entries(providers).filter(([, p]) => isPlainObject(p)) : [];
    if (entries.length === 0) return skipped('Skipped: no model providers are configured.');
    const problems: string[] = [];
    let probed = 0;
    for (const [name, p] of entries as [string, Record<string, unknown>][]) {
      const api = typeof p.api === 'string' ? p.api : 'openai-completions';
      const explicit = typeof p.baseUrl === 'string' ? p.baseUrl : undefined;
      const baseUrl = explicit ?? DEFAULT_BASE_URLS[api];
      if (!baseUrl || (!explicit && !ctx.options.deep)) continue;
      const key = typeof p.apiKey === 'string' ? p.apiKey : typeof p.apiKeyEnv === 'string' ? ctx.env[p.apiKeyEnv] : undefined;
      const headers: Record<string, string> = key ? (api === 'anthropic-messages' ? { 'x-api-key': key, 'anthropic-version': '2023-06-01' } : { authorization: `Bearer ${key}` }) : {};
      const res = await probeHttp(`${baseUrl.replace(/\/$/, '')}/models`, ctx.options.probeTimeoutMs, headers);
      probed++;
      if (res.status === undefined) problems.push(`${name} (${baseUrl}) is unreachable: ${res.failure}`);
      else if (res.status === 401 || res.status === 403) problems.push(`${name} (${baseUrl}) rejects its API key (HTTP ${res.status})`);
      else if (res.status >= 500) problems.push(`${name} (${baseUrl}) answers HTTP ${res.status}`);
    }
    if (problems.length) return warn(`${problems.join('; ')}.`, 'openclaw models status  # fix models.providers.<name>.baseUrl / apiKey with openclaw config set');
    if (probed === 0) return ok(`${entries.length} provider${entries.length === 1 ? '' : 's'} configured with default endpoints (run openclaw doctor --deep to probe them).`);
    return ok(`${probed} model provider${probed === 1 ? '' : 's'} answered.`);
  },
};
