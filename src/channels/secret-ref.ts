// Credential values in channel config: a plain string, or upstream's SecretRef
// `{ source: "env" | "file" | "exec", provider, id }`, of which this gateway resolves `env`.

type Env = Record<string, string | undefined>;

/** The credential, trimmed; undefined when empty or not resolvable here. */
export function secretValue(v: unknown, env: Env): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (v && typeof v === 'object' && (v as { source?: string }).source === 'env') return env[(v as { id: string }).id]?.trim() || undefined;
  return undefined;
}

/**
 * Why a SecretRef yields no value, or undefined when it does (or is not a SecretRef), so an
 * unresolvable reference is said, not silently treated as "no token". `alternative` names the
 * channel's other way to give the secret (Telegram: `tokenFile: "<path>"`).
 */
export function secretProblem(v: unknown, env: Env, alternative?: string): string | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const ref = v as { source?: string; id?: string };
  if (ref.source === 'env') return env[ref.id ?? '']?.trim() ? undefined : `SecretRef: environment variable ${ref.id} is not set for the gateway`;
  return `SecretRef source "${ref.source}" is not supported by this gateway yet; use ${alternative ? `${alternative} or ` : ''}{ source: "env", provider: "default", id: "<VAR>" }`;
}
