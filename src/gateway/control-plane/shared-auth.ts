// Shared-secret authentication of a connect request, by `gateway.auth.mode`. Pure: no I/O, no
// rate limiting (the handshake decides what counts as a failure and what to do about it).
import type { IncomingHttpHeaders } from 'node:http';
import type { ResolvedGatewaySettings } from '../../config/types.js';
import { safeEqualSecret } from '../../auth/secrets.js';
import { isLoopbackAddress, isTrustedProxy } from '../../auth/client-ip.js';
import { authHint, type RejectionContext, type RejectionId } from '../../protocol/errors.js';
import { BROWSER_UI_CLIENT_IDS } from '../../protocol/constants.js';

export type SharedAuthMethod = 'none' | 'token' | 'password' | 'trusted-proxy';

export type SharedAuthResult =
  | { kind: 'ok'; method: SharedAuthMethod; user?: string }
  /** No credential was presented (does not count against the rate limit). */
  | { kind: 'absent'; rejection: RejectionId; ctx: RejectionContext }
  /** A wrong credential, or a gateway that cannot check it. `counts`: a failed guess to rate-limit. */
  | { kind: 'failed'; rejection: RejectionId; ctx: RejectionContext; counts: boolean };

export interface SharedAuthInput {
  auth: ResolvedGatewaySettings['auth'];
  trustedProxies: readonly string[];
  presented: { token?: string; password?: string } | undefined;
  clientId: string;
  clientMode: string;
  /** The TCP peer (the proxy, for trusted-proxy mode). */
  peerAddress: string | undefined;
  headers: IncomingHttpHeaders;
}

/** Which hint wording an auth failure gets (upstream wording by client kind). */
export function clientKind(clientId: string, clientMode: string): 'cli' | 'control-ui' | 'other' {
  const id = clientId.toLowerCase();
  if (id === 'cli' || clientMode.toLowerCase() === 'cli') return 'cli';
  if (BROWSER_UI_CLIENT_IDS.has(id)) return 'control-ui';
  return 'other';
}

export function evaluateSharedAuth(i: SharedAuthInput): SharedAuthResult {
  const kind = clientKind(i.clientId, i.clientMode);
  switch (i.auth.mode) {
    case 'none':
      return { kind: 'ok', method: 'none' };
    case 'token': {
      const hint = authHint(kind, 'token');
      if (!i.auth.token) return { kind: 'failed', rejection: 'AUTH_TOKEN_NOT_CONFIGURED', ctx: {}, counts: false };
      const given = i.presented?.token;
      if (!given) return { kind: 'absent', rejection: 'AUTH_TOKEN_MISSING', ctx: { hint } };
      if (safeEqualSecret(given, i.auth.token)) return { kind: 'ok', method: 'token' };
      return { kind: 'failed', rejection: 'AUTH_TOKEN_MISMATCH', ctx: { hint }, counts: true };
    }
    case 'password': {
      const hint = authHint(kind, 'password');
      if (!i.auth.password) return { kind: 'failed', rejection: 'AUTH_PASSWORD_NOT_CONFIGURED', ctx: {}, counts: false };
      const given = i.presented?.password;
      if (!given) return { kind: 'absent', rejection: 'AUTH_PASSWORD_MISSING', ctx: { hint } };
      if (safeEqualSecret(given, i.auth.password)) return { kind: 'ok', method: 'password' };
      return { kind: 'failed', rejection: 'AUTH_PASSWORD_MISMATCH', ctx: { hint }, counts: true };
    }
    case 'trusted-proxy':
      return evaluateTrustedProxy(i);
  }
}

function evaluateTrustedProxy(i: SharedAuthInput): SharedAuthResult {
  const fail = (detail: string): SharedAuthResult => ({ kind: 'failed', rejection: 'AUTH_TRUSTED_PROXY', ctx: { detail }, counts: false });
  const tp = i.auth.trustedProxy;
  if (!tp || !tp.userHeader) return fail('is not configured (gateway.auth.trustedProxy.userHeader)');
  if (i.trustedProxies.length === 0) return fail('has no proxies configured (gateway.trustedProxies)');
  if (!isTrustedProxy(i.peerAddress, i.trustedProxies)) return fail('rejected an untrusted source');
  if (isLoopbackAddress(i.peerAddress) && !tp.allowLoopback) return fail('rejected a loopback source');
  for (const h of tp.requiredHeaders) {
    if (!headerValue(i.headers, h)) return fail(`request is missing header ${h.toLowerCase()}`);
  }
  const user = headerValue(i.headers, tp.userHeader);
  if (!user) return fail(`request is missing the user header ${tp.userHeader.toLowerCase()}`);
  if (tp.allowUsers.length > 0 && !tp.allowUsers.includes(user)) return fail('user is not allowed');
  return { kind: 'ok', method: 'trusted-proxy', user };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.trim() ? s.trim() : undefined;
}
