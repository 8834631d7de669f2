// Which process is this state dir's gateway. The pid file says so; when it is gone (the guides'
// stale-PID advice is to delete it) the gateway is still found: the process listening on the
// configured port, if its command line is a gateway's and it answers /__openclaw__/diag as one.
import { ConfigError, loadConfig } from '../config/load.js';
import { statePaths } from '../config/paths.js';
import { resolveGatewaySettings } from '../config/resolve.js';
import type { ResolvedGatewaySettings } from '../config/types.js';
import { findPortOwner } from '../infra/port-owner.js';
import { isGatewayCmdline, readProcStartTime, readSystemBootTimeMs } from '../infra/proc.js';
import { inspectPidFile, type PidRecord } from './pidfile.js';
import { DIAG_ROUTE } from './probes.js';

export type LocatedGateway =
  | { state: 'running'; record: PidRecord; via: 'pidfile' | 'port' }
  | { state: 'absent' }
  /** The pid file names a process that is gone, and nothing of ours listens on the port. */
  | { state: 'stale'; pid: number | undefined; record?: PidRecord };

/** The configured listen address, or undefined when the config cannot be read. */
export function configuredListen(env: NodeJS.ProcessEnv): Pick<ResolvedGatewaySettings, 'host' | 'port'> | undefined {
  try {
    const s = resolveGatewaySettings(loadConfig(statePaths(env).configPath).config, env);
    return { host: s.host, port: s.port };
  } catch (err) {
    if (err instanceof ConfigError) return undefined;
    throw err;
  }
}

export async function locateGateway(env: NodeJS.ProcessEnv, listen = configuredListen(env)): Promise<LocatedGateway> {
  const paths = statePaths(env);
  const fromFile = inspectPidFile(paths.pidFile);
  if (fromFile.state === 'running') return { state: 'running', record: fromFile.record, via: 'pidfile' };
  if (listen) {
    const record = await findByPort(listen.host, listen.port, paths.configPath);
    if (record) return { state: 'running', record, via: 'port' };
  }
  return fromFile;
}

async function findByPort(host: string, port: number, configPath: string): Promise<PidRecord | undefined> {
  if (!port) return undefined;
  const owner = findPortOwner(port);
  if (!owner || !isGatewayCmdline(owner.argv)) return undefined;
  if (!(await answersDiag(host, port))) return undefined;
  const startTime = readProcStartTime(owner.pid) ?? null;
  return { pid: owner.pid, startTime, host, port, configPath, version: 'unknown', startedAt: startedAtMs(startTime) ?? Date.now() };
}

async function answersDiag(host: string, port: number): Promise<boolean> {
  const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  try {
    const res = await fetch(`http://${h.includes(':') ? `[${h}]` : h}:${port}${DIAG_ROUTE}`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json().catch(() => undefined)) as { ok?: unknown; keepAliveSeconds?: unknown } | undefined;
    return res.status === 200 && body?.ok === true && typeof body.keepAliveSeconds === 'number';
  } catch {
    return false;
  }
}

/** Wall-clock start of a process from its /proc start time (clock ticks since boot, USER_HZ 100). */
function startedAtMs(startTicks: number | null): number | undefined {
  const boot = readSystemBootTimeMs();
  return boot === undefined || startTicks === null ? undefined : boot + startTicks * 10;
}
