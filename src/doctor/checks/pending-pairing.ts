// Devices waiting for approval: the browser shows "pairing required" (1008) until someone approves.
import { PairingStore } from '../../auth/pairing-store.js';
import { Rejections } from '../../protocol/errors.js';
import { type Check, ok, warn } from '../types.js';

export const pendingPairing: Check = {
  id: 'pending-pairing',
  title: 'No devices waiting for approval',
  async run(ctx) {
    const pending = new PairingStore(ctx.paths.stateDir).listPending();
    if (pending.length === 0) return ok('No pending device pairing requests.');
    const names = pending.map((r) => `${r.displayName ?? r.clientId ?? r.deviceId.slice(0, 12)}${r.remoteIp ? ` from ${r.remoteIp}` : ''} (${r.requestId})`);
    return warn(
      `${pending.length} device${pending.length === 1 ? ' is' : 's are'} waiting for approval and see "pairing required" until approved: ${names.join(', ')}.`,
      Rejections.PAIRING_REQUIRED.fix({ requestId: pending[0].requestId }),
    );
  },
};
