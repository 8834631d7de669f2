// The Message Content intent, which guild messages need for their text. Discord closes the Gateway
// with 4014 when the bot asks for an intent its application lacks (terminal: no reconnect), and the
// application flags say `enabled` (approved), `limited` (the Developer Portal toggle, honoured only
// below 100 servers) or `disabled`. Accounts with intents.messageContent=false do not ask for it.
import { INTENT_DISABLED_MESSAGE, INTENT_FIX, INTENT_LIMITED_FIX } from '../../channels/discord/errors.js';
import type { ChannelAccountSnapshot } from '../../channels/types.js';
import { type Check, error, ok, skipped, warn } from '../types.js';
import { channelSnapshots, discordAccounts, errorTexts, gatewayChannelStatus, skippedBecause } from './channel-common.js';

export type MessageContent = 'enabled' | 'limited' | 'disabled';

/** Discord stops honouring the Portal toggle (`limited`) at this many servers. */
export const LIMITED_SERVER_CAP = 100;
/** From here on a `limited` intent is worth a warning: verification (and intent approval) is near. */
export const LIMITED_WARN_AT = 90;

/** The probe's reading (fresher), else the one READY gave (upstream's snapshot field `application.intents.messageContent`). */
export function messageContentOf(s: ChannelAccountSnapshot): MessageContent | undefined {
  const probe = (s.probe as { application?: { intents?: { messageContent?: unknown } } } | undefined)?.application?.intents?.messageContent;
  const ready = (s as { application?: { intents?: { messageContent?: unknown } } }).application?.intents?.messageContent;
  const v = probe ?? ready;
  return v === 'enabled' || v === 'limited' || v === 'disabled' ? v : undefined;
}

/** `approximate_guild_count` of the probe's GET /oauth2/applications/@me, when Discord sent it. */
export function guildCountOf(s: ChannelAccountSnapshot): number | undefined {
  const n = (s.probe as { application?: { approximateGuildCount?: unknown } } | undefined)?.application?.approximateGuildCount;
  return typeof n === 'number' ? n : undefined;
}

export const channelDiscordIntents: Check = {
  id: 'channel-discord-intents',
  title: 'Discord grants the Message Content intent',
  async run(ctx) {
    const accounts = discordAccounts(ctx).filter((a) => a.enabled && a.configured);
    if (accounts.length === 0) return skipped('Skipped: no enabled Discord account has a token.');
    const asking = accounts.filter((a) => a.discord?.messageContent !== false);
    if (asking.length === 0) return ok('No Discord account asks for the Message Content intent (intents.messageContent=false: DMs and explicit mentions only).');
    const status = await gatewayChannelStatus(ctx);
    if (status.kind !== 'ok') return skipped(skippedBecause(status, 'the Message Content intent'));
    const snaps = channelSnapshots(status, 'discord').filter((s) => asking.some((a) => a.accountId === s.accountId));

    const closed = snaps.find((s) => errorTexts(s).some((t) => /\b4014\b/.test(t)));
    if (closed) {
      const x = asking.find((a) => a.accountId === closed.accountId)?.discord;
      const others = [x?.guildMembers ? 'Server Members' : '', x?.presence ? 'Presence' : ''].filter(Boolean);
      const also = others.length ? ` This account also asks for the ${others.join(' and ')} intent${others.length === 1 ? '' : 's'}, which must be enabled there too.` : '';
      return error(`Discord account "${closed.accountId}": ${errorTexts(closed).find((t) => /\b4014\b/.test(t))}; the gateway does not reconnect it.${also}`, INTENT_FIX);
    }
    const disabled = snaps.find((s) => messageContentOf(s) === 'disabled');
    if (disabled) return error(`Discord account "${disabled.accountId}" (intents:content=disabled): ${INTENT_DISABLED_MESSAGE}`, INTENT_FIX);
    const nearCap = snaps.find((s) => messageContentOf(s) === 'limited' && (guildCountOf(s) ?? 0) >= LIMITED_WARN_AT);
    if (nearCap) {
      return warn(
        `Discord account "${nearCap.accountId}" has the Message Content intent only as the Developer Portal toggle (intents:content=limited), which Discord honours for bots in fewer than ${LIMITED_SERVER_CAP} servers; this bot is in ${guildCountOf(nearCap)}.`,
        INTENT_LIMITED_FIX,
      );
    }
    const known = snaps.filter((s) => messageContentOf(s));
    if (known.length === 0) return skipped('Skipped: the gateway does not know the application flags of any Discord account yet (no READY and no working probe).');
    const states = known.map((s) => `"${s.accountId}": ${messageContentOf(s) === 'limited' ? `limited (the Developer Portal toggle; enough below ${LIMITED_SERVER_CAP} servers)` : 'enabled'}`);
    return ok(`Discord grants the Message Content intent (${states.join(', ')}).`);
  },
};
