// Enabled chat channels need their credentials; doctor checks presence (the gateway checks validity:
// channel-telegram-token, and channel-token-file for a tokenFile it cannot read). Discord's token
// (env, SecretRef, accounts) is channel-discord-token's, WhatsApp's session channel-whatsapp-session's.
import { isPlainObject } from '../../config/path-ops.js';
import { valueAt } from '../config-view.js';
import { type Check, isFinding, ok, settingsOf, skipped, warn } from '../types.js';
import { accountKeyPath, channelsAddCommand, telegramAccounts } from './channel-common.js';

/** The credential key other channels need (Telegram is resolved per account, env included). */
const CREDENTIAL_KEYS: Record<string, string[]> = {
  slack: ['botToken'],
};

export const channels: Check = {
  id: 'channels',
  title: 'Chat channels configured',
  async run(ctx) {
    const settings = settingsOf(ctx);
    if (isFinding(settings)) return settings;
    const section = valueAt(ctx.config.value, 'channels');
    const enabled = isPlainObject(section) ? Object.entries(section).filter(([name, c]) => name !== 'defaults' && isPlainObject(c) && c.enabled !== false) : [];
    if (enabled.length === 0) return skipped('Skipped: no chat channels are configured.');
    // Telegram: every enabled account needs a token from tokenFile, botToken or (default account) TELEGRAM_BOT_TOKEN.
    const telegram = enabled.some(([n]) => n === 'telegram') ? telegramAccounts(ctx).filter((a) => a.enabled && !a.configured && !a.tokenError) : [];
    if (telegram.length > 0) {
      const keys = telegram.map((a) => accountKeyPath(ctx, a.accountId, 'botToken'));
      const first = telegram[0];
      return warn(
        `${keys.join(', ')} ${keys.length === 1 ? 'is' : 'are'} not set (nor tokenFile${first.accountId === 'default' ? ' or TELEGRAM_BOT_TOKEN' : ''}), so ${telegram.length === 1 ? `Telegram account "${first.accountId}"` : 'those Telegram accounts'} cannot connect.`,
        `${channelsAddCommand(first.accountId, '--token <token>')}  (writes ${keys[0]})`,
      );
    }
    // tokenFile problems are channel-token-file's; a SecretRef that resolves to nothing is said here.
    const unresolved = enabled.some(([n]) => n === 'telegram') ? telegramAccounts(ctx).filter((a) => a.enabled && !a.configured && a.tokenError && a.tokenSource !== 'tokenFile') : [];
    if (unresolved.length > 0) {
      const a = unresolved[0];
      return warn(
        `${accountKeyPath(ctx, a.accountId, 'botToken')}: ${a.tokenError!.replace(/^botToken /, '')}, so Telegram account "${a.accountId}" cannot connect.`,
        `${channelsAddCommand(a.accountId, '--token <token>')}  (or export the variable in the gateway's environment and: openclaw gateway restart)`,
      );
    }
    const missing = enabled.flatMap(([name, c]) => {
      const keys = CREDENTIAL_KEYS[name];
      return keys && !keys.some((k) => (c as Record<string, unknown>)[k]) ? [`channels.${name}.${keys[0]}`] : [];
    });
    if (missing.length) return warn(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set, so that channel cannot connect.`, `openclaw config set ${missing[0]} "<token>"`);
    return ok(`${enabled.map(([n]) => n).join(', ')} configured (credentials: the channel-* checks; live status: openclaw channels status --probe).`);
  },
};
