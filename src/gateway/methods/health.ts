// health, status, system-presence, system-event.
import { z } from 'zod';
import type { MethodDef } from './types.js';
import type { ControlPlaneRuntime } from './runtime.js';

const short = z.string().max(512);
const names = z.array(short).max(64);

/** Upstream's closed schema: these fields and no others go to every client and the durable log. */
const SystemEventParams = z.strictObject({
  text: z.string().max(10_000),
  idempotencyKey: z.string().min(1).max(512).optional(),
  sessionKey: short.optional(),
  wake: z.boolean().optional(),
  deviceId: short.optional(),
  instanceId: short.optional(),
  host: short.optional(),
  ip: short.optional(),
  mode: short.optional(),
  version: short.optional(),
  platform: short.optional(),
  deviceFamily: short.optional(),
  modelIdentifier: short.optional(),
  lastInputSeconds: z.number().optional(),
  reason: short.optional(),
  roles: names.optional(),
  scopes: names.optional(),
  tags: names.optional(),
});

export function healthMethods(rt: ControlPlaneRuntime): MethodDef[] {
  return [
    {
      name: 'health',
      scope: 'operator.read',
      params: z.object({ probe: z.boolean().optional() }),
      handler: () => rt.health(),
    },
    {
      name: 'status',
      scope: 'operator.read',
      handler: ({ caller }) => {
        const settings = rt.services.settings();
        const admin = caller.scopes.includes('operator.admin');
        return {
          ok: true,
          version: rt.services.version,
          uptimeMs: Date.now() - rt.services.startedAt,
          gateway: {
            mode: settings.mode ?? null,
            bind: settings.bind,
            host: settings.host,
            port: settings.port,
            authMode: settings.auth.mode,
            reload: settings.reload.mode,
          },
          health: rt.health(),
          presence: rt.presence().length,
          // paths reveal the user's home layout: admins only
          ...(admin ? { configPath: rt.services.configPath, stateDir: rt.services.stateDir } : {}),
          caller: { role: caller.role, scopes: caller.scopes, deviceId: caller.deviceId ?? null, isLocal: caller.isLocal },
          runtimeVersion: rt.services.version,
          ...(rt.services.summaries?.status({ includePaths: admin }) ?? {}),
        };
      },
    },
    {
      name: 'system-presence',
      scope: 'operator.read',
      handler: () => rt.presence(),
    },
    {
      name: 'system-event',
      scope: 'operator.admin',
      params: SystemEventParams,
      handler: ({ params }) => {
        const { idempotencyKey: _key, ...rest } = params;
        rt.broadcast('system-event', { ...rest, ts: Date.now() });
        return { ok: true };
      },
    },
  ];
}
