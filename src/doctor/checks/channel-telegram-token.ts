// A Telegram bot token the Bot API rejects (getMe 401): the bot stops before polling. Only the
// running gateway can tell (it probes with the token it actually uses); when it is down this skips.
import { type Check, error, ok, skipped } from '../types.js';
import { channelsAddCommand, gatewayChannelStatus, isTokenRejected, quoteIds, skippedBecause, telegramAccounts, telegramSnapshots } from './channel-common.js';

export const channelTelegramToken: Check = {
  id: 'channel-telegram-token',
  title: 'Telegram accepts the bot token',
  async run(ctx) {
    const accounts = telegramAccounts(ctx).filter((a) => a.enabled && a.configured);
    if (accounts.length === 0) return skipped('Skipped: no enabled Telegram account has a token.');
    const status = await gatewayChannelStatus(ctx);
    if (status.kind !== 'ok') return skipped(skippedBecause(status, 'the Telegram token'));
    const snaps = telegramSnapshots(status);
    // 404 from getMe means a malformed token, unless a custom apiRoot may be the wrong one (channel-probe's case).
    const apiRootOf = (id: string) => accounts.find((a) => a.accountId === id)?.apiRoot;
    const rejected = snaps.filter((s) => s.enabled !== false && (isTokenRejected(s) || (s.probe?.status === 404 && !apiRootOf(s.accountId))));
    if (rejected.length > 0) {
      const first = rejected[0];
      const source = accounts.find((a) => a.accountId === first.accountId)?.tokenSource ?? first.tokenSource;
      const fix = source === 'env'
        ? "export TELEGRAM_BOT_TOKEN='<new token from @BotFather>' in the gateway's environment, then: openclaw gateway restart"
        : channelsAddCommand(first.accountId, '--token <new token from @BotFather: /mybots → API Token>');
      const which = rejected.length === 1 ? `account "${first.accountId}"` : `accounts ${quoteIds(rejected.map((s) => s.accountId))}`;
      const answer = first.probe?.status === 404 ? '404 Not Found: malformed' : '401 Unauthorized: revoked or mistyped';
      return error(`Telegram rejects the bot token of ${which} (getMe returned ${answer}), so that bot cannot connect.`, fix);
    }
    const probed = snaps.filter((s) => s.probe && s.probe.ok === true);
    if (probed.length === 0) return skipped('Skipped: the gateway ran no Telegram probe (no enabled account with a token is running).');
    const bots = probed.map((s) => (s.bot?.username ?? (s.probe as { bot?: { username?: string } }).bot?.username)).filter(Boolean).map((u) => `@${String(u).replace(/^@/, '')}`);
    return ok(`Telegram accepts the bot token${probed.length === 1 ? '' : 's'}${bots.length ? ` (${bots.join(', ')})` : ''}.`);
  },
};
