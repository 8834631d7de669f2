// DM policies that contradict their allowFrom: dmPolicy="open" without "*" (upstream admits only the
// listed senders then, and validation refuses the file) or "allowlist" with nobody on the list
// (every DM dropped). Read from the raw config, so it explains the refusal when the file is invalid.
import { accessViolations } from '../../channels/config.js';
import { getPath, isPlainObject, setPath } from '../../config/path-ops.js';
import type { JsonObject } from '../config-view.js';
import { type Check, error, ok, skipped } from '../types.js';
import { channelsBlock } from './channel-common.js';

interface Violation {
  /** `channels.telegram` or `channels.telegram.accounts.work`. */
  scope: string;
  policy: 'open' | 'allowlist';
  message: string;
  /** The effective allowFrom of that scope. */
  allowFrom: string[];
}

function violations(config: JsonObject): Violation[] {
  const channels = isPlainObject(config.channels) ? config.channels : {};
  const out: Violation[] = [];
  for (const [id, block] of Object.entries(channels)) {
    if (id === 'defaults' || !isPlainObject(block)) continue;
    for (const v of accessViolations(id, block as Parameters<typeof accessViolations>[1])) {
      const scope = v.path.slice(0, -1).join('.');
      const own = getPath(config, scope).value as { dmPolicy?: string; allowFrom?: unknown[] } | undefined;
      const list = own?.allowFrom ?? (block as { allowFrom?: unknown[] }).allowFrom ?? [];
      const policy = (own?.dmPolicy ?? (block as { dmPolicy?: string }).dmPolicy) === 'open' ? 'open' : 'allowlist';
      out.push({ scope, policy, message: v.message, allowFrom: Array.isArray(list) ? list.map(String) : [] });
    }
  }
  return out;
}

/** "open" with concrete entries behaves as an allowlist of those entries: saying so changes nothing at runtime. */
const repairableOne = (v: Violation) => v.policy === 'open' && v.allowFrom.length > 0;

export const channelDmPolicy: Check = {
  id: 'channel-dm-policy',
  title: 'Channel DM policies match their allowFrom',
  repairSummary: 'set dmPolicy "allowlist" where dmPolicy "open" listed concrete senders without "*"',
  async run(ctx) {
    const channels = channelsBlock(ctx);
    if (Object.keys(channels).filter((k) => k !== 'defaults').length === 0) return skipped('Skipped: no chat channels are configured.');
    const found = violations(ctx.config.value);
    if (found.length === 0) return ok('Every channel DM policy is consistent with its allowFrom.');
    const v = found[0];
    const more = found.length > 1 ? ` (and ${found.length - 1} more)` : '';
    if (v.policy === 'open') {
      if (repairableOne(v)) {
        return error(
          `${v.message}${more}; the gateway refuses this config. With concrete entries it admits only them, which is what dmPolicy "allowlist" says.`,
          `openclaw config set ${v.scope}.dmPolicy allowlist  (or, to let anyone DM the bot: openclaw config set ${v.scope}.allowFrom '["*"]')`,
          true,
        );
      }
      return error(`${v.message}${more}; the gateway refuses this config.`, `openclaw config set ${v.scope}.dmPolicy pairing  (or, to let anyone DM the bot: openclaw config set ${v.scope}.allowFrom '["*"]')`);
    }
    return error(`${v.message}${more}`, `openclaw config set ${v.scope}.dmPolicy pairing  (or list yourself: openclaw config set ${v.scope}.allowFrom '["<your numeric user id>"]')`);
  },
  repairConfig(config) {
    const next = structuredClone(config);
    for (const v of violations(config).filter(repairableOne)) setPath(next, `${v.scope}.dmPolicy`, 'allowlist');
    return next;
  },
};
