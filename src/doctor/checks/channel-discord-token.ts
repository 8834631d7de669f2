// A Discord account without a usable bot token: none set, a SecretRef the gateway cannot resolve,
// or a token Discord rejected (Gateway close 4004, or 401 from the probe / GET /gateway/bot). The
// first two come from the config; a rejection only from the running gateway (skipped when it is down).
import type { ResolvedAccount } from '../../channels/config.js';
import { TOKEN_SOURCE, tokenFix } from '../../channels/discord/errors.js';
import type { ChannelAccountSnapshot } from '../../channels/types.js';
import { type Check, error, ok, skipped } from '../types.js';
import { accountKeyPath, channelSnapshots, discordAccounts, errorTexts, gatewayChannelStatus, isTokenRejected, quoteIds, skippedBecause } from './channel-common.js';

/** 401 from a REST call, or the Gateway's 4004 (authentication failed). */
export function isDiscordTokenRejected(s: ChannelAccountSnapshot): boolean {
  return isTokenRejected(s) || errorTexts(s).some((t) => /\bclosed with 4004\b/.test(t));
}

/** A new token replaces the old one where it came from: DISCORD_BOT_TOKEN, or the config. */
function newTokenFix(account: Pick<ResolvedAccount, 'accountId' | 'tokenSource'>): string {
  return account.tokenSource === 'env'
    ? `export DISCORD_BOT_TOKEN='<new token: ${TOKEN_SOURCE}>' in the gateway's environment, then: openclaw gateway restart`
    : `${tokenFix(account.accountId)}  (new token: ${TOKEN_SOURCE})`;
}

export const channelDiscordToken: Check = {
  id: 'channel-discord-token',
  title: 'Discord has a bot token it accepts',
  async run(ctx) {
    const accounts = discordAccounts(ctx).filter((a) => a.enabled);
    if (accounts.length === 0) return skipped('Skipped: no enabled Discord account.');
    const unreadable = accounts.find((a) => !a.configured && a.tokenError);
    if (unreadable) {
      const key = accountKeyPath(ctx, unreadable.accountId, 'token', 'discord');
      const why = unreadable.tokenError!.replace(/^token /, '');
      const envVar = /environment variable (\S+) is not set/.exec(why)?.[1];
      const fix = envVar
        ? `export ${envVar}='<bot token>' in the gateway's environment, then: openclaw gateway restart  (or store the token in the config: ${tokenFix(unreadable.accountId)})`
        : `${tokenFix(unreadable.accountId)}  (stores the token in place of the SecretRef)`;
      return error(`${key}: ${why}, so Discord account "${unreadable.accountId}" cannot connect.`, fix);
    }
    const missing = accounts.filter((a) => !a.configured);
    if (missing.length > 0) {
      const keys = missing.map((a) => accountKeyPath(ctx, a.accountId, 'token', 'discord'));
      const first = missing[0];
      const which = missing.length === 1 ? `Discord account "${first.accountId}"` : `Discord accounts ${quoteIds(missing.map((a) => a.accountId))}`;
      return error(
        `${keys.join(', ')} ${keys.length === 1 ? 'is' : 'are'} not set${first.accountId === 'default' ? ' (nor DISCORD_BOT_TOKEN)' : ''}, so ${which} cannot connect.`,
        `${tokenFix(first.accountId)}  (token: ${TOKEN_SOURCE})`,
      );
    }
    const status = await gatewayChannelStatus(ctx);
    if (status.kind !== 'ok') return skipped(skippedBecause(status, 'whether Discord accepts the bot token'));
    const snaps = channelSnapshots(status, 'discord').filter((s) => s.enabled !== false);
    const rejected = snaps.filter(isDiscordTokenRejected);
    if (rejected.length > 0) {
      const first = rejected[0];
      const why = errorTexts(first).find((t) => /4004|401|unauthorized/i.test(t)) ?? 'HTTP 401';
      const which = rejected.length === 1 ? `account "${first.accountId}"` : `accounts ${quoteIds(rejected.map((s) => s.accountId))}`;
      const account = accounts.find((a) => a.accountId === first.accountId) ?? { accountId: first.accountId, tokenSource: first.tokenSource as ResolvedAccount['tokenSource'] };
      return error(`Discord rejects the bot token of ${which} (${why}), so that bot cannot connect.`, newTokenFix(account));
    }
    const probed = snaps.filter((s) => s.probe?.ok === true);
    if (probed.length === 0) {
      const failed = snaps.find((s) => s.probe?.ok === false);
      return skipped(failed
        ? `Skipped: the Discord probe of account "${failed.accountId}" failed before Discord judged the token (${errorTexts(failed)[0] ?? 'no answer'}); see: openclaw channels status --probe --channel discord.`
        : 'Skipped: the gateway ran no Discord probe (no enabled account with a token is running).');
    }
    const bots = probed.map((s) => s.bot?.username ?? (s.probe as { bot?: { username?: string } }).bot?.username).filter(Boolean).map((u) => `@${u}`);
    return ok(`Discord accepts the bot token${probed.length === 1 ? '' : 's'}${bots.length ? ` (${bots.join(', ')})` : ''}.`);
  },
};
