// One bot token, one poller: a second gateway, a dev copy or a webhook still registered at Telegram
// makes getUpdates fail with "409: Conflict: terminated by other getUpdates request", and this
// gateway misses messages. Two accounts of this config sharing a token is the same fault, offline.
import { tokenOwners } from '../../channels/status-line.js';
import { type Check, error, ok, skipped, warn } from '../types.js';
import { gatewayChannelStatus, isPollerConflict, skippedBecause, strayWebhookUrl, telegramAccounts, telegramSnapshots } from './channel-common.js';

export const channelTelegramConflict: Check = {
  id: 'channel-telegram-conflict',
  title: 'One poller per Telegram bot token',
  async run(ctx) {
    const accounts = telegramAccounts(ctx).filter((a) => a.enabled && a.configured);
    if (accounts.length === 0) return skipped('Skipped: no enabled Telegram account has a token.');
    const owners = tokenOwners(accounts);
    const dup = accounts.find((a) => owners.get(a) !== a.accountId);
    if (dup) {
      return warn(
        `Telegram accounts "${owners.get(dup)}" and "${dup.accountId}" use the same bot token; only one poller per token works (the other gets 409 Conflict), so "${dup.accountId}" is not started.`,
        `openclaw channels remove --channel telegram --account ${dup.accountId} --yes  (or give it its own bot: openclaw channels add --channel telegram --account ${dup.accountId} --token <token>)`,
      );
    }
    const status = await gatewayChannelStatus(ctx);
    if (status.kind !== 'ok') return skipped(skippedBecause(status, 'a second poller (409 Conflict)'));
    const snaps = telegramSnapshots(status).filter((s) => s.enabled !== false);
    const hooked = snaps.find((s) => strayWebhookUrl(s));
    if (hooked) {
      const root = (accounts.find((a) => a.accountId === hooked.accountId)?.apiRoot ?? 'https://api.telegram.org').replace(/\/+$/, '');
      return error(
        `Telegram account "${hooked.accountId}" polls, but a webhook is registered for its bot (${strayWebhookUrl(hooked)}; set by another deployment after this gateway deleted it at start), so getUpdates fails with 409 Conflict and no message arrives.`,
        `stop the deployment that registers that webhook, then: curl -sS "${root}/bot<token>/deleteWebhook"  (with this account's token) and openclaw gateway restart`,
      );
    }
    const conflict = snaps.find(isPollerConflict);
    if (conflict) {
      return error(
        `Telegram account "${conflict.accountId}": another process polls with the same bot token (409: Conflict: terminated by other getUpdates request), so this gateway misses messages.`,
        'stop the other bot instance using this token (another gateway, a dev copy, a bot script), then: openclaw gateway restart',
      );
    }
    return ok(`No other poller or webhook competes for the Telegram bot token${snaps.length === 1 ? '' : 's'}.`);
  },
};
