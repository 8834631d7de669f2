// Bearer auth for the /v1 HTTP endpoints (reference §9.2): the gateway token or password gives
// the full operator scope set; a paired device's token gives that token's scopes. Failed attempts
// count against the failed-auth rate limiter (loopback exempt when configured).
import type { IncomingMessage } from 'node:http';
import { isLoopbackAddress, resolveClientIp } from '../auth/client-ip.js';
import { PairingStore } from '../auth/pairing-store.js';
import { AuthRateLimiter } from '../auth/rate-limit.js';
import { safeEqualSecret } from '../auth/secrets.js';
import type { ResolvedGatewaySettings } from '../config/types.js';
import { FULL_OPERATOR_SCOPES } from '../protocol/scopes.js';

export type HttpAuthResult =
  | { ok: true; scopes: readonly string[]; deviceId?: string }
  | { ok: false; status: 401 }
  | { ok: false; status: 429; retryAfterMs: number };

export interface HttpAuthenticator {
  authenticate(req: IncomingMessage): HttpAuthResult;
}

export function createHttpAuthenticator(o: { stateDir: string; settings: () => ResolvedGatewaySettings; limiter?: AuthRateLimiter }): HttpAuthenticator {
  const pairing = new PairingStore(o.stateDir);
  let limiter = o.limiter;
  return {
    authenticate(req) {
      const s = o.settings();
      if (s.auth.mode === 'none') return { ok: true, scopes: FULL_OPERATOR_SCOPES };
      limiter ??= new AuthRateLimiter(s.auth.rateLimit);
      const ip = resolveClientIp({ remoteAddress: req.socket.remoteAddress, headers: req.headers, trustedProxies: s.trustedProxies, allowRealIpFallback: s.allowRealIpFallback });
      const exempt = s.auth.rateLimit.exemptLoopback && isLoopbackAddress(ip);
      const key = `http:${ip ?? 'unknown'}`;
      if (!exempt) {
        const decision = limiter.check(key);
        if (!decision.allowed) return { ok: false, status: 429, retryAfterMs: decision.retryAfterMs };
      }
      const bearer = bearerToken(req.headers.authorization);
      const result = bearer ? verify(bearer, s, pairing) : undefined;
      if (result) {
        if (!exempt) limiter.reset(key);
        return result;
      }
      if (!exempt) limiter.recordFailure(key);
      return { ok: false, status: 401 };
    },
  };
}

function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return m?.[1].trim() || undefined;
}

function verify(secret: string, s: ResolvedGatewaySettings, pairing: PairingStore): HttpAuthResult | undefined {
  if (s.auth.mode === 'token' && safeEqualSecret(secret, s.auth.token)) return { ok: true, scopes: FULL_OPERATOR_SCOPES };
  if (s.auth.mode === 'password' && safeEqualSecret(secret, s.auth.password)) return { ok: true, scopes: FULL_OPERATOR_SCOPES };
  for (const device of pairing.listPaired()) {
    for (const record of Object.values(device.tokens ?? {})) {
      if (record.revokedAtMs || record.role !== 'operator') continue;
      if (safeEqualSecret(secret, record.token)) return { ok: true, scopes: record.scopes, deviceId: device.deviceId };
    }
  }
  return undefined;
}
