// The static facts of every channel, in one table with no imports, so the CLI (status lines,
// pairing tables) reads them without loading config schemas or adapters. registry.ts adds how
// accounts are resolved and adapters loaded. A new channel is one row here and one in registry.ts.
import type { ChannelId } from './types.js';

export interface ChannelFacts {
  label: string;
  /** Longest text one message may carry. */
  textLimit: number;
  /** `pairing list` column label for the sender id. */
  idLabel: string;
  /** This gateway has an adapter for it. */
  implemented: boolean;
  /**
   * What makes an account usable: a bot token (`token` bits in status), a linked device session
   * (`linked` bits; `channels login`), or a local CLI it spawns.
   */
  credential: 'token' | 'link' | 'cli';
  /** `channels add` arguments after `--channel <id> [--account <id>]`, for fix lines. */
  addArgs: string;
  /** Where the probe talks to, for "check network access to …" fixes (none: a local process). */
  endpoint?: string;
  /** A send without a live connection fails at once with this text (`<account>` is the id); otherwise it queues. */
  offlineSendError?: string;
}

export const CHANNEL_FACTS: Record<ChannelId, ChannelFacts> = {
  telegram: { label: 'Telegram', textLimit: 4096, idLabel: 'telegramUserId', implemented: true, credential: 'token', addArgs: '--token <token from @BotFather>', endpoint: 'https://api.telegram.org' },
  discord: { label: 'Discord', textLimit: 2000, idLabel: 'discordUserId', implemented: true, credential: 'token', addArgs: '--token <bot token from the Developer Portal>', endpoint: 'https://discord.com/api/v10' },
  whatsapp: {
    label: 'WhatsApp', textLimit: 4000, idLabel: 'whatsappSenderId', implemented: true, credential: 'link', addArgs: '', endpoint: 'web.whatsapp.com',
    // Upstream's rule: WhatsApp Web has no server-side queue for us, so a send needs the live socket.
    offlineSendError: 'No active WhatsApp Web listener (account: <account>)',
  },
  imessage: { label: 'iMessage', textLimit: 4000, idLabel: 'imessageSenderId', implemented: true, credential: 'cli', addArgs: '--cli-path <path to imsg>' },
};

/** Upstream's display order of channels in status output. */
export const CHANNEL_ORDER: ChannelId[] = ['telegram', 'whatsapp', 'discord', 'imessage'];

export const IMPLEMENTED_CHANNELS: readonly ChannelId[] = (Object.keys(CHANNEL_FACTS) as ChannelId[]).filter((id) => CHANNEL_FACTS[id].implemented);

const mapFacts = <K extends keyof ChannelFacts>(k: K) => Object.fromEntries(Object.entries(CHANNEL_FACTS).map(([id, f]) => [id, f[k]])) as Record<ChannelId, ChannelFacts[K]>;
export const CHANNEL_LABELS: Record<ChannelId, string> = mapFacts('label');
/** The sender-id column of `openclaw pairing list`. */
export const PAIRING_ID_LABELS: Record<ChannelId, string> = mapFacts('idLabel');

const accountFlag = (accountId: string | undefined) => (accountId && accountId !== 'default' ? ` --account ${accountId}` : '');

/** How to set a channel up from nothing: `openclaw channels add …` (WhatsApp: then link the phone). */
export function setupCommand(id: ChannelId, accountId?: string): string {
  const f = accountFlag(accountId);
  if (CHANNEL_FACTS[id].credential === 'link') return `openclaw channels add --channel ${id}${f}, then ${credentialCommand(id, accountId)}`;
  return `openclaw channels add --channel ${id}${f} ${CHANNEL_FACTS[id].addArgs}`;
}

/** How to give an account that is in the config its missing credential. */
export function credentialCommand(id: ChannelId, accountId?: string): string {
  const f = accountFlag(accountId);
  if (CHANNEL_FACTS[id].credential === 'link') return `openclaw channels login --channel ${id}${f}`;
  return `openclaw channels add --channel ${id}${f} ${CHANNEL_FACTS[id].addArgs}`;
}

/** What an account without its credential lacks, for "account X <lacks>" errors. */
export function missingCredentialText(id: ChannelId): string {
  const c = CHANNEL_FACTS[id].credential;
  return c === 'link' ? 'is not linked' : c === 'cli' ? 'has no cliPath' : 'has no token';
}

export function channelLabel(id: string): string {
  return (CHANNEL_FACTS as Record<string, ChannelFacts | undefined>)[id]?.label ?? id;
}
