// RPC: `last-heartbeat` (read) and `set-heartbeats` (admin) are upstream's; `heartbeat.run` (admin)
// is ours: one heartbeat now, answered with its record (`openclaw system heartbeat run`).
import { z } from 'zod';
import { MethodError, type MethodDef } from '../../gateway/methods/types.js';
import type { Heartbeat, HeartbeatRecord, HeartbeatStatus } from './runner.js';

export interface LastHeartbeatResult {
  last: HeartbeatRecord | null;
  status: HeartbeatStatus;
}

export interface SetHeartbeatsResult {
  ok: true;
  enabled: boolean;
  status: HeartbeatStatus;
}

/** `heartbeat` is the running Heartbeat, or a getter for one wired later (undefined: not running). */
export function heartbeatMethods(heartbeat: Heartbeat | (() => Heartbeat | undefined)): MethodDef[] {
  const get = (): Heartbeat => {
    const hb = typeof heartbeat === 'function' ? heartbeat() : heartbeat;
    if (!hb) throw new MethodError('UNAVAILABLE', 'heartbeats are not running in this gateway', { code: 'HEARTBEAT_UNAVAILABLE', fix: 'openclaw gateway restart' });
    return hb;
  };
  return [
    {
      name: 'last-heartbeat',
      scope: 'operator.read',
      params: z.looseObject({}),
      handler: (): LastHeartbeatResult => {
        const hb = get();
        return { last: hb.last(), status: hb.status() };
      },
    },
    {
      name: 'set-heartbeats',
      scope: 'operator.admin',
      params: z.looseObject({ enabled: z.boolean() }),
      handler: ({ params }): SetHeartbeatsResult => {
        const hb = get();
        // The config may have just been written (the CLI does that first): read it before switching.
        hb.reconfigure();
        const status = hb.setEnabled(params.enabled);
        return { ok: true, enabled: params.enabled, status };
      },
    },
    {
      name: 'heartbeat.run',
      scope: 'operator.admin',
      params: z.looseObject({ reason: z.string().min(1).max(64).optional() }),
      handler: ({ params }): Promise<HeartbeatRecord> => get().runNow(params.reason ?? 'manual'),
    },
  ];
}
