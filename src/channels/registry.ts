// Every channel the gateway knows, in one table: its label and limits, how its accounts are
// resolved from config, and how its adapter is loaded. Adapters are imported on first use, so a
// gateway without channels never evaluates grammY (startup time and memory stay as they were).
// A new channel is one folder under src/channels/ and one row here.
import type { Logger } from '../logging/types.js';
import type { ResolvedAccount } from './config.js';
import { resolveTelegramAccounts } from './config.js';
import type { ChannelAdapter, ChannelId } from './types.js';

export interface AdapterDeps {
  log: Logger;
  env: Record<string, string | undefined>;
}

export type AdapterFactory = (account: ResolvedAccount, deps: AdapterDeps) => ChannelAdapter;

export interface ChannelDefinition {
  id: ChannelId;
  label: string;
  /** Longest text one message may carry. */
  textLimit: number;
  /** `pairing list` column label for the sender id. */
  idLabel: string;
  /** Accounts from `channels.<id>` (undefined: no adapter in this gateway yet). */
  resolveAccounts?(block: unknown, env: Record<string, string | undefined>, defaults?: { groupPolicy?: 'open' | 'disabled' | 'allowlist' }): ResolvedAccount[];
  load?(): Promise<AdapterFactory>;
}

export const CHANNELS: Record<ChannelId, ChannelDefinition> = {
  telegram: {
    id: 'telegram',
    label: 'Telegram',
    textLimit: 4096,
    idLabel: 'telegramUserId',
    resolveAccounts: (block, env, defaults) => resolveTelegramAccounts(block as Parameters<typeof resolveTelegramAccounts>[0], env, defaults),
    load: async () => (await import('./telegram/index.js')).createTelegramAdapter,
  },
  discord: { id: 'discord', label: 'Discord', textLimit: 2000, idLabel: 'discordUserId' },
  whatsapp: { id: 'whatsapp', label: 'WhatsApp', textLimit: 4000, idLabel: 'whatsappSenderId' },
  imessage: { id: 'imessage', label: 'iMessage', textLimit: 4000, idLabel: 'imessageSenderId' },
};

export const CHANNEL_ORDER: ChannelId[] = ['telegram', 'whatsapp', 'discord', 'imessage'];

export function channelLabel(id: string): string {
  return (CHANNELS as Record<string, ChannelDefinition | undefined>)[id]?.label ?? id;
}
