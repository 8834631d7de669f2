// Which session a channel message belongs to. DMs follow `session.dmScope` (upstream's key
// shapes, so `openclaw sessions … --session-key agent:main:telegram:direct:123` works the same);
// every group (and forum topic) has its own session.
import type { InboundFacts } from './types.js';

export type DmScope = 'main' | 'per-peer' | 'per-channel-peer' | 'per-account-channel-peer';

export function channelSessionKey(f: Pick<InboundFacts, 'channel' | 'accountId' | 'chatType' | 'senderId' | 'groupId' | 'chatId' | 'threadId'>, agentId: string, dmScope: DmScope = 'main'): string {
  if (f.chatType === 'group') {
    const topic = f.threadId ? `:topic:${f.threadId}` : '';
    return `agent:${agentId}:${f.channel}:group:${f.groupId ?? f.chatId}${topic}`;
  }
  switch (dmScope) {
    case 'per-peer':
      return `agent:${agentId}:direct:${f.senderId}`;
    case 'per-channel-peer':
      return `agent:${agentId}:${f.channel}:direct:${f.senderId}`;
    case 'per-account-channel-peer':
      return `agent:${agentId}:${f.channel}:${f.accountId}:direct:${f.senderId}`;
    case 'main':
    default:
      return `agent:${agentId}:main`;
  }
}
