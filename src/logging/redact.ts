// Secret redaction applied to every log line before it reaches the file or the console.
// Two layers: exact values registered at runtime (the configured token/password) and patterns that
// catch secrets we were never told about (URLs with #token=, Authorization headers, JSON bodies).

export const REDACTED = '***';

/** Field names whose string values are always secrets. */
const SECRET_KEY = /^(token|password|secret|apiKey|api_key|authorization|accessToken|refreshToken|deviceToken)$/i;

const PATTERNS: Array<[RegExp, string]> = [
  // "token":"…" / "password": "…" inside JSON text
  [/("(?:[A-Za-z_]*(?:token|password|secret|apiKey))"\s*:\s*")[^"]*(")/gi, `$1${REDACTED}$2`],
  // token=…, #token=…, ?password=…, access_token=…
  [/((?:token|password|secret|api_key|apikey)=)[^\s&#"',;)]+/gi, `$1${REDACTED}`],
  // password: hunter2 / password hunter2 in prose, but not the prose itself ("via password from 127.0.0.1")
  [/(\bpassword\b\s*[:=]?\s+)(?!\*\*\*|(?:from|to|for|via|is|was|are|mode|auth|missing|mismatch|required|not|and|or|with|in|on|of|set|configured|rejected|given|changed|the|a)\b)[^\s"',;)]+/gi, `$1${REDACTED}`],
  // Authorization: Bearer …
  [/(\bBearer\s+)[A-Za-z0-9._~+/=-]+/g, `$1${REDACTED}`],
];

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers an exact value to hide everywhere. Very short values are ignored (they would mangle text). */
  addSecret(value: string | undefined): void {
    if (value && value.length >= 4) this.secrets.add(value);
  }

  text(input: string): string {
    let out = input;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
    return out;
  }

  /** Redacts strings anywhere inside a JSON-like value; values under secret-looking keys become ***. */
  value(input: unknown, depth = 0): unknown {
    if (typeof input === 'string') return this.text(input);
    if (input === null || typeof input !== 'object' || depth > 6) return input;
    if (input instanceof Error) return this.text(input.message);
    if (Array.isArray(input)) return input.map((v) => this.value(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input)) {
      out[k] = SECRET_KEY.test(k) && typeof v === 'string' && v !== '' ? REDACTED : this.value(v, depth + 1);
    }
    return out;
  }
}
