// Proxies close idle WebSockets (nginx proxy_read_timeout defaults to 60 s); the gateway's ping
// interval must be shorter, or idle dashboards drop with 1006.
import { type Check, isFinding, ok, settingsOf, warn } from '../types.js';

/** The keep-alive that stays safely under an idle limit (half of it, at least 1 s). */
export function keepAliveFor(idleLimitSeconds: number): number {
  return Math.max(1, Math.floor(idleLimitSeconds / 2));
}

export const keepalive: Check = {
  id: 'keepalive',
  title: 'WebSocket keep-alive beats proxy idle timeouts',
  async run(ctx) {
    const s = settingsOf(ctx);
    if (isFinding(s)) return s;
    const { keepAliveSeconds } = s.websocket;
    const limit = ctx.options.proxyIdleLimitSeconds;
    const fix = `openclaw config set gateway.websocket.keepAlive ${keepAliveFor(limit)}`;
    if (keepAliveSeconds <= 0) return warn(`gateway.websocket.keepAlive is ${keepAliveSeconds}, so idle sockets are never pinged and proxies drop them (1006).`, fix);
    if (keepAliveSeconds >= limit) return warn(`gateway.websocket.keepAlive is ${keepAliveSeconds} s, not shorter than the ${limit} s idle timeout of common proxies, so idle dashboards drop with 1006.`, fix);
    return ok(`gateway.websocket.keepAlive is ${keepAliveSeconds} s, under a ${limit} s proxy idle timeout.`);
  },
};
