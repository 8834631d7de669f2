// Token drift: gateway.auth.token, gateway.remote.token, OPENCLAW_GATEWAY_TOKEN and the running
// gateway must agree, or connects fail with "unauthorized: gateway token mismatch".
import { probeHandshake } from '../gateway-probe.js';
import { locateGateway } from '../locate.js';
import { tokenSources } from '../tokens.js';
import { type Check, error, isFinding, ok, settingsOf, skipped } from '../types.js';

export const tokenDrift: Check = {
  id: 'token-drift',
  title: 'Gateway tokens agree',
  async run(ctx) {
    const s = settingsOf(ctx);
    if (isFinding(s)) return s;
    if (s.auth.mode !== 'token') return skipped(`Skipped: gateway.auth.mode is ${s.auth.mode}.`);
    const effective = s.auth.token;
    if (!effective) return skipped('Skipped: no gateway token is set (see auth-token).');
    const sources = tokenSources(ctx.config.value, ctx.env);
    const winner = sources.find((t) => t.server && t.value === effective)?.name ?? 'the effective token';
    const differing = sources.filter((t) => t.value !== effective);
    if (differing.length) {
      const names = differing.map((t) => t.name);
      const fix = winner.startsWith('OPENCLAW_')
        ? `openclaw config set gateway.auth.token "$${winner}"${names.includes('gateway.remote.token') ? ` && openclaw config set gateway.remote.token "$${winner}"` : ''}`
        : names.includes('gateway.remote.token') && names.length === 1
          ? 'openclaw config set gateway.remote.token --from gateway.auth.token'
          : `unset ${names.filter((n) => n.startsWith('OPENCLAW_')).join(' ') || names[0]}`;
      return error(`${names.join(', ')} ${names.length === 1 ? 'differs' : 'differ'} from the token in ${winner}, so some clients fail with "unauthorized: gateway token mismatch".`, fix);
    }
    const where = locateGateway(ctx, s);
    const probe = where.foreign ? undefined : await probeHandshake(where.url, { token: effective, timeoutMs: ctx.options.probeTimeoutMs });
    if (!probe?.challenge) return ok(`${sources.length === 1 ? 'The configured token is the only one' : `All ${sources.length} configured tokens agree`} (the gateway is not running, so it was not asked).`);
    if (probe.accepted) return ok('All configured tokens agree and the running gateway accepts them.');
    const detail = probe.rejection?.detailCode;
    if (detail === 'AUTH_TOKEN_MISMATCH' || detail === 'AUTH_TOKEN_NOT_CONFIGURED') {
      return error('The running gateway rejects the configured token (it was started with a different one), so every client gets "unauthorized: gateway token mismatch".', 'openclaw gateway restart');
    }
    return ok(`All configured tokens agree; the running gateway answered "${probe.rejection?.message ?? 'no answer'}", which is not about the token.`);
  },
};
