// Discord refuses a DM with 50007 (Cannot send messages to this user) when the recipient shares no
// server with the bot or does not accept DMs from server members. The outbound queue gives up on it
// at once (not retryable); the gateway's outbound status warning names the newest failure, so only
// a 50007 that is an account's newest failure is seen here (the logs keep every one).
import { DM_BLOCKED_FIX } from '../../channels/discord/errors.js';
import { type Check, ok, skipped, warn } from '../types.js';
import { channelIssues, discordAccounts, gatewayChannelStatus, skippedBecause } from './channel-common.js';

export const channelDiscordDm: Check = {
  id: 'channel-discord-dm',
  title: 'Discord users accept the bot\'s DMs',
  async run(ctx) {
    if (!discordAccounts(ctx).some((a) => a.enabled && a.configured)) return skipped('Skipped: no enabled Discord account has a token.');
    const status = await gatewayChannelStatus(ctx);
    if (status.kind !== 'ok') return skipped(skippedBecause(status, 'whether Discord refused a DM'));
    const refused = channelIssues(status, 'discord').find((i) => i.kind === 'outbound' && /\(50007\)/.test(i.message));
    if (refused) return warn(`Discord account "${refused.accountId}": ${refused.message}; the recipient does not accept DMs from this bot.`, DM_BLOCKED_FIX);
    return ok('No Discord DM was refused with 50007 (Cannot send messages to this user) in the last 24 h.');
  },
};
