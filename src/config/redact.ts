// Hiding secrets in config output: any string under a key that names a credential.
export const REDACTED = '__OPENCLAW_REDACTED__';

// Suffix match so `token`, `apiKey`, `OPENAI_API_KEY`, `remotePassword` are caught while
// `maxTokens`, `apiKeyEnv` and `tokenSource` are not.
const SENSITIVE_KEY = /(token|password|passwd|secret|api[_-]?key|private[_-]?key|passphrase|credentials?)$/i;

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key);
}

/** A deep copy of `config` with every secret-like string replaced by REDACTED. */
export function redactConfig<T>(config: T): T {
  return redactValue(config, false) as T;
}

function redactValue(value: unknown, sensitive: boolean): unknown {
  if (typeof value === 'string') return sensitive && value !== '' ? REDACTED : value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, sensitive));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, sensitive || isSensitiveKey(k));
    return out;
  }
  return value;
}
