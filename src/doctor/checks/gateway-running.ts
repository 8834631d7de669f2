// "Runtime: running and RPC probe: ok": the gateway answers HTTP and its WebSocket sends connect.challenge.
import { probeHandshake, probeHttp } from '../gateway-probe.js';
import { locateGateway } from '../locate.js';
import { type Check, error, isFinding, ok, settingsOf, warn } from '../types.js';

export const gatewayRunning: Check = {
  id: 'gateway-running',
  title: 'Gateway running and RPC probe',
  async run(ctx) {
    const s = settingsOf(ctx);
    if (isFinding(s)) return s;
    const where = locateGateway(ctx, s);
    const { url } = where;
    if (where.foreign) return warn(`This state dir's gateway is not running; port ${s.port} belongs to pid ${where.foreign.pid} (see port-owner).`, 'openclaw gateway start');
    const probe = await probeHandshake(url, { token: s.auth.token, password: s.auth.password, timeoutMs: ctx.options.probeTimeoutMs });
    if (!probe.upgraded) {
      const health = await probeHttp(url.replace(/^ws/, 'http') + '/health', ctx.options.probeTimeoutMs);
      if (health.status === undefined) {
        if (where.record) return error(`The gateway process (pid ${where.record.pid}) is alive but nothing answers on ${url}, so clients see 1006.`, 'openclaw gateway restart');
        return warn(`The gateway is not running (nothing answers on ${url}), so clients get "disconnected from gateway" (1006).`, 'openclaw gateway start');
      }
      return error(`${url} answers HTTP ${health.status} but refuses the WebSocket upgrade (${probe.failure ?? 'no upgrade'}), so it is not a working gateway.`, 'openclaw gateway status --deep');
    }
    if (!probe.challenge) return error(`${url} accepted the WebSocket but sent no connect.challenge, so it is not an OpenClaw protocol v4 gateway.`, 'openclaw gateway status --deep');
    if (probe.accepted) return ok(`The gateway answers on ${url} and the RPC probe authenticated.`);
    return ok(`The gateway answers on ${url} and sent connect.challenge (the token itself is checked by token-drift).`);
  },
};
