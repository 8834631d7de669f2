// gateway.mode must be set, or `gateway run` refuses to start ("gateway start blocked: set gateway.mode=local").
import { setPath } from '../../config/path-ops.js';
import { ProcessFailures } from '../../protocol/errors.js';
import { type Check, error, isFinding, ok, settingsOf } from '../types.js';

export const gatewayMode: Check = {
  id: 'gateway-mode',
  title: 'Gateway mode is set',
  async run(ctx) {
    const s = settingsOf(ctx);
    if (isFinding(s)) return s;
    if (s.mode === undefined) return error(`gateway.mode is unset, so the gateway refuses to start ("${ProcessFailures.START_BLOCKED_MODE_UNSET.message().split('\n')[0]}").`, ProcessFailures.START_BLOCKED_MODE_UNSET.fix(), true);
    return ok(`gateway.mode is ${s.mode}${s.modeSource === 'env' ? ' (from OPENCLAW_GATEWAY_MODE)' : ''}.`);
  },
  repairSummary: 'set gateway.mode to local',
  repairConfig(config) {
    const next = structuredClone(config);
    setPath(next, 'gateway.mode', 'local');
    return next;
  },
};
