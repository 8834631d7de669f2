// Auth for the /v1 HTTP endpoints (reference §9.2): the gateway token or password as a bearer gives
// the full operator scope set; a paired device's token gives that token's scopes; in trusted-proxy
// mode the proxy's identity headers do, narrowed by `x-openclaw-scopes`. Failed attempts
// count in the gateway's failed-auth limiters, the same budget per client as WebSocket connects
// (loopback exempt when configured; browser pages always limited by origin).
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { isUnattributedProxy, resolveClientIp } from '../auth/client-ip.js';
import { PairingStore } from '../auth/pairing-store.js';
import { safeEqualSecret } from '../auth/secrets.js';
import type { ResolvedGatewaySettings } from '../config/types.js';
import { AuthLimiters } from '../gateway/control-plane/auth-limiters.js';
import { evaluateSharedAuth } from '../gateway/control-plane/shared-auth.js';
import { FULL_OPERATOR_SCOPES } from '../protocol/scopes.js';

export type HttpAuthResult =
  | { ok: true; scopes: readonly string[]; deviceId?: string; user?: string }
  /** `trustedProxy`: why trusted-proxy auth refused the request (its message, not the bearer one). */
  /** `delayMs`: hold the answer this long (a wrong guess from a source slowed down, not locked out). */
  | { ok: false; status: 401; trustedProxy?: string; delayMs?: number }
  /** Forwarding headers from a same-host proxy that gateway.trustedProxies does not list. */
  | { ok: false; status: 403; proxyAttribution: true }
  | { ok: false; status: 429; retryAfterMs: number };

export interface HttpAuthenticator {
  authenticate(req: IncomingMessage): HttpAuthResult;
}

export interface HttpAuthOptions {
  stateDir: string;
  settings: () => ResolvedGatewaySettings;
  /** The gateway's limiters (shared with WebSocket connects); a private set is made otherwise. */
  limiters?: AuthLimiters;
}

export function createHttpAuthenticator(o: HttpAuthOptions): HttpAuthenticator {
  const deviceTokens = new DeviceTokenIndex(new PairingStore(o.stateDir));
  let limiters = o.limiters;
  return {
    authenticate(req) {
      const s = o.settings();
      if (s.auth.mode === 'none') return { ok: true, scopes: FULL_OPERATOR_SCOPES };
      limiters ??= new AuthLimiters(s.auth.rateLimit);
      limiters.update(s.auth.rateLimit);
      const ipInput = { remoteAddress: req.socket.remoteAddress, headers: req.headers, trustedProxies: s.trustedProxies, allowRealIpFallback: s.allowRealIpFallback };
      if (isUnattributedProxy(ipInput)) return { ok: false, status: 403, proxyAttribution: true };
      const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
      // A bearer may be the shared secret or a device token; a wrong one counts as a shared-secret guess.
      const source = { clientIp: resolveClientIp(ipInput), origin, cls: 'shared' as const };
      const decision = limiters.check(source);
      if (!decision.allowed) return { ok: false, status: 429, retryAfterMs: decision.retryAfterMs };
      const bearer = bearerToken(req.headers.authorization);
      const result = bearer ? verify(bearer, s, deviceTokens) : undefined;
      if (result) {
        limiters.reset(source);
        return result;
      }
      if (s.auth.mode === 'trusted-proxy' && !bearer) {
        // Identity headers from a configured proxy; nothing was guessed, so nothing is counted.
        const tp = evaluateSharedAuth({ auth: s.auth, trustedProxies: s.trustedProxies, presented: undefined, clientId: 'openai-http', clientMode: 'backend', peerAddress: req.socket.remoteAddress, headers: req.headers });
        if (tp.kind === 'ok') return { ok: true, scopes: requestedScopes(req.headers['x-openclaw-scopes']), user: tp.user };
        return { ok: false, status: 401, trustedProxy: tp.ctx.detail ?? 'rejected the request' };
      }
      if (!bearer) return { ok: false, status: 401 }; // nothing was guessed
      const delayMs = limiters.recordFailure(source);
      return { ok: false, status: 401, delayMs };
    },
  };
}

/**
 * Scopes for an identity-bearing request (reference §9.2): `x-openclaw-scopes` narrows the
 * operator set (comma or space separated; unknown names are dropped); without it, the full set.
 */
export function requestedScopes(header: string | string[] | undefined): readonly string[] {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (text === undefined || !text.trim()) return FULL_OPERATOR_SCOPES;
  const asked = new Set(text.split(/[\s,]+/).filter(Boolean));
  return FULL_OPERATOR_SCOPES.filter((s) => asked.has(s));
}

function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return m?.[1].trim() || undefined;
}

function verify(secret: string, s: ResolvedGatewaySettings, devices: DeviceTokenIndex): HttpAuthResult | undefined {
  if (s.auth.mode === 'token' && safeEqualSecret(secret, s.auth.token)) return { ok: true, scopes: FULL_OPERATOR_SCOPES };
  if (s.auth.mode === 'password' && safeEqualSecret(secret, s.auth.password)) return { ok: true, scopes: FULL_OPERATOR_SCOPES };
  for (const t of devices.current()) {
    if (safeEqualSecret(secret, t.token)) return { ok: true, scopes: t.scopes, deviceId: t.deviceId };
  }
  return undefined;
}

interface OperatorToken {
  token: string;
  scopes: readonly string[];
  deviceId: string;
}

/**
 * The live operator device tokens, rebuilt only when the paired devices change on disk (two stats per
 * lookup instead of a parse and deep copy of every paired device). Revocations apply at once.
 */
class DeviceTokenIndex {
  private stamp: string | undefined;
  private tokens: OperatorToken[] = [];

  constructor(private readonly pairing: PairingStore) {}

  current(): OperatorToken[] {
    const stamp = this.pairing.pairedVersion();
    if (stamp === this.stamp) return this.tokens;
    this.tokens = this.pairing.listPaired().flatMap((device) =>
      Object.values(device.tokens ?? {})
        .filter((r) => !r.revokedAtMs && r.role === 'operator')
        .map((r) => ({ token: r.token, scopes: r.scopes, deviceId: device.deviceId })),
    );
    this.stamp = stamp;
    return this.tokens;
  }
}
