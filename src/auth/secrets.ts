// Shared-secret comparison and token minting. Comparisons hash both sides first so that neither
// the length nor the content of the configured secret leaks through timing.
import crypto from 'node:crypto';

/** Constant-time equality of two secrets. A missing or empty secret never matches (fail closed). */
export function safeEqualSecret(a: string | undefined, b: string | undefined): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length === 0 || b.length === 0) return false;
  const ha = crypto.createHash('sha256').update(a, 'utf8').digest();
  const hb = crypto.createHash('sha256').update(b, 'utf8').digest();
  return crypto.timingSafeEqual(ha, hb);
}

/** A random bearer token: `bytes` random bytes, base64url without padding (32 bytes → 43 chars). */
export function generateToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}
