// Every channel the gateway knows, in one table: its static facts (catalog.ts) and how its adapter
// is loaded (accounts are resolved in config.ts, beside the schema). Adapters are imported on first use, so a
// gateway without channels never evaluates grammY (startup time and memory stay as they were).
// A new channel is one folder under src/channels/, one row in catalog.ts (its static facts) and one here.
import { CHANNEL_FACTS, type ChannelFacts } from './catalog.js';
import type { Logger } from '../logging/types.js';
import type { ResolvedAccount } from './config.js';
import type { ChannelAdapter, ChannelId } from './types.js';

export interface AdapterDeps {
  log: Logger;
  env: Record<string, string | undefined>;
}

export type AdapterFactory = (account: ResolvedAccount, deps: AdapterDeps) => ChannelAdapter;

export interface ChannelDefinition extends ChannelFacts {
  id: ChannelId;
  load?(): Promise<AdapterFactory>;
}

export const CHANNELS: Record<ChannelId, ChannelDefinition> = {
  telegram: {
    id: 'telegram',
    ...CHANNEL_FACTS.telegram,
    load: async () => (await import('./telegram/index.js')).createTelegramAdapter,
  },
  discord: {
    id: 'discord',
    ...CHANNEL_FACTS.discord,
    load: async () => (await import('./discord/index.js')).createDiscordAdapter,
  },
  whatsapp: {
    id: 'whatsapp',
    ...CHANNEL_FACTS.whatsapp,
    load: async () => (await import('./whatsapp/index.js')).createWhatsAppAdapter,
  },
  imessage: {
    id: 'imessage',
    ...CHANNEL_FACTS.imessage,
    load: async () => (await import('./imessage/index.js')).createIMessageAdapter,
  },
};

export { CHANNEL_ORDER, channelLabel } from './catalog.js';
