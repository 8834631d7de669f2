// Password and trusted-proxy modes need their credential too: without it the gateway runs and
// refuses every client (token mode is auth-token's: there the gateway does not start at all).
import { authCredentialProblem } from '../../config/auth-usable.js';
import { type Check, error, isFinding, ok, settingsOf, skipped } from '../types.js';

export const authCredential: Check = {
  id: 'auth-credential',
  title: 'Gateway auth mode has a usable credential',
  async run(ctx) {
    const s = settingsOf(ctx);
    if (isFinding(s)) return s;
    if (s.auth.mode === 'token') return skipped('Skipped: token mode is checked by auth-token.');
    if (s.auth.mode === 'none') return ok('gateway.auth.mode is none (no credential needed).');
    const p = authCredentialProblem(s);
    return p ? error(`${p.problem}.`, p.fix) : ok(`gateway.auth.mode ${s.auth.mode} has what it needs.`);
  },
};
