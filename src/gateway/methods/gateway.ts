// gateway.restart.request: ask the process to restart (in-process; clients see shutdown + 1012).
import { z } from 'zod';
import type { MethodDef } from './types.js';
import type { ControlPlaneRuntime } from './runtime.js';

export function gatewayMethods(rt: ControlPlaneRuntime): MethodDef[] {
  return [
    {
      name: 'gateway.restart.request',
      scope: 'operator.admin',
      params: z.object({ reason: z.string().max(500).optional() }),
      handler: ({ params, caller }) => {
        const reason = params.reason ?? `requested by ${caller.clientId}${caller.deviceId ? ` (${caller.deviceId.slice(0, 12)})` : ''}`;
        // After this response is on the wire: the restart closes every socket, this one included.
        setImmediate(() => rt.services.requestRestart(reason));
        return { ok: true, scheduled: true, reason };
      },
    },
  ];
}
