// Weak or placeholder tokens (`your-token-here`, `changeme`) pass naive guards and get guessed.
import { isLoopbackHost } from '../../config/types.js';
import { tokenSources } from '../tokens.js';
import { tokenWeakness } from '../weak-token.js';
import { type Check, error, isFinding, ok, settingsOf, skipped, warn } from '../types.js';

export const tokenStrength: Check = {
  id: 'token-strength',
  title: 'Gateway token is strong',
  async run(ctx) {
    const s = settingsOf(ctx);
    if (isFinding(s)) return s;
    const sources = tokenSources(ctx.config.value, ctx.env);
    if (sources.length === 0) return skipped('Skipped: no token is set.');
    const weak = sources.flatMap((t) => {
      const why = tokenWeakness(t.value);
      return why ? [{ ...t, why }] : [];
    });
    if (weak.length === 0) return ok('Every configured token is long and random.');
    const inEnv = weak.find((t) => t.name.startsWith('OPENCLAW_'));
    const fix = inEnv
      ? `export ${inEnv.name}="$(openclaw doctor --generate-gateway-token)"`
      : weak.some((t) => t.name === 'gateway.auth.token' || t.name === 'gateway.token')
        ? 'openclaw doctor --fix --generate-gateway-token  # then give the new token to your clients'
        : `openclaw config set ${weak[0].name} --from gateway.auth.token`;
    const message = `${weak.map((t) => `${t.name} ${t.why}`).join('; ')}, so it can be guessed.`;
    return isLoopbackHost(s.host) ? warn(message, fix) : error(message, fix);
  },
};
