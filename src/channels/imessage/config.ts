// `channels.imessage`: the keys this gateway acts on typed, every other upstream key (attachments,
// catchup, sendTransport, actions…) accepted as written so an existing ~/.openclaw still loads.
// There is no token: an enabled `channels.imessage` block is a configured account.
import { z } from 'zod';
import { DEFAULT_ACCOUNT_ID, type GroupPolicy } from '../types.js';
// Types only: ../config.ts imports this file for its schema, so no values may come back from it.
import type { GroupRule, ResolvedAccount } from '../config.js';
import { normalizeHandle } from './facts.js';
import { sharedAccessFields } from '../access-fields.js';

const dmPolicy = z.enum(['pairing', 'allowlist', 'open', 'disabled']);
const groupPolicy = z.enum(['open', 'disabled', 'allowlist']);
const idList = z.array(z.union([z.string(), z.number()]));
const nonNegInt = z.number().int().nonnegative();
const posInt = z.number().int().positive();

const imessageGroupEntry = z.looseObject({
  requireMention: z.boolean().optional(),
  enabled: z.boolean().optional(),
  allowFrom: idList.optional(),
  systemPrompt: z.string().optional(),
});

const imessageAccountShape = {
  name: z.string().optional(),
  enabled: z.boolean().optional(),
  /** The `imsg` binary, or an SSH wrapper that runs it on the Messages Mac. */
  cliPath: z.string().min(1).optional(),
  /** Messages database (`~/Library/Messages/chat.db` when unset), passed to `imsg rpc --db`. */
  dbPath: z.string().min(1).optional(),
  service: z.enum(['imessage', 'sms', 'auto']).optional(),
  region: z.string().optional(),
  dmPolicy: dmPolicy.optional(),
  allowFrom: idList.optional(),
  groupPolicy: groupPolicy.optional(),
  groupAllowFrom: idList.optional(),
  groups: z.record(z.string(), imessageGroupEntry).optional(),
  probeTimeoutMs: posInt.optional(),
  textChunkLimit: posInt.optional(),
  historyLimit: nonNegInt.optional(),
};

const imessageAccount = z.looseObject(imessageAccountShape);
export const imessageChannelSchema = z.looseObject({
  ...imessageAccountShape,
  defaultAccount: z.string().optional(),
  accounts: z.record(z.string(), imessageAccount).optional(),
});

export type IMessageChannelConfig = z.infer<typeof imessageChannelSchema>;
type IMessageAccountConfig = z.infer<typeof imessageAccount>;

export const DEFAULT_CLI_PATH = 'imsg';

const handles = (list: Array<string | number> | undefined) => list?.map((e) => (String(e).trim() === '*' ? '*' : normalizeHandle(e)));

function toGroupRule(g: z.infer<typeof imessageGroupEntry>): GroupRule {
  return { requireMention: g.requireMention, enabled: g.enabled, allowFrom: handles(g.allowFrom), systemPrompt: g.systemPrompt };
}

/** Every iMessage account of `block` (`default` when there is no accounts map). */
export function resolveIMessageAccounts(block: IMessageChannelConfig | undefined, _env: Record<string, string | undefined> = process.env, channelDefaults?: { groupPolicy?: GroupPolicy }): ResolvedAccount[] {
  if (!block) return [];
  const ids = Object.keys(block.accounts ?? {});
  return (ids.length ? ids : [DEFAULT_ACCOUNT_ID]).map((accountId) => {
    const own = (block.accounts?.[accountId] ?? {}) as IMessageAccountConfig;
    const acc = { ...block, ...own } as IMessageChannelConfig;
    const enabled = block.enabled !== false && acc.enabled !== false;
    const groups = acc.groups ? Object.fromEntries(Object.entries(acc.groups).map(([id, g]) => [id, toGroupRule(g)])) : undefined;
    return {
      channel: 'imessage' as const,
      accountId,
      name: acc.name,
      enabled,
      configured: true,
      tokenSource: 'none' as const,
      ...sharedAccessFields(acc, handles, channelDefaults),
      groups,
      imessage: {
        cliPath: acc.cliPath ?? DEFAULT_CLI_PATH,
        ...(acc.dbPath ? { dbPath: acc.dbPath } : {}),
        ...(acc.service ? { service: acc.service } : {}),
        ...(acc.region ? { region: acc.region } : {}),
        ...(acc.probeTimeoutMs ? { probeTimeoutMs: acc.probeTimeoutMs } : {}),
      },
    };
  });
}
