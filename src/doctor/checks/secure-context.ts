// Browsers on other machines need HTTPS for device identity: plain http://host:port gives
// "control ui requires HTTPS or localhost (secure context)" (1008).
import { isLoopbackHost } from '../../config/types.js';
import { type Check, isFinding, ok, settingsOf, skipped, warn } from '../types.js';

export const secureContext: Check = {
  id: 'secure-context',
  title: 'Remote Control UI uses HTTPS',
  async run(ctx) {
    const s = settingsOf(ctx);
    if (isFinding(s)) return s;
    if (!s.controlUi.enabled) return skipped('Skipped: the Control UI is disabled.');
    if (isLoopbackHost(s.host)) return ok('The Control UI is served on loopback (a secure context).');
    if (s.tls?.enabled) return ok('The gateway serves HTTPS itself.');
    if (s.controlUi.allowInsecureAuth) return ok('gateway.controlUi.allowInsecureAuth is on: plain-HTTP browsers on the LAN are accepted on purpose.');
    if (s.trustedProxies.length || s.controlUi.allowedOrigins.some((o) => o.startsWith('https://'))) return ok('The Control UI is published through an HTTPS proxy.');
    return warn(
      `The gateway binds ${s.host} over plain HTTP, so browsers on other machines get "control ui requires HTTPS or localhost (secure context)".`,
      'put it behind HTTPS (docs/reverse-proxy.md) or use an SSH tunnel: ssh -N -L 18789:127.0.0.1:18789 <server>',
    );
  },
};
