// The URL the CLI dials (OPENCLAW_GATEWAY_URL, else gateway.remote.url) must point at this gateway
// when it names this machine; a stale port after a port change is the classic "wrong host or port".
import { valueAt } from '../config-view.js';
import { type Check, error, isFinding, ok, settingsOf, skipped } from '../types.js';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '0.0.0.0']);

export const remoteUrl: Check = {
  id: 'remote-url',
  title: 'CLI gateway URL points at this gateway',
  async run(ctx) {
    const s = settingsOf(ctx);
    if (isFinding(s)) return s;
    const fromEnv = ctx.env.OPENCLAW_GATEWAY_URL;
    const configured = valueAt(ctx.config.value, 'gateway.remote.url');
    const raw = fromEnv || (typeof configured === 'string' ? configured : undefined);
    if (!raw) return skipped('Skipped: no gateway.remote.url or OPENCLAW_GATEWAY_URL; the CLI dials the local gateway directly.');
    const name = fromEnv ? 'OPENCLAW_GATEWAY_URL' : 'gateway.remote.url';
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return error(`${name} "${raw}" is not a URL, so CLI calls cannot reach any gateway.`, `openclaw config set gateway.remote.url ws://127.0.0.1:${s.port}`);
    }
    if (!LOCAL_HOSTS.has(url.hostname)) return ok(`${name} points at a remote gateway (${url.host}).`);
    const port = Number(url.port || (url.protocol === 'wss:' || url.protocol === 'https:' ? 443 : 80));
    if (port !== s.port) {
      const fix = fromEnv ? `export OPENCLAW_GATEWAY_URL=ws://127.0.0.1:${s.port}` : `openclaw config set gateway.remote.url ws://127.0.0.1:${s.port}`;
      return error(`${name} dials port ${port} on this machine but the gateway listens on ${s.port}, so CLI calls fail with "connection refused" or reach another gateway.`, fix);
    }
    return ok(`${name} points at this gateway (port ${s.port}).`);
  },
};
