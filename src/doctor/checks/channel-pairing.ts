// Senders waiting for DM access: each got a pairing code and hears nothing more until the owner
// approves it on the gateway host. Read-only: parses <state>/channels/pairing.json itself (no lock,
// no pruning, no recovery of a broken file; the gateway's store does that).
import fs from 'node:fs';
import path from 'node:path';
import { CHANNEL_PAIRING_PENDING_TTL_MS } from '../../channels/pairing/codes.js';
import { parseState, type PairingRequest } from '../../channels/pairing/store.js';
import { channelLabel } from '../../channels/catalog.js';
import { type Check, ok, warn } from '../types.js';

export function pairingFile(stateDir: string): string {
  return path.join(stateDir, 'channels', 'pairing.json');
}

function who(r: PairingRequest): string {
  const user = r.meta.username ? `@${r.meta.username.replace(/^@/, '')}` : [r.meta.firstName, r.meta.lastName].filter(Boolean).join(' ') || r.meta.name || r.meta.tag;
  return user ? `${user} (${r.id})` : r.id;
}

export const channelPairing: Check = {
  id: 'channel-pairing',
  title: 'No DM senders waiting for pairing approval',
  async run(ctx) {
    const file = pairingFile(ctx.paths.stateDir);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return ok('No pending DM pairing requests.');
      return warn(`${file} cannot be read (${code ?? 'error'}), so DM pairing requests and approvals cannot be checked.`, `ls -l ${file}  (the gateway and the openclaw CLI must run as the same user)`);
    }
    const parsed = parseState(text);
    if (!parsed.ok) {
      return warn(`${file} cannot be parsed (${parsed.detail}), so DM pairing requests and approved senders cannot be read.`, `cat ${file}  (repair the JSON by hand; or move it aside: mv ${file} ${file}.bad, then approve the senders again)`);
    }
    const now = Date.now();
    const expired = (r: PairingRequest) => now - Date.parse(r.createdAt) >= CHANNEL_PAIRING_PENDING_TTL_MS;
    const live = parsed.state.requests.filter((r) => !expired(r)).sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
    const stale = parsed.state.requests.length - live.length;
    if (live.length === 0) return ok(`No pending DM pairing requests${stale ? ` (${stale} expired, dropped on the next change)` : ''}.`);
    const channels = [...new Set(live.map((r) => r.channel))];
    const first = live[0].channel;
    const names = live.slice(0, 5).map((r) => `${who(r)} on ${channelLabel(r.channel)}${r.accountId !== 'default' ? ` ${r.accountId}` : ''}`);
    const more = live.length > 5 ? ` and ${live.length - 5} more` : '';
    return warn(
      `${live.length} DM sender${live.length === 1 ? ' is' : 's are'} waiting for pairing approval and get${live.length === 1 ? 's' : ''} no answer until approved (codes expire 1 h after the request): ${names.join(', ')}${more}.`,
      `openclaw pairing list ${first}  (then: openclaw pairing approve ${first} <CODE>)${channels.length > 1 ? `; also: ${channels.filter((c) => c !== first).map((c) => `openclaw pairing list ${c}`).join(', ')}` : ''}`,
    );
  },
};
