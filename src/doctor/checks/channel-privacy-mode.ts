// Telegram groups configured to answer without a mention (requireMention=false) while the bot's
// privacy mode is on: Telegram then delivers only commands and mentions, so the setting has no
// effect. The live probe (getMe canReadAllGroupMessages) confirms it when the gateway runs.
import type { GroupRule } from '../../channels/config.js';
import { type Check, ok, skipped, warn } from '../types.js';
import { gatewayChannelStatus, telegramAccounts, telegramSnapshots } from './channel-common.js';

/** Upstream's status issue (extensions/telegram/src/status-issues.ts), word for word. */
export const PRIVACY_MODE_MESSAGE = 'Config allows unmentioned group messages (requireMention=false). Telegram Bot API privacy mode will block most group messages unless disabled.';
export const PRIVACY_MODE_FIX = 'In BotFather run /setprivacy → Disable for this bot (then restart the gateway).';

/** Group (and topic) ids whose rule says requireMention=false. */
export function unmentionedGroups(groups: Record<string, GroupRule> | undefined): string[] {
  const out: string[] = [];
  for (const [id, g] of Object.entries(groups ?? {})) {
    if (g.enabled === false) continue;
    if (g.requireMention === false) out.push(id);
    for (const [topic, t] of Object.entries(g.topics ?? {})) if (t.requireMention === false && t.enabled !== false) out.push(`${id}:topic:${topic}`);
  }
  return out;
}

export const channelPrivacyMode: Check = {
  id: 'channel-privacy-mode',
  title: 'Telegram privacy mode allows unmentioned group messages',
  async run(ctx) {
    const affected = telegramAccounts(ctx)
      .filter((a) => a.enabled && a.groupPolicy !== 'disabled')
      .map((a) => ({ account: a, groups: unmentionedGroups(a.groups) }))
      .filter((x) => x.groups.length > 0);
    if (affected.length === 0) return skipped('Skipped: no Telegram group is configured with requireMention=false.');
    const status = await gatewayChannelStatus(ctx);
    const snaps = telegramSnapshots(status);
    const canRead = (id: string) => (snaps.find((s) => s.accountId === id)?.probe as { bot?: { canReadAllGroupMessages?: unknown } } | undefined)?.bot?.canReadAllGroupMessages;
    const blocked = affected.filter((x) => canRead(x.account.accountId) !== true);
    if (blocked.length === 0) return ok(`Privacy mode is off for every Telegram bot with requireMention=false groups, so unmentioned group messages arrive.`);
    const { account, groups } = blocked[0];
    const confirmed = canRead(account.accountId) === false;
    const where = `groups ${groups.slice(0, 3).join(', ')}${groups.length > 3 ? ` and ${groups.length - 3} more` : ''}`;
    const known = confirmed ? ' getMe confirms privacy mode is on for this bot.' : status.kind === 'ok' ? '' : ' (Not confirmed live: the gateway did not answer.)';
    return warn(`Telegram account "${account.accountId}" (${where}): ${PRIVACY_MODE_MESSAGE}${known}`, `${PRIVACY_MODE_FIX} Then remove the bot from the group and add it again.`);
  },
};
