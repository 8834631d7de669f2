// WhatsApp's linked session: every enabled account needs one (`channels login`), its auth dir
// holds the device's private keys (0700 dir, 0600 files), and a session the phone logged out is
// terminal until relinked (only the running gateway can tell; when it is down that part skips).
import fs from 'node:fs';
import path from 'node:path';
import { isPlainObject } from '../../config/path-ops.js';
import { resolveWhatsAppAccounts, type WhatsAppChannelConfig, type WhatsAppResolvedAccount } from '../../channels/whatsapp/config.js';
import { type Check, error, ok, skipped, warn } from '../types.js';
import { loginFix, relinkFix } from '../../channels/whatsapp/fixes.js';
import { channelsBlock, channelSnapshots, gatewayChannelStatus, quoteIds } from './channel-common.js';

function whatsappAccounts(ctx: Parameters<Check['run']>[0]): WhatsAppResolvedAccount[] {
  const block = channelsBlock(ctx).whatsapp;
  if (!isPlainObject(block)) return [];
  try {
    return resolveWhatsAppAccounts(block as WhatsAppChannelConfig, ctx.env);
  } catch {
    return [];
  }
}

/** Files or the dir itself readable by others. */
function loosePermissions(dir: string): string[] {
  const out: string[] = [];
  try {
    if ((fs.statSync(dir).mode & 0o077) !== 0) out.push(dir);
    for (const f of fs.readdirSync(dir)) {
      const p = path.join(dir, f);
      const st = fs.lstatSync(p);
      if (st.isFile() && (st.mode & 0o077) !== 0) out.push(p);
    }
  } catch {
    // missing dir: the "not linked" finding
  }
  return out;
}

export const channelWhatsAppSession: Check = {
  id: 'channel-whatsapp-session',
  title: 'WhatsApp is linked and its session is private',
  async run(ctx) {
    const accounts = whatsappAccounts(ctx).filter((a) => a.enabled);
    if (accounts.length === 0) return skipped('Skipped: no enabled WhatsApp account.');
    const unlinked = accounts.filter((a) => !a.configured);
    if (unlinked.length > 0) {
      const a = unlinked[0];
      const which = unlinked.length === 1 ? `WhatsApp account "${a.accountId}" is` : `WhatsApp accounts ${quoteIds(unlinked.map((x) => x.accountId))} are`;
      return warn(`${which} not linked (no session in ${a.authDir}), so it cannot connect.`, `${loginFix(a.accountId)}  (scan the QR: WhatsApp → Settings → Linked devices → Link a device)`);
    }
    for (const a of accounts) {
      const loose = loosePermissions(a.authDir);
      if (loose.length > 0) {
        return warn(`The WhatsApp session of account "${a.accountId}" is readable by other users (${loose.length} path${loose.length === 1 ? '' : 's'} in ${a.authDir}); it holds the device's private keys.`, `chmod 700 ${a.authDir} && chmod 600 ${a.authDir}/*`);
      }
    }
    const status = await gatewayChannelStatus(ctx);
    if (status.kind !== 'ok') return ok(`WhatsApp ${accounts.length === 1 ? 'is' : 'accounts are'} linked (${accounts.map((a) => a.selfNumber ?? a.accountId).join(', ')}); the live session was not checked (gateway not answering).`);
    const snaps = channelSnapshots(status, 'whatsapp');
    const dead = snaps.find((s) => s.healthState === 'terminal-disconnect' && /logged out|status 401|refused this session/i.test(String(s.lastError ?? '')));
    if (dead) {
      return error(`WhatsApp logged out account "${dead.accountId}" (${dead.lastError}); the gateway does not reconnect it.`, relinkFix(dead.accountId));
    }
    return ok(`WhatsApp ${accounts.length === 1 ? 'is' : 'accounts are'} linked (${accounts.map((a) => a.selfNumber ?? a.accountId).join(', ')}).`);
  },
};
