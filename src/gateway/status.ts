// What `openclaw gateway status` and `openclaw status` report. The JSON shapes here are the stable
// `--json` contract (versioned); the CLI only formats them.
import fs from 'node:fs';
import { ConfigError, loadConfig } from '../config/load.js';
import { statePaths } from '../config/paths.js';
import { resolveGatewaySettings } from '../config/resolve.js';
import type { ResolvedGatewaySettings } from '../config/types.js';
import { isGatewayCmdline, listPids, readCmdline } from '../infra/proc.js';
import { isReady } from './daemon.js';
import { locateGateway } from './locate.js';
import { inspectPidFile, type PidRecord } from './pidfile.js';

export interface ConfigSummary {
  path: string;
  exists: boolean;
  valid: boolean;
  problem?: string;
  fix?: string;
  settings?: ResolvedGatewaySettings;
}

export function summarizeConfig(env: NodeJS.ProcessEnv): ConfigSummary {
  const configPath = statePaths(env).configPath;
  try {
    const loaded = loadConfig(configPath);
    return { path: configPath, exists: loaded.exists, valid: true, settings: resolveGatewaySettings(loaded.config, env) };
  } catch (err) {
    if (err instanceof ConfigError) return { path: configPath, exists: fs.existsSync(configPath), valid: false, problem: err.problem, fix: err.fix };
    throw err;
  }
}

export interface RuntimeInfo {
  status: 'running' | 'stopped';
  pid?: number;
  startedAt?: number;
  uptimeMs?: number;
  /** The pid file named a process that is gone (reclaimed by the next start). */
  stalePidFile?: boolean;
  /** No usable pid file, but the gateway was found as the owner of its configured port. */
  foundByPort?: boolean;
}

export function runtimeInfo(pidFile: string, now = Date.now()): { runtime: RuntimeInfo; record?: PidRecord } {
  const state = inspectPidFile(pidFile);
  if (state.state === 'running') {
    const r = state.record;
    return { runtime: { status: 'running', pid: r.pid, startedAt: r.startedAt, uptimeMs: Math.max(0, now - r.startedAt) }, record: r };
  }
  return { runtime: { status: 'stopped', ...(state.state === 'stale' ? { stalePidFile: true } : {}) } };
}

/** runtimeInfo, also finding a gateway whose pid file was deleted (by its port). */
export async function locateRuntime(env: NodeJS.ProcessEnv, settings: ResolvedGatewaySettings | undefined, now = Date.now()): Promise<{ runtime: RuntimeInfo; record?: PidRecord }> {
  const found = await locateGateway(env, settings ? { host: settings.host, port: settings.port } : undefined);
  if (found.state === 'running') {
    const r = found.record;
    return { runtime: { status: 'running', pid: r.pid, startedAt: r.startedAt, uptimeMs: Math.max(0, now - r.startedAt), ...(found.via === 'port' ? { foundByPort: true } : {}) }, record: r };
  }
  return { runtime: { status: 'stopped', ...(found.state === 'stale' ? { stalePidFile: true } : {}) } };
}

export interface ProbeResult {
  ok: boolean;
  error?: string;
  result?: unknown;
}

