// Whether the configured auth mode has a credential clients can use. A gateway in password mode
// without a password (or trusted-proxy without its header) starts, then refuses every client; doctor
// calls that an error, and config edits that would switch a running gateway into it are refused.
import { isLoopbackHost, type ResolvedGatewaySettings } from './types.js';

export interface AuthProblem {
  problem: string;
  fix: string;
}

export function authCredentialProblem(s: Pick<ResolvedGatewaySettings, 'auth' | 'trustedProxies'>): AuthProblem | undefined {
  const a = s.auth;
  switch (a.mode) {
    case 'token':
      return a.token ? undefined : { problem: 'gateway.auth.mode is token but no token is set (gateway.auth.token or OPENCLAW_GATEWAY_TOKEN)', fix: 'openclaw doctor --generate-gateway-token --fix' };
    case 'password':
      return a.password ? undefined : { problem: 'gateway.auth.mode is password but no password is set (gateway.auth.password or OPENCLAW_GATEWAY_PASSWORD), so every client is refused', fix: 'openclaw config set gateway.auth.password "<a long passphrase>"' };
    case 'trusted-proxy':
      if (!a.trustedProxy?.userHeader) return { problem: 'gateway.auth.mode is trusted-proxy but gateway.auth.trustedProxy.userHeader is not set (the header your proxy fills with the signed-in user), so every client is refused', fix: 'openclaw config set gateway.auth.trustedProxy.userHeader x-forwarded-user' };
      if (s.trustedProxies.length === 0) return { problem: 'gateway.auth.mode is trusted-proxy but gateway.trustedProxies is empty, so no request counts as coming through your proxy', fix: `openclaw config set gateway.trustedProxies '["<proxy ip>"]'` };
      if (!a.trustedProxy.allowLoopback && s.trustedProxies.every((p) => isLoopbackHost(p.split('/')[0]))) {
        return { problem: 'gateway.auth.mode is trusted-proxy behind a proxy on this host (gateway.trustedProxies is loopback only), but loopback sources are rejected unless gateway.auth.trustedProxy.allowLoopback is true', fix: 'openclaw config set gateway.auth.trustedProxy.allowLoopback true' };
      }
      return undefined;
    case 'none':
      return undefined;
  }
}
