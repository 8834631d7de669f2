// The control plane's own method families, in one list (chat/sessions/models arrive as extraMethods).
import type { MethodDef } from './types.js';
import type { ControlPlaneRuntime } from './runtime.js';
import { healthMethods } from './health.js';
import { deviceMethods } from './devices.js';
import { configMethods } from './config.js';
import { logMethods } from './logs.js';
import { dashboardMethods } from './dashboard.js';
import { gatewayMethods } from './gateway.js';

export function createCoreMethods(rt: ControlPlaneRuntime): MethodDef[] {
  return [...healthMethods(rt), ...logMethods(rt), ...configMethods(rt), ...deviceMethods(rt), ...dashboardMethods(rt), ...gatewayMethods(rt)];
}
