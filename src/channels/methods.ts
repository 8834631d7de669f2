// RPC methods of the channel layer: `channels.status` (what `openclaw channels status` prints),
// `channels.start|stop|logout` (one account's listener; upstream's closed params), and `send` (a
// direct outbound message, what `openclaw message send` calls). Pairing methods live in
// pairing/methods.ts.
import { z } from 'zod';
import { MethodError, type MethodDef } from '../gateway/methods/types.js';
import type { ChannelManager } from './manager.js';
import { formatAccountLine } from './status-line.js';
import { CHANNEL_IDS, type ChannelId, type ChannelsStatusPayload } from './types.js';

const channelId = z.enum(CHANNEL_IDS);

export function channelMethods(manager: ChannelManager): MethodDef[] {
  return [
    {
      name: 'channels.status',
      scope: 'operator.read',
      params: z.object({ channel: z.string().optional(), probe: z.boolean().optional(), timeoutMs: z.number().int().positive().optional() }),
      handler: async ({ params }) => {
        if (params.channel && !CHANNEL_IDS.includes(params.channel as ChannelId)) throw new MethodError('INVALID_REQUEST', `unknown channel "${params.channel}" (expected one of: ${CHANNEL_IDS.join(', ')})`);
        const payload = await manager.status({ channel: params.channel as ChannelId | undefined, probe: params.probe, timeoutMs: params.timeoutMs });
        return { ...payload, statusLines: accountStatusLines(payload) };
      },
    },
    ...(['start', 'stop', 'logout'] as const).map((op): MethodDef => ({
      name: `channels.${op}`,
      scope: 'operator.admin',
      params: z.strictObject({ channel: z.string().min(1), accountId: z.string().optional() }),
      handler: async ({ params }) => {
        const channel = knownChannel(params.channel);
        try {
          if (op === 'start') return await manager.startAccountById(channel, params.accountId);
          if (op === 'stop') return await manager.stopAccountById(channel, params.accountId);
          return await manager.logoutAccountById(channel, params.accountId);
        } catch (err) {
          const e = err as Error & { fix?: string };
          throw new MethodError('INVALID_REQUEST', e.message, e.fix ? { fix: e.fix } : undefined);
        }
      },
    })),
    {
      name: 'send',
      scope: 'operator.write',
      sideEffect: true,
      params: z.object({
        to: z.string().min(1),
        message: z.string().max(100_000).optional(),
        channel: channelId.optional(),
        accountId: z.string().min(1).optional(),
        threadId: z.string().optional(),
        timeoutMs: z.number().int().positive().max(120_000).optional(),
      }),
      handler: ({ params }) => {
        const channel = params.channel ?? onlyChannel(manager);
        if (!params.message?.trim()) throw new MethodError('INVALID_REQUEST', 'message is empty (media sends are not supported by this gateway yet)');
        return manager.sendText({ channel, accountId: params.accountId, to: params.to, text: params.message, threadId: params.threadId }, params.timeoutMs ?? 15_000);
      },
    },
  ];
}

/**
 * Per channel, each account's `channels status` line (same order as channelAccounts), made by the
 * CLI's own formatter so the Control UI and the CLI never disagree.
 */
export function accountStatusLines(payload: ChannelsStatusPayload): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [channel, accounts] of Object.entries(payload.channelAccounts ?? {})) {
    out[channel] = accounts.map((a) => formatAccountLine(payload.channelLabels?.[channel] ?? channel, a, payload.ts));
  }
  return out;
}

function knownChannel(raw: string): ChannelId {
  const id = raw.trim().toLowerCase();
  if (!CHANNEL_IDS.includes(id as ChannelId)) throw new MethodError('INVALID_REQUEST', `unknown channel: ${raw} (expected one of: ${CHANNEL_IDS.join(', ')})`);
  return id as ChannelId;
}

/** `send` without a channel works when exactly one channel is configured. */
function onlyChannel(manager: ChannelManager): ChannelId {
  const ids = [...new Set(manager.accounts().map((a) => a.channel))];
  if (ids.length === 1) return ids[0];
  throw new MethodError('INVALID_REQUEST', ids.length ? `channel required (configured: ${ids.join(', ')})` : 'no chat channel is configured (openclaw channels add --channel telegram --token <token>)');
}
