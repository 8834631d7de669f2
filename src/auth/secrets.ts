// Shared-secret comparison and token minting. Comparisons hash both sides first so that neither
// the length nor the content of the configured secret leaks through timing.
import crypto from 'node:crypto';

/** Constant-time equality of two secrets. A missing or empty secret never matches (fail closed). */
export function safeEqualSecret(a: string | undefined, b: string | undefined): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length === 0 || b.length === 0) return false;
  return crypto.timingSafeEqual(sha256(a), configuredHash(b));
}

// The second argument is the configured secret, the same on every request: hashed once.
let lastConfigured: { secret: string; hash: Buffer } | undefined;
function configuredHash(secret: string): Buffer {
  if (lastConfigured?.secret !== secret) lastConfigured = { secret, hash: sha256(secret) };
  return lastConfigured.hash;
}

/** One call instead of a Hash object per secret (crypto.hash, Node ≥ 20.12): auth runs on every /v1 request. */
const sha256 = (s: string): Buffer => crypto.hash('sha256', s, 'buffer');

/** A random bearer token: `bytes` random bytes, base64url without padding (32 bytes → 43 chars). */
export function generateToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}
