// Whether the configured auth mode has a credential clients can use. A gateway in password mode
// without a password (or trusted-proxy without its header) starts, then refuses every client; doctor
// calls that an error, and config edits that would switch a running gateway into it are refused.
import { Rejections } from '../protocol/errors.js';
import type { Env } from './paths.js';
import { resolveGatewaySettings } from './resolve.js';
import type { OpenClawConfig } from './schema.js';
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

/**
 * The problem an edit from `current` to `next` introduces into the auth of a running gateway, or
 * undefined: a config that was already unusable (the user is fixing it step by step) or that no
 * longer resolves (validation reports that) is not this check's business.
 */
export function authSwitchProblem(current: Record<string, unknown>, next: Record<string, unknown>, env: Env): AuthProblem | undefined {
  const problemOf = (config: Record<string, unknown>): AuthProblem | undefined | 'unresolved' => {
    try {
      return authCredentialProblem(resolveGatewaySettings(config as OpenClawConfig, env));
    } catch {
      return 'unresolved';
    }
  };
  const after = problemOf(next);
  if (after === undefined || after === 'unresolved') return undefined;
  const before = problemOf(current);
  return before !== 'unresolved' && before?.problem === after.problem ? undefined : after;
}

/** A config write refused because the running gateway would then refuse every client. */
export class ConfigAuthUnusableError extends Error {
  readonly code = 'CONFIG_WRITE_AUTH_UNUSABLE';
  readonly problem: string;
  readonly fix: string;
  constructor(p: AuthProblem, opts: { cli: boolean }) {
    super(Rejections.CONFIG_WRITE_AUTH_UNUSABLE.message({ detail: p.problem }));
    this.name = 'ConfigAuthUnusableError';
    this.problem = p.problem;
    this.fix = authUnusableFix(p.fix, opts.cli);
  }
}

/** Set the credential first, then repeat the edit; the CLI may also force it. */
export const authUnusableFix = (fix: string, cli: boolean) =>
  `${fix}  (first, then repeat this edit${cli ? '; or rerun it with --force to write it anyway' : '; to write it anyway use the CLI on the gateway host: openclaw config set … --force'})`;
