// A Control UI reachable from other machines needs gateway.controlUi.allowedOrigins, or browsers get
// "origin not allowed" (1008).
import { isLoopbackHost } from '../../config/types.js';
import { Rejections } from '../../protocol/errors.js';
import { type Check, isFinding, ok, settingsOf, skipped, warn } from '../types.js';

export const allowedOrigins: Check = {
  id: 'allowed-origins',
  title: 'Control UI origins allowed',
  async run(ctx) {
    const s = settingsOf(ctx);
    if (isFinding(s)) return s;
    if (!s.controlUi.enabled) return skipped('Skipped: the Control UI is disabled.');
    if (s.controlUi.allowedOrigins.length) return ok(`The Control UI allows ${s.controlUi.allowedOrigins.join(', ')}.`);
    if (isLoopbackHost(s.host) && s.trustedProxies.length === 0) return ok('The Control UI is loopback-only, so only localhost origins are needed.');
    return warn(
      `The gateway is reachable beyond loopback but gateway.controlUi.allowedOrigins is empty, so remote browsers get "origin not allowed" (1008).`,
      Rejections.CONTROL_UI_ORIGIN_NOT_ALLOWED.fix({ origin: 'https://your-host' }),
    );
  },
};