/** One RPC over the real protocol (the same path every client takes). */
export async function probeRpc(method: string, opts: { env: NodeJS.ProcessEnv; url: string; settings?: ResolvedGatewaySettings; timeoutMs: number }): Promise<ProbeResult> {
  const { callGateway } = await import('../client/call.js');
  try {
    const result = await callGateway({ method, url: opts.url, token: opts.settings?.auth.token, password: opts.settings?.auth.password, timeoutMs: opts.timeoutMs, env: opts.env });
    return { ok: true, result };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** What both status reports say about the local setup, whether or not the gateway runs. */
export interface LocalSetup {
  url: string;
  mode: string;
  authMode: string;
  config: Omit<ConfigSummary, 'settings'>;
  stateDir: string;
  logFile: string;
}

function localSetup(url: string, settings: ResolvedGatewaySettings | undefined, config: Omit<ConfigSummary, 'settings'>, paths: { stateDir: string; gatewayLog: string }): LocalSetup {
  return { url, mode: settings?.mode ?? 'unset', authMode: settings?.auth.mode ?? 'unknown', config, stateDir: paths.stateDir, logFile: paths.gatewayLog };
}

export interface GatewayStatusReport extends LocalSetup {
  version: 1;
  runtime: RuntimeInfo;
  rpc: ProbeResult;
  /** With --deep: other gateway processes and pid-file findings. */
  deep?: { gatewayProcesses: Array<{ pid: number; command: string; ours: boolean }> };
}

export function listenUrl(record: PidRecord | undefined, settings: ResolvedGatewaySettings | undefined): string {
  const host = record?.host ?? settings?.host ?? '127.0.0.1';
  const port = record?.port ?? settings?.port ?? 18789;
  return `ws://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Loopback URL to probe for a listen URL (0.0.0.0 is not an address to connect to). */
function probeUrl(url: string): string {
  return url.replace('ws://0.0.0.0:', 'ws://127.0.0.1:').replace('ws://[::]:', 'ws://[::1]:');
}

export async function gatewayStatus(opts: { env: NodeJS.ProcessEnv; deep?: boolean; timeoutMs: number }): Promise<GatewayStatusReport> {
  const paths = statePaths(opts.env);
  const { settings, ...config } = summarizeConfig(opts.env);
  const { runtime, record } = await locateRuntime(opts.env, settings);
  const url = listenUrl(record, settings);
  const rpc = await probeRpc('health', { env: opts.env, url: probeUrl(url), settings, timeoutMs: opts.timeoutMs });
  delete rpc.result; // the health payload is for `gateway call health`; status stays small
  const report: GatewayStatusReport = {
    version: 1,
    runtime,
    rpc,
    ...localSetup(url, settings, config, paths),
  };
  if (opts.deep) report.deep = { gatewayProcesses: findGatewayProcesses(runtime.pid) };
  return report;
}

/** Every `openclaw gateway run` process this user can see. */
export function findGatewayProcesses(ourPid?: number): Array<{ pid: number; command: string; ours: boolean }> {
  const found: Array<{ pid: number; command: string; ours: boolean }> = [];
  for (const pid of listPids()) {
    if (pid === process.pid) continue;
    const argv = readCmdline(pid);
    if (argv && isGatewayCmdline(argv)) found.push({ pid, command: argv.join(' '), ours: pid === ourPid });
  }
  return found;
}

export interface OverallStatus extends LocalSetup {
  version: 1;
  gateway: 'running' | 'stopped';
  pid?: number;
  reachable: boolean;
  /** GET /ready answered 200: what a container HEALTHCHECK asks. */
  ready: boolean;
  foundByPort?: boolean;
  pendingPairings?: number;
  error?: string;
}

export async function overallStatus(opts: { env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<OverallStatus> {
  const paths = statePaths(opts.env);
  const { settings, ...config } = summarizeConfig(opts.env);
  const { runtime, record } = await locateRuntime(opts.env, settings);
  const url = listenUrl(record, settings);
  const [probe, ready] = await Promise.all([
    probeRpc('device.pair.list', { env: opts.env, url: probeUrl(url), settings, timeoutMs: opts.timeoutMs }),
    isReady({ host: record?.host ?? settings?.host ?? '127.0.0.1', port: record?.port ?? settings?.port ?? 18789 }, opts.timeoutMs),
  ]);
  const pending = (probe.result as { pending?: unknown[] } | undefined)?.pending;
  const reachable = probe.ok || !/connect failed|ECONNREFUSED|timed out|timeout/i.test(probe.error ?? '');
  return {
    version: 1,
    gateway: runtime.status === 'running' || probe.ok ? 'running' : 'stopped',
    ...(runtime.pid ? { pid: runtime.pid } : {}),
    reachable,
    ready,
    ...(runtime.foundByPort ? { foundByPort: true } : {}),
    ...localSetup(url, settings, config, paths),
    ...(Array.isArray(pending) ? { pendingPairings: pending.length } : {}),
    ...(probe.ok ? {} : { error: probe.error }),
  };
}
