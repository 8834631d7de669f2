// A channel probe that fails for another reason than a rejected token or a second poller (those
// have their own checks): the Bot API or Discord's API cannot be reached from the gateway host
// (network, firewall, DNS) or an apiRoot points somewhere wrong. WhatsApp and iMessage probes have
// their own checks (channel-whatsapp-session, channel-imessage-rpc).
import { type Check, error, ok, skipped } from '../types.js';
import { channelSnapshots, discordAccounts, errorTexts, gatewayChannelStatus, isPollerConflict, isTokenRejected, skippedBecause, telegramAccounts, telegramSnapshots } from './channel-common.js';

const TELEGRAM_API = 'https://api.telegram.org';

export const channelProbe: Check = {
  id: 'channel-probe',
  title: 'Channel probes reach their service',
  async run(ctx) {
    const accounts = telegramAccounts(ctx).filter((a) => a.enabled && a.configured);
    const discord = discordAccounts(ctx).filter((a) => a.enabled && a.configured);
    if (accounts.length === 0 && discord.length === 0) return skipped('Skipped: no enabled Telegram or Discord account has credentials to probe.');
    const status = await gatewayChannelStatus(ctx);
    if (status.kind !== 'ok') return skipped(skippedBecause(status, `whether ${accounts.length ? 'Telegram' : 'Discord'} is reachable`));
    // Discord: a rejected token or a terminal close (4004/4014) is channel-discord-token's / -intents' finding.
    const discordDown = channelSnapshots(status, 'discord').filter((s) => s.probe?.ok === false && !isTokenRejected(s) && !errorTexts(s).some((t) => /\b40(04|14)\b/.test(t)));
    if (discordDown.length > 0) {
      const s = discordDown[0];
      const why = errorTexts(s)[0] ?? 'no answer';
      const fix = typeof s.probe?.fix === 'string' && s.probe.fix ? s.probe.fix : 'check network access to https://discord.com (proxy, DNS, firewall), then openclaw channels status --probe --channel discord';
      return error(`The Discord probe of account "${s.accountId}" failed (${why}), so the bot cannot reach Discord from the gateway host.`, fix);
    }
    const snaps = telegramSnapshots(status).filter((s) => s.probe && typeof s.probe.ok === 'boolean');
    const apiRootOf = (id: string) => accounts.find((a) => a.accountId === id)?.apiRoot;
    const failed = snaps.filter((s) => s.probe!.ok === false && !isTokenRejected(s) && !isPollerConflict(s) && !(s.probe!.status === 404 && !apiRootOf(s.accountId)));
    if (failed.length > 0) {
      const s = failed[0];
      const apiRoot = apiRootOf(s.accountId);
      const why = errorTexts(s)[0] ?? (s.probe?.status ? `HTTP ${s.probe.status}` : 'no answer');
      const root = (apiRoot ?? TELEGRAM_API).replace(/\/+$/, '');
      const more = failed.length > 1 ? ` (and ${failed.length - 1} more account${failed.length === 2 ? '' : 's'})` : '';
      return error(
        `The Telegram probe of account "${s.accountId}" failed (${why})${more}: ${apiRoot ? `channels.telegram.apiRoot ${apiRoot}` : TELEGRAM_API} is not reachable from the gateway host, so the bot cannot connect.`,
        `curl -sS -m 10 -o /dev/null -w '%{http_code}\\n' ${root}  (any HTTP code means it is reachable; a timeout or DNS error means the network or a firewall blocks it${apiRoot ? '; to use the public Bot API: openclaw config unset channels.telegram.apiRoot' : ''})`,
      );
    }
    if (accounts.length === 0) return ok(`Every Discord probe reached Discord (${discord.length} account${discord.length === 1 ? '' : 's'}).`);
    if (snaps.length === 0) return skipped('Skipped: the gateway ran no channel probe (no enabled account with credentials is running).');
    if (snaps.some((s) => s.probe!.ok === false)) return ok('No channel probe failed for a network reason (channel-telegram-token and channel-telegram-conflict explain the failures).');
    return ok(`Every channel probe worked (${snaps.length} Telegram account${snaps.length === 1 ? '' : 's'}).`);
  },
};
