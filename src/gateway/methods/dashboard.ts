// dashboard.bootstrap.create: a single-use sign-in code for `openclaw dashboard` (10 min TTL).
import type { MethodDef } from './types.js';
import type { ControlPlaneRuntime } from './runtime.js';

export function dashboardMethods(rt: ControlPlaneRuntime): MethodDef[] {
  return [
    {
      name: 'dashboard.bootstrap.create',
      scope: 'operator.admin',
      handler: () => rt.bootstrap.create(),
    },
  ];
}
