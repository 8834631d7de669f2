// Which gateway belongs to this state dir: the one its pid file names (at the port it recorded),
// never just whatever answers on the configured port (that may be another user's or profile's).
import type { ResolvedGatewaySettings } from '../config/types.js';
import { inspectPidFile, type PidRecord } from '../gateway/pidfile.js';
import { findPortOwner } from '../infra/port-owner.js';
import { localGatewayUrl } from './gateway-probe.js';
import type { DoctorContext } from './types.js';

export interface GatewayLocation {
  url: string;
  /** The live gateway of this state dir, from its pid file. */
  record?: PidRecord;
  /** A different process that owns the configured port. */
  foreign?: { pid: number; command: string };
}

export function locateGateway(ctx: DoctorContext, s: ResolvedGatewaySettings): GatewayLocation {
  const pid = inspectPidFile(ctx.paths.pidFile);
  if (pid.state === 'running') return { url: localGatewayUrl(pid.record.host || s.host, pid.record.port || s.port), record: pid.record };
  const owner = findPortOwner(s.port);
  return { url: localGatewayUrl(s.host, s.port), foreign: owner ? { pid: owner.pid, command: owner.command } : undefined };
}
