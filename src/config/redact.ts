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

/**
 * Puts real values back where a client echoed the redaction marker from config.get, so a
 * read-modify-write round trip never replaces a secret with the placeholder.
 */
export function restoreRedacted(next: unknown, current: unknown): unknown {
  if (next === REDACTED) return current;
  if (Array.isArray(next)) return next.map((v, i) => restoreRedacted(v, Array.isArray(current) ? current[i] : undefined));
  if (next !== null && typeof next === 'object') {
    const cur = current !== null && typeof current === 'object' && !Array.isArray(current) ? (current as Record<string, unknown>) : {};
    return Object.fromEntries(Object.entries(next).map(([k, v]) => [k, restoreRedacted(v, cur[k])]));
  }
  return next;
}

/** Whether the placeholder appears anywhere in `value`. */
export function containsRedacted(value: unknown): boolean {
  if (value === REDACTED) return true;
  if (Array.isArray(value)) return value.some(containsRedacted);
  if (value !== null && typeof value === 'object') return Object.values(value).some(containsRedacted);
  return typeof value === 'string' && value.includes(REDACTED);
}
