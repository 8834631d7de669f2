// A non-loopback bind must have working auth (upstream: "refusing to bind gateway ... without auth").
import { isLoopbackHost } from '../../config/types.js';
import { type Check, error, isFinding, ok, settingsOf } from '../types.js';

export const bindAuth: Check = {
  id: 'bind-auth',
  title: 'Non-loopback bind has auth',
  async run(ctx) {
    const s = settingsOf(ctx);
    if (isFinding(s)) return s;
    if (isLoopbackHost(s.host)) return ok(`The gateway binds loopback (${s.host}) only.`);
    if (s.auth.mode === 'none') return error(`The gateway binds ${s.host} with gateway.auth.mode none, so anyone on the network gets full control ("refusing to bind gateway ... without auth").`, 'openclaw config set gateway.auth.mode token && openclaw doctor --fix');
    if (s.auth.mode === 'password' && !s.auth.password) return error(`The gateway binds ${s.host} in password mode but no password is set, so it refuses to start (auth-credential names the fix).`, 'openclaw config set gateway.auth.password "<a long passphrase>"');
    if (s.auth.mode === 'token' && !s.auth.token) return ok(`The gateway binds ${s.host}; its missing token is reported by auth-token.`);
    return ok(`The gateway binds ${s.host} and requires ${s.auth.mode} auth.`);
  },
};
