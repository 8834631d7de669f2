// Gateway token hygiene: recognise weak and placeholder tokens. Pure.
export const MIN_TOKEN_LENGTH = 24;

const PLACEHOLDERS = [
  'your-token-here', 'your_token_here', 'yourtoken', 'your-secure-token', 'your-generated-token', 'your_token_here',
  'changeme', 'change-me', 'change_me', 'password', 'password123', 'secret', 'token', 'test', 'testtoken',
  'test-token', 'admin', 'openclaw', 'example', 'default', 'letmein', '123456', 'qwerty',
];

/** Why a token is weak, or undefined when it is fine. */
export function tokenWeakness(token: string): string | undefined {
  const t = token.trim().toLowerCase();
  if (PLACEHOLDERS.includes(t) || /^(your|my)[-_ ]?.*(token|secret|password)/.test(t) || /^<.*>$/.test(t) || /change.?me|placeholder|xxxx/.test(t)) return 'is a placeholder or dictionary word';
  if (token.length < MIN_TOKEN_LENGTH) return `is only ${token.length} characters (use at least ${MIN_TOKEN_LENGTH})`;
  if (new Set(token).size <= 3) return 'repeats the same few characters';
  return undefined;
}
