// health, status, system-presence, system-event.
import { z } from 'zod';
import type { MethodDef } from './types.js';
import type { ControlPlaneRuntime } from './runtime.js';

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
      params: z.looseObject({ text: z.string().max(10_000) }),
      handler: ({ params }) => {
        const { idempotencyKey: _key, ...rest } = params as Record<string, unknown>;
        rt.broadcast('system-event', { ...rest, text: params.text, ts: Date.now() });
        return { ok: true };
      },
    },
  ];
}
