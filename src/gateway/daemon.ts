// Background lifecycle for `openclaw gateway start|stop|restart`: a detached `gateway run` child
// whose readiness is proven by /ready, and stopping by the pid file with a verified free port.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { statePaths } from '../config/paths.js';
import { isPortInUse } from '../infra/port-owner.js';
import { formatLogRecord, parseLogLine } from '../logging/format.js';
import { readLogTail } from '../logging/tail.js';
import { ProcessFailures } from '../protocol/errors.js';
import { locateGateway } from './locate.js';
import { inspectPidFile, isRecordAlive, removePidFile, type PidRecord } from './pidfile.js';

const CLI_MAIN = fileURLToPath(new URL('../cli/main.cjs', import.meta.url));

export function outLogPath(env: NodeJS.ProcessEnv): string {
  return path.join(statePaths(env).logDir, 'gateway.out.log');
}

/** http://host:port for a listen address (wildcards are reached over loopback). */
export function httpBase(host: string, port: number): string {
  const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

export async function isReady(record: Pick<PidRecord, 'host' | 'port'>, timeoutMs = 1000): Promise<boolean> {
  try {
    const res = await fetch(`${httpBase(record.host, record.port)}/ready`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

export type StartResult =
  | { status: 'started'; pid: number; url: string; outLog: string }
  | { status: 'already-running'; pid: number; url: string };

/** Why `gateway start` failed: the printed report and the exit code to use. */
export class DaemonStartError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly childExitCode: number | null,
  ) {
    super(message);
    this.name = 'DaemonStartError';
  }
}

const wsOf = (r: PidRecord) => `ws://${r.host.includes(':') ? `[${r.host}]` : r.host}:${r.port}`;

export async function startDetached(opts: { env: NodeJS.ProcessEnv; timeoutSec: number; allowUnconfigured?: boolean }): Promise<StartResult> {
  const paths = statePaths(opts.env);
  const existing = await locateGateway(opts.env);
  if (existing.state === 'running') return { status: 'already-running', pid: existing.record.pid, url: wsOf(existing.record) };

  const outLog = outLogPath(opts.env);
  fs.mkdirSync(path.dirname(outLog), { recursive: true, mode: 0o700 });
  const outFd = fs.openSync(outLog, 'a', 0o600);
  const outStart = fs.fstatSync(outFd).size;
  const logStart = fileSize(paths.gatewayLog);
  const runArgs = ['gateway', 'run', '--no-dashboard', ...(opts.allowUnconfigured ? ['--allow-unconfigured'] : [])];
  const child = spawn(process.execPath, [CLI_MAIN, ...runArgs], { env: opts.env, detached: true, stdio: ['ignore', outFd, outFd] });
  fs.closeSync(outFd);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.on('exit', (code, signal) => (exit = { code, signal }));
  child.on('error', () => (exit = { code: 1, signal: null }));

  const deadline = Date.now() + opts.timeoutSec * 1000;
  while (Date.now() < deadline && !exit) {
    const state = inspectPidFile(paths.pidFile);
    if (state.state === 'running' && state.record.pid === child.pid && (await isReady(state.record))) {
      child.unref();
      return { status: 'started', pid: child.pid, url: wsOf(state.record), outLog };
    }
    await sleep(100);
  }
  if (!exit) {
    // Do not leave a half-started gateway behind that the next start would trip over.
    child.kill('SIGTERM');
    await sleep(200);
  }
  const childOut = readFrom(outLog, outStart).trim();
  if (exit) {
    // Lost a start race: the winner is up, which is what this start asked for.
    for (;;) {
      const winner = await locateGateway(opts.env);
      if (winner.state !== 'running') break;
      if (await isReady(winner.record)) return { status: 'already-running', pid: winner.record.pid, url: wsOf(winner.record) };
      if (Date.now() > deadline) break;
      await sleep(100);
    }
  }
  // A process that exited says why itself (gateway start blocked, already listening, bad config):
  // lead with its words, not with a timeout that never happened.
  const lines = exit && childOut ? [...childOut.split('\n').slice(-15), `(gateway process exited with ${exit.signal ?? `code ${exit.code}`})`] : [ProcessFailures.NOT_READY.message({ timeoutSec: opts.timeoutSec })];
  if (exit && !childOut) lines.push(`gateway process exited with ${exit.signal ?? `code ${exit.code}`}`);
  if (!exit && childOut) lines.push(...indent(childOut.split('\n').slice(-15)));
  const logLines = readLogTail(paths.gatewayLog, { cursor: logStart, limit: 10 }).lines.map((l) => formatLogRecord(parseLogLine(l)));
  if (logLines.length) lines.push(`last log lines (${paths.gatewayLog}):`, ...indent(logLines));
  lines.push(`full output: ${outLog}`);
  const childCode = exit?.code ?? null;
  throw new DaemonStartError(lines.join('\n'), childCode === 78 ? 78 : 1, childCode);
}

export type StopResult = { status: 'stopped'; pid: number; forced: boolean } | { status: 'not-running'; stalePid?: number };

const STOP_GRACE_MS = 5000;

/** `restart`: a start follows, so the gateway tells its clients "service restart" (SIGUSR2) rather than "going away". */
export async function stopGateway(opts: { env: NodeJS.ProcessEnv; graceMs?: number; restart?: boolean }): Promise<StopResult> {
  const paths = statePaths(opts.env);
  const state = await locateGateway(opts.env);
  if (state.state === 'absent') return { status: 'not-running' };
  if (state.state === 'stale') {
    fs.rmSync(paths.pidFile, { force: true });
    return { status: 'not-running', stalePid: state.pid };
  }
  const record = state.record;
  signal(record.pid, opts.restart && process.platform !== 'win32' ? 'SIGUSR2' : 'SIGTERM');
  let forced = false;
  if (!(await waitUntil(() => !isRecordAlive(record), opts.graceMs ?? STOP_GRACE_MS))) {
    forced = true;
    signal(record.pid, 'SIGKILL');
    await waitUntil(() => !isRecordAlive(record), 2000);
  }
  const portFree = await waitUntilAsync(async () => !(await isPortInUse(record.port, httpHostOf(record.host), 300)), 2000);
  if (isRecordAlive(record) || !portFree) {
    throw new DaemonStartError(ProcessFailures.STOP_FAILED.message({ pid: record.pid, port: record.port }), ProcessFailures.STOP_FAILED.exitCode, null);
  }
  removePidFile(paths.pidFile, record.pid);
  return { status: 'stopped', pid: record.pid, forced };
}

function httpHostOf(host: string): string {
  return host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function readFrom(file: string, offset: number): string {
  try {
    const buf = fs.readFileSync(file);
    return buf.subarray(Math.min(offset, buf.length)).toString('utf8');
  } catch {
    return '';
  }
}

const indent = (lines: string[]) => lines.map((l) => `  ${l}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  return waitUntilAsync(async () => cond(), timeoutMs);
}

async function waitUntilAsync(cond: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}
