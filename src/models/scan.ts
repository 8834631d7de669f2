// Finds model backends worth configuring: Ollama (127.0.0.1:11434) and LM Studio
// (127.0.0.1:1234) when they answer within a short timeout, and OPENAI_API_KEY /
// ANTHROPIC_API_KEY in the environment. Returns provider entries ready for models.providers.
import type { ProviderConfig } from './config.js';
import type { Env } from './providers/registry.js';

export interface ScanTargets {
  ollamaUrl: string;
  lmStudioUrl: string;
}

export const DEFAULT_SCAN_TARGETS: ScanTargets = { ollamaUrl: 'http://127.0.0.1:11434', lmStudioUrl: 'http://127.0.0.1:1234' };

/**
 * Where to look, honouring OLLAMA_HOST as Ollama's own CLI reads it (`host`, `host:port`, `:port`
 * or a URL; port 11434 by default). A wildcard bind address (0.0.0.0, ::) means this machine.
 */
export function scanTargetsFromEnv(env: Env): ScanTargets {
  const raw = env.OLLAMA_HOST?.trim();
  if (!raw) return { ...DEFAULT_SCAN_TARGETS };
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw.startsWith(':') ? `127.0.0.1${raw}` : raw}`);
    if (!url.port && url.protocol === 'http:') url.port = '11434';
    if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = '127.0.0.1';
    return { ...DEFAULT_SCAN_TARGETS, ollamaUrl: trimSlash(`${url.protocol}//${url.host}${url.pathname}`) };
  } catch {
    return { ...DEFAULT_SCAN_TARGETS }; // not an address: Ollama itself would not start with it either
  }
}

/** Default models for key-only providers; edit with openclaw config set after --apply. */
const KEY_PROVIDERS = [
  { id: 'openai', envVar: 'OPENAI_API_KEY', api: 'openai-completions', model: 'gpt-4.1-mini' },
  { id: 'anthropic', envVar: 'ANTHROPIC_API_KEY', api: 'anthropic-messages', model: 'claude-sonnet-4-5' },
] as const;

export interface ScanFinding {
  id: string;
  kind: 'local' | 'env';
  /** Where it was found: a URL or an env var name (never the key). */
  source: string;
  models: string[];
  provider: ProviderConfig;
}

export interface ScanResult {
  found: ScanFinding[];
  /** Local backends that did not answer, with why. */
  missing: Array<{ id: string; url: string; reason: string }>;
}

/** Probes the targets (each unset one from the env, else its default) and reads the keys in the env. */
export async function scanProviders(o: { env: Env; targets?: Partial<ScanTargets>; timeoutMs?: number }): Promise<ScanResult> {
  const given = Object.entries(o.targets ?? {}).filter(([, url]) => url);
  const targets: ScanTargets = { ...scanTargetsFromEnv(o.env), ...Object.fromEntries(given) };
  const timeoutMs = o.timeoutMs ?? 800;
  const result: ScanResult = { found: [], missing: [] };
  const [ollama, lmstudio] = await Promise.all([probeOllama(targets.ollamaUrl, timeoutMs), probeOpenAiModels(`${trimSlash(targets.lmStudioUrl)}/v1`, timeoutMs)]);
  const local = (id: string, url: string, baseUrl: string, r: Probe) => {
    if (r.ok) result.found.push({ id, kind: 'local', source: url, models: r.models, provider: { baseUrl, api: 'openai-completions', models: r.models.map((m) => ({ id: m })) } });
    else result.missing.push({ id, url, reason: r.reason });
  };
  local('ollama', targets.ollamaUrl, `${trimSlash(targets.ollamaUrl)}/v1`, ollama);
  local('lmstudio', targets.lmStudioUrl, `${trimSlash(targets.lmStudioUrl)}/v1`, lmstudio);
  for (const k of KEY_PROVIDERS) {
    if (!o.env[k.envVar]) continue;
    result.found.push({ id: k.id, kind: 'env', source: k.envVar, models: [k.model], provider: { api: k.api, apiKeyEnv: k.envVar, models: [{ id: k.model }] } });
  }
  return result;
}

/** The model a scan proposes as primary: the first model of the first backend that has one. */
export function scanPrimary(scan: ScanResult): string | undefined {
  const first = scan.found.find((f) => f.models.length > 0);
  return first && `${first.id}/${first.models[0]}`;
}

/** The merge patch `--apply` writes: new providers, and a primary model when none is set. */
export function scanPatch(scan: ScanResult, hasPrimary: boolean): Record<string, unknown> | undefined {
  if (scan.found.length === 0) return undefined;
  const providers = Object.fromEntries(scan.found.map((f) => [f.id, f.provider]));
  const primary = hasPrimary ? undefined : scanPrimary(scan);
  return { models: { providers }, ...(primary ? { agents: { defaults: { model: { primary } } } } : {}) };
}

type Probe = { ok: true; models: string[] } | { ok: false; reason: string };

async function probeOllama(url: string, timeoutMs: number): Promise<Probe> {
  const tags = await getJson(`${trimSlash(url)}/api/tags`, timeoutMs);
  if (tags.ok && Array.isArray((tags.body as { models?: unknown }).models)) {
    return { ok: true, models: modelIds((tags.body as { models: Array<{ name?: unknown; model?: unknown }> }).models.map((m) => m?.name ?? m?.model)) };
  }
  const viaV1 = await probeOpenAiModels(`${trimSlash(url)}/v1`, timeoutMs);
  return viaV1.ok ? viaV1 : { ok: false, reason: tags.ok ? viaV1.reason : tags.reason };
}

async function probeOpenAiModels(baseUrl: string, timeoutMs: number): Promise<Probe> {
  const r = await getJson(`${baseUrl}/models`, timeoutMs);
  if (!r.ok) return r;
  const data = (r.body as { data?: Array<{ id?: string }> }).data;
  return Array.isArray(data) ? { ok: true, models: modelIds(data.map((m) => m?.id)) } : { ok: false, reason: 'unexpected /v1/models response' };
}

/** The usable ids of a backend's model list: non-empty strings, each once. */
function modelIds(values: unknown[]): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length > 0))];
}

async function getJson(url: string, timeoutMs: number): Promise<{ ok: true; body: unknown } | { ok: false; reason: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return { ok: false, reason: `HTTP ${res.status}` };
    return { ok: true, body: await res.json() };
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string } };
    if (e.name === 'TimeoutError') return { ok: false, reason: `no answer within ${timeoutMs}ms` };
    return { ok: false, reason: e.cause?.code ?? (err as Error).message };
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
