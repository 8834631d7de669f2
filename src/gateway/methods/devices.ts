// device.pair.list|approve|reject|remove|rename|clear and device.token.rotate|revoke. Tokens are
// never listed; approve/reject broadcast device.pair.resolved; rotating or revoking a token (or
// removing the device) closes the live sockets that hold it.
import { z } from 'zod';
import { summarizeDevice } from '../../auth/pairing-store.js';
import { rejectionError } from '../../protocol/errors.js';
import { missingScopes } from '../../protocol/scopes.js';
import { MethodError, type CallerInfo, type MethodDef } from './types.js';
import type { ControlPlaneRuntime } from './runtime.js';

const id = z.string().min(1).max(256);

function fail(err: ReturnType<typeof rejectionError>): never {
  throw new MethodError(err.code, err.message, err.details, err.retryAfterMs);
}

const needAdmin = (caller: CallerInfo): never =>
  fail(rejectionError('MISSING_SCOPE', { scope: 'operator.admin', deviceId: caller.deviceId }, { missingScope: 'operator.admin', requiredScopes: ['operator.admin'] }));

/**
 * Non-admin callers manage operator tokens only, within their own scopes; one that is itself a
 * device manages only that device (upstream's cross-device rule). A device-less caller holding
 * operator.pairing (the owner's CLI with the shared secret) manages any device.
 */
function assertMayManage(caller: CallerInfo, deviceId: string, scopes: readonly string[] = [], role = 'operator'): void {
  if (caller.scopes.includes('operator.admin')) return;
  const crossDevice = caller.deviceId !== undefined && caller.deviceId !== deviceId;
  if (crossDevice || role !== 'operator' || missingScopes(caller.scopes, scopes).length > 0) needAdmin(caller);
}

export function deviceMethods(rt: ControlPlaneRuntime): MethodDef[] {
  const resolveDevice = (deviceId: string): string => rt.pairing.resolveDeviceId(deviceId) ?? fail(rejectionError('DEVICE_NOT_FOUND', { deviceId }));
  const resolved = (requestId: string, deviceId: string, decision: 'approved' | 'rejected') =>
    rt.broadcast('device.pair.resolved', { requestId, deviceId, decision, ts: Date.now() });
  /** Approving a role other than operator (a node) is an admin decision (reference §8). */
  const assertMayApprove = (caller: CallerInfo, id: string) => {
    if (caller.scopes.includes('operator.admin')) return;
    const wanted = id.trim().toLowerCase();
    const hits = rt.pairing.listPending().filter((r) => r.requestId === wanted || r.deviceId === wanted || (wanted.length >= 8 && (r.requestId.startsWith(wanted) || r.deviceId.startsWith(wanted))));
    if (hits.some((r) => r.role !== 'operator')) needAdmin(caller);
  };

  return [
    {
      name: 'device.pair.list',
      scope: 'operator.pairing',
      handler: () => {
        const live = rt.connectedDeviceIds();
        // `role` and `connected` are upstream's row fields (its CLI and UI show them).
        return {
          pending: rt.pairing.listPending(),
          paired: rt.pairing.listPaired().map((d) => ({ ...summarizeDevice(d), role: d.roles[0] ?? 'operator', connected: live.has(d.deviceId) })),
        };
      },
    },
    {
      name: 'device.pair.approve',
      scope: 'operator.pairing',
      params: z.object({ requestId: id }),
      handler: ({ params, caller }) => {
        assertMayApprove(caller, params.requestId);
        const r = rt.pairing.approve(params.requestId, 'operator') ?? fail(rejectionError('PAIRING_REQUEST_NOT_FOUND', { requestId: params.requestId }));
        resolved(r.request.requestId, r.device.deviceId, 'approved');
        return { requestId: r.request.requestId, device: summarizeDevice(r.device) };
      },
    },
    {
      name: 'device.pair.reject',
      scope: 'operator.pairing',
      params: z.object({ requestId: id }),
      handler: ({ params }) => {
        const r = rt.pairing.reject(params.requestId) ?? fail(rejectionError('PAIRING_REQUEST_NOT_FOUND', { requestId: params.requestId }));
        resolved(r.requestId, r.deviceId, 'rejected');
        return { requestId: r.requestId, deviceId: r.deviceId };
      },
    },
    {
      name: 'device.pair.remove',
      scope: 'operator.pairing',
      params: z.object({ deviceId: id }),
      handler: ({ params, caller }) => {
        const deviceId = resolveDevice(params.deviceId);
        assertMayManage(caller, deviceId);
        // A device removing itself may not take a node pairing with it (that is an admin decision).
        if (caller.deviceId && !caller.scopes.includes('operator.admin') && rt.pairing.getPaired(deviceId)?.roles.some((r) => r !== 'operator')) needAdmin(caller);
        rt.pairing.remove(deviceId);
        const closed = rt.dropDeviceConnections(deviceId);
        return { deviceId, removed: true, closedConnections: closed };
      },
    },
    {
      name: 'device.pair.rename',
      scope: 'operator.pairing',
      params: z.object({ deviceId: id, name: z.string().trim().min(1).max(256) }),
      handler: ({ params, caller }) => {
        const deviceId = resolveDevice(params.deviceId);
        assertMayManage(caller, deviceId);
        rt.pairing.rename(deviceId, params.name);
        return { deviceId, name: params.name };
      },
    },
    {
      name: 'device.pair.clear',
      scope: 'operator.admin',
      params: z.object({ pending: z.boolean().optional() }),
      handler: ({ params }) => rt.pairing.clear({ pending: params.pending }),
    },
    {
      name: 'device.token.rotate',
      scope: 'operator.pairing',
      params: z.object({ deviceId: id, role: z.string().min(1).max(64), scopes: z.array(z.string().max(128)).max(64).optional() }),
      handler: ({ params, caller }) => {
        const deviceId = resolveDevice(params.deviceId);
        assertMayManage(caller, deviceId, params.scopes ?? [], params.role);
        const record = rt.pairing.rotateToken(deviceId, params.role, params.scopes) ?? fail(rejectionError('DEVICE_NOT_FOUND', { deviceId }));
        const closed = rt.dropDeviceConnections(deviceId, params.role, caller.connId);
        const { token, ...meta } = record;
        // The new bearer goes back only to the device it belongs to.
        return { deviceId, ...meta, ...(caller.deviceId === deviceId ? { token } : {}), closedConnections: closed };
      },
    },
    {
      name: 'device.token.revoke',
      scope: 'operator.pairing',
      params: z.object({ deviceId: id, role: z.string().min(1).max(64) }),
      handler: ({ params, caller }) => {
        const deviceId = resolveDevice(params.deviceId);
        assertMayManage(caller, deviceId, [], params.role);
        if (!rt.pairing.revokeToken(deviceId, params.role)) fail(rejectionError('DEVICE_NOT_FOUND', { deviceId }));
        const closed = rt.dropDeviceConnections(deviceId, params.role);
        return { deviceId, role: params.role, revoked: true, closedConnections: closed };
      },
    },
  ];
}
