// iMessage needs an `imsg` the gateway can run (channels.imessage.cliPath, `imsg` on PATH by
// default) and, on the Messages Mac, Full Disk Access + Automation for the process that launches
// it. Offline this checks that cliPath resolves to an executable; with the gateway up it reads the
// gateway's iMessage probe (a real `chats.list` over `imsg rpc`).
import fs from 'node:fs';
import path from 'node:path';
import { resolveIMessageAccounts, type IMessageChannelConfig } from '../../channels/imessage/config.js';
import { INSTALL_FIX, PERMISSIONS_FIX, RESTART_FIX } from '../../channels/imessage/fixes.js';
import { isPlainObject } from '../../config/path-ops.js';
import { type Check, error, ok, skipped, warn } from '../types.js';
import { channelsBlock, channelSnapshots, errorTexts, gatewayChannelStatus, skippedBecause } from './channel-common.js';

/** What the adapter says when it cannot run imsg at all (as opposed to imsg not answering). */
const MISSING_IMSG = /imsg not found|ENOENT|EACCES|not executable/;

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Where `cliPath` resolves (a path, or a name looked up in PATH), or undefined. */
export function resolveCliPath(cliPath: string, env: Record<string, string | undefined>): string | undefined {
  if (cliPath.includes('/')) return executable(cliPath) ? cliPath : undefined;
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, cliPath);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

export const channelIMessageRpc: Check = {
  id: 'channel-imessage-rpc',
  title: 'iMessage: imsg runs and answers over RPC',
  async run(ctx) {
    const block = channelsBlock(ctx).imessage;
    if (!isPlainObject(block)) return skipped('Skipped: channels.imessage is not configured.');
    let accounts;
    try {
      accounts = resolveIMessageAccounts(block as IMessageChannelConfig, ctx.env).filter((a) => a.enabled);
    } catch {
      return skipped('Skipped: channels.imessage cannot be read (see config-file).');
    }
    if (accounts.length === 0) return skipped('Skipped: no enabled iMessage account.');
    for (const a of accounts) {
      const cli = a.imessage?.cliPath ?? 'imsg';
      if (!resolveCliPath(cli, ctx.env)) {
        const where = cli.includes('/') ? `${cli} does not exist or is not executable` : `"${cli}" is not on PATH`;
        return error(`iMessage account "${a.accountId}" cannot start imsg: ${where}.`, INSTALL_FIX);
      }
    }
    const status = await gatewayChannelStatus(ctx);
    if (status.kind !== 'ok') return skipped(skippedBecause(status, 'whether imsg answers'));
    const snaps = channelSnapshots(status, 'imessage').filter((s) => s.enabled !== false);
    const notReady = snaps.find((s) => errorTexts(s).some((t) => /imsg rpc not ready after/.test(t)));
    if (notReady) {
      const text = errorTexts(notReady).find((t) => /not ready/.test(t))!;
      // The gateway's PATH may differ from this shell's: its own "imsg not found" wins over the permissions guess.
      return error(`iMessage account "${notReady.accountId}": ${text}.`, MISSING_IMSG.test(text) ? INSTALL_FIX : PERMISSIONS_FIX);
    }
    const failed = snaps.find((s) => s.probe && s.probe.ok === false);
    if (failed) {
      const why = errorTexts(failed)[0] ?? 'no answer';
      return error(`The iMessage probe of account "${failed.accountId}" failed (${why}).`, MISSING_IMSG.test(why) ? INSTALL_FIX : PERMISSIONS_FIX);
    }
    const exited = snaps.find((s) => !s.connected && errorTexts(s).some((t) => /imsg rpc exited/.test(t)));
    if (exited) return warn(`iMessage account "${exited.accountId}": ${errorTexts(exited)[0]}.`, RESTART_FIX);
    const probed = snaps.filter((s) => s.probe?.ok === true);
    if (probed.length === 0) return skipped('Skipped: the gateway ran no iMessage probe.');
    return ok(`imsg answers over RPC (${probed.length} iMessage account${probed.length === 1 ? '' : 's'}).`);
  },
};
