// Token mode needs a pinned token: without one the gateway exits 78 at start.
import { ProcessFailures } from '../../protocol/errors.js';
import { setPath } from '../../config/path-ops.js';
import { generateGatewayToken } from '../../config/setup.js';
import { type Check, error, isFinding, ok, settingsOf, skipped } from '../types.js';

export const authToken: Check = {
  id: 'auth-token',
  title: 'Gateway token is pinned',
  async run(ctx) {
    const s = settingsOf(ctx);
    if (isFinding(s)) return s;
    if (s.auth.mode !== 'token') return skipped(`Skipped: gateway.auth.mode is ${s.auth.mode}.`);
    if (s.auth.token) return ok(`A gateway token is pinned (${s.auth.tokenSource === 'env' ? 'OPENCLAW_GATEWAY_TOKEN' : 'gateway.auth.token'}).`);
    // The gateway refuses to start without one (exit 78), loopback or not.
    return error(`No gateway token is set, so the gateway refuses to start ("${ProcessFailures.TOKEN_NOT_CONFIGURED.message()}").`, 'openclaw doctor --fix', true);
  },
  repairSummary: 'pinned a generated token in gateway.auth.token',
  repairConfig(config) {
    const next = structuredClone(config);
    setPath(next, 'gateway.auth.token', generateGatewayToken());
    return next;
  },
};
