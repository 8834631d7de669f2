// The command owner (`commands.ownerAllowFrom`, entries `<channel>:<senderId>`): the first CLI
// pairing approval fills it when it is empty. Checked and written under one config lock (the lock
// is re-entrant, so setConfigValue inside it keeps its validation and backups), so two approvals
// at once cannot both become the owner.
import { readEditableConfig, setConfigValue } from '../../config/edit.js';
import { withConfigLock } from '../../config/lock.js';
import { loadConfig } from '../../config/load.js';
import type { ChannelId } from '../types.js';

export type OwnerBootstrap = { status: 'configured'; entry: string; backupPath?: string } | { status: 'already-configured'; owners: string[] };

const ownersOf = (value: unknown): string[] => {
  const list = (value as { commands?: { ownerAllowFrom?: unknown } } | undefined)?.commands?.ownerAllowFrom;
  return Array.isArray(list) ? list.map((e) => String(e).trim()).filter(Boolean) : [];
};

/** True when commands.ownerAllowFrom has at least one entry (false for a missing or unreadable config). */
export function commandOwnerConfigured(configPath: string): boolean {
  try {
    return ownersOf(loadConfig(configPath).config).length > 0;
  } catch {
    return false;
  }
}

/** Sets commands.ownerAllowFrom to ["<channel>:<senderId>"] when it is empty or absent. Throws ConfigError. */
export function bootstrapCommandOwner(configPath: string, channel: ChannelId, senderId: string): OwnerBootstrap {
  return withConfigLock(configPath, () => {
    const owners = ownersOf(readEditableConfig(configPath).value);
    if (owners.length > 0) return { status: 'already-configured' as const, owners };
    const entry = `${channel}:${senderId}`;
    const result = setConfigValue(configPath, 'commands.ownerAllowFrom', JSON.stringify([entry]), { strictJson: true });
    return { status: 'configured' as const, entry, backupPath: result.backupPath };
  });
}
