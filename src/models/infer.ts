// `openclaw infer model run`: one prompt straight through the provider layer (compat applied, no
// fallbacks, no gateway), for checking a backend the way the gateway will call it.
import { loadConfig } from '../config/load.js';
import { parseModelsConfig } from './config.js';
import { ProviderRegistry, type Env } from './providers/registry.js';
import { completeOnce, resolveCandidate } from './router.js';
import { formatRef, type ChatMessage, type Usage } from './types.js';

export interface InferResult {
  ok: true;
  model: string;
  text: string;
  stopReason: string;
  usage: Usage | null;
  latencyMs: number;
}

export async function inferOnce(o: { configPath: string; env: Env; model: string; prompt: string; system?: string; maxTokens?: number }): Promise<InferResult> {
  const cfg = parseModelsConfig(loadConfig(o.configPath).config, o.configPath);
  const candidate = resolveCandidate(cfg, o.model);
  const messages: ChatMessage[] = [];
  if (o.system) messages.push({ role: 'system', content: o.system });
  // Sent as content parts, the way agent turns send them, so compat problems show up here too.
  messages.push({ role: 'user', content: [{ type: 'text', text: o.prompt }] });
  const started = performance.now();
  const r = await completeOnce(candidate, { messages, ...(o.maxTokens ? { maxTokens: o.maxTokens } : {}) }, new ProviderRegistry(o.env));
  return { ok: true, model: formatRef(r.model), text: r.text, stopReason: r.stopReason, usage: r.usage ?? null, latencyMs: Math.round(performance.now() - started) };
}
