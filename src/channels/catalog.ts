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
}

export const CHANNEL_FACTS: Record<ChannelId, ChannelFacts> = {
  telegram: { label: 'Telegram', textLimit: 4096, idLabel: 'telegramUserId', implemented: true },
  discord: { label: 'Discord', textLimit: 2000, idLabel: 'discordUserId', implemented: true },
  whatsapp: { label: 'WhatsApp', textLimit: 4000, idLabel: 'whatsappSenderId', implemented: true },
  imessage: { label: 'iMessage', textLimit: 4000, idLabel: 'imessageSenderId', implemented: true },
};

/** Upstream's display order of channels in status output. */
export const CHANNEL_ORDER: ChannelId[] = ['telegram', 'whatsapp', 'discord', 'imessage'];

export const IMPLEMENTED_CHANNELS: readonly ChannelId[] = (Object.keys(CHANNEL_FACTS) as ChannelId[]).filter((id) => CHANNEL_FACTS[id].implemented);

const mapFacts = <K extends keyof ChannelFacts>(k: K) => Object.fromEntries(Object.entries(CHANNEL_FACTS).map(([id, f]) => [id, f[k]])) as Record<ChannelId, ChannelFacts[K]>;
export const CHANNEL_LABELS: Record<ChannelId, string> = mapFacts('label');
/** The sender-id column of `openclaw pairing list`. */
export const PAIRING_ID_LABELS: Record<ChannelId, string> = mapFacts('idLabel');

export function channelLabel(id: string): string {
  return (CHANNEL_FACTS as Record<string, ChannelFacts | undefined>)[id]?.label ?? id;
}
