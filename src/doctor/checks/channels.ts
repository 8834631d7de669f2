// Enabled chat channels need their credentials; doctor checks presence (the gateway checks validity).
import { isPlainObject } from '../../config/path-ops.js';
import { valueAt } from '../config-view.js';
import { type Check, isFinding, ok, settingsOf, skipped, warn } from '../types.js';

/** The credential key each built-in channel needs. */
const CREDENTIAL_KEYS: Record<string, string[]> = {
  telegram: ['botToken', 'tokenFile'],
  discord: ['token'],
  slack: ['botToken'],
};

export const channels: Check = {
  id: 'channels',
  title: 'Chat channels configured',
  async run(ctx) {
    const settings = settingsOf(ctx);
    if (isFinding(settings)) return settings;
    const section = valueAt(ctx.config.value, 'channels');
    const enabled = isPlainObject(section) ? Object.entries(section).filter(([, c]) => isPlainObject(c) && c.enabled !== false) : [];
    if (enabled.length === 0) return skipped('Skipped: no chat channels are configured.');
    const missing = enabled.flatMap(([name, c]) => {
      const keys = CREDENTIAL_KEYS[name];
      return keys && !keys.some((k) => (c as Record<string, unknown>)[k]) ? [`channels.${name}.${keys[0]}`] : [];
    });
    if (missing.length) return warn(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set, so that channel cannot connect.`, `openclaw config set ${missing[0]} "<token>"`);
    return ok(`${enabled.map(([n]) => n).join(', ')} configured with credentials (live status: openclaw channels status --probe).`);
  },
};
