// The access keys every channel's resolver reads the same way, so the defaults live in one place.
import type { ResolvedAccount } from './config.js';
import type { DmPolicy, GroupPolicy } from './types.js';

/** The access keys every channel account shares, with upstream's defaults (dmPolicy pairing, groupPolicy allowlist). */
export interface SharedAccessInput {
  dmPolicy?: DmPolicy;
  allowFrom?: Array<string | number>;
  groupPolicy?: GroupPolicy;
  groupAllowFrom?: Array<string | number>;
  historyLimit?: number;
  textChunkLimit?: number;
  healthMonitor?: { enabled?: boolean };
}

export function sharedAccessFields(acc: SharedAccessInput, normalize: (list: Array<string | number> | undefined) => string[] | undefined, channelDefaults?: { groupPolicy?: GroupPolicy }) {
  return {
    dmPolicy: acc.dmPolicy ?? 'pairing',
    allowFrom: normalize(acc.allowFrom) ?? [],
    groupPolicy: acc.groupPolicy ?? channelDefaults?.groupPolicy ?? 'allowlist',
    groupAllowFrom: normalize(acc.groupAllowFrom),
    historyLimit: acc.historyLimit,
    textChunkLimit: acc.textChunkLimit,
    healthMonitor: acc.healthMonitor?.enabled !== false,
  } satisfies Partial<ResolvedAccount>;
}
