// channels.telegram.tokenFile that the gateway cannot use: missing, unreadable, empty, not a regular
// file, or a symlink (refused, as upstream does). The account then never connects. Also flags a
// token file other users can read.
import fs from 'node:fs';
import { isPlainObject } from '../../config/path-ops.js';
import { type Check, error, ok, skipped, warn } from '../types.js';
import { accountKeyPath, channelsAddCommand, telegramAccounts, telegramBlock } from './channel-common.js';

function tokenFileOf(block: Record<string, unknown> | undefined, accountId: string): string | undefined {
  if (!block) return undefined;
  const accounts = isPlainObject(block.accounts) ? block.accounts : {};
  const own = isPlainObject(accounts[accountId]) ? (accounts[accountId] as Record<string, unknown>).tokenFile : undefined;
  const v = own ?? block.tokenFile;
  return typeof v === 'string' && v ? v : undefined;
}

export const channelTokenFile: Check = {
  id: 'channel-token-file',
  title: 'Telegram token files are readable',
  async run(ctx) {
    const block = telegramBlock(ctx);
    const users = telegramAccounts(ctx).filter((a) => a.enabled && a.tokenSource === 'tokenFile');
    if (users.length === 0) return skipped('Skipped: no enabled Telegram account uses tokenFile.');
    const broken = users.find((a) => a.tokenError);
    if (broken) {
      const file = tokenFileOf(block, broken.accountId) ?? '<tokenFile>';
      const key = accountKeyPath(ctx, broken.accountId, 'tokenFile');
      const e = broken.tokenError!;
      const fix = /symlink/.test(e)
        ? `openclaw config set ${key} "$(readlink -f ${file})"`
        : /empty/.test(e)
          ? `printf '%s\\n' '<token from @BotFather>' > ${file} && chmod 600 ${file}`
          : /ENOENT/.test(e)
            ? channelsAddCommand(broken.accountId, '--token-file <path of the file holding the token>')
            : /not a regular file/.test(e)
              ? `ls -l ${file}`
              : `ls -l ${file}  (the gateway's user must be able to read it)`;
      return error(`${key}: ${e}, so Telegram account "${broken.accountId}" cannot connect.`, fix);
    }
    for (const a of users) {
      const file = tokenFileOf(block, a.accountId);
      if (!file) continue;
      try {
        if ((fs.statSync(file).mode & 0o077) !== 0) return warn(`${file} (the bot token of Telegram account "${a.accountId}") is readable by other users.`, `chmod 600 ${file}`);
      } catch {
        // read a moment ago; gone now is the next run's finding
      }
    }
    return ok(`Every Telegram tokenFile is a readable regular file (${users.length} account${users.length === 1 ? '' : 's'}).`);
  },
};
