// `openclaw system heartbeat enable|disable|status|last|run`: the heartbeat from the terminal.
// enable/disable write agents.defaults.heartbeat through the locked, validating, backing-up config
// editor (a running gateway reloads it) and also switch a running gateway at once (set-heartbeats).
// status/last ask the gateway; when it is down they read <state>/heartbeat.json and say so, since
// a gateway that is down is exactly why no heartbeat arrives.
import type { Command } from 'commander';
import { CliError, ExitCodes } from '../errors.js';
import { jsonEnvelope } from '../output.js';
import type { Env } from '../../config/paths.js';
import type { ConnectOptions } from '../../client/call.js';
import type { EditResult } from '../../config/edit.js';
import type { HeartbeatConfig, TargetResolution } from '../../channels/heartbeat/schedule.js';
import type { HeartbeatRecord, HeartbeatStateFile } from '../../channels/heartbeat/state.js';
import type { HeartbeatStatus } from '../../channels/heartbeat/runner.js';
import type { LastHeartbeatResult, SetHeartbeatsResult } from '../../channels/heartbeat/methods.js';

/** Injection points for in-process tests; the CLI uses process.env / process.stdout / process.stderr. */
export interface SystemCommandOptions {
  env?: Env;
  stdout?: { write(text: string): unknown };
  stderr?: { write(text: string): unknown };
  now?(): number;
}

interface CommonOpts {
  json?: boolean;
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
}

type GatewayState = 'running' | 'not-running' | 'unreachable';

const HEARTBEAT_EPILOG = `
Every interval (agents.defaults.heartbeat.every, default 30m) the gateway runs one agent turn with
the heartbeat prompt. A reply of NO_REPLY (or a short HEARTBEAT_OK) stays quiet; anything else is
sent to the target: the owner's DM from commands.ownerAllowFrom unless --target says otherwise.
Every run is recorded in <state>/heartbeat.json, so status works while the gateway is down.

Examples:
  openclaw system heartbeat enable --target telegram:123456789
  openclaw system heartbeat enable --every 1h
  openclaw system heartbeat status
  openclaw system heartbeat last --json
  openclaw system heartbeat run
  openclaw system heartbeat disable
`;

const OWNER_FIXES = [
  'openclaw system heartbeat enable --target telegram:<your user id>',
  `openclaw config set commands.ownerAllowFrom '["telegram:<your user id>"]'`,
];

export function register(program: Command, opts: SystemCommandOptions = {}): void {
  const env = (): Env => opts.env ?? process.env;
  const now = (): number => (opts.now ?? Date.now)();
  const out = (line = ''): void => void (opts.stdout ?? process.stdout).write(line + '\n');
  const warn = (line: string): void => void (opts.stderr ?? process.stderr).write(line + '\n');
  const json = (value: Record<string, unknown>): void => out(JSON.stringify(jsonEnvelope(value), null, 2));

  const common = (cmd: Command, timeoutDefault = '10000'): Command =>
    cmd
      .option('--json', 'print machine-readable JSON')
      .option('--url <url>', 'gateway WebSocket URL (disables token/password fallback from env and config)')
      .option('--token <token>', 'gateway token')
      .option('--password <password>', 'gateway password')
      .option('--timeout <ms>', 'gateway connect + request timeout in milliseconds', timeoutDefault);

  const connOptions = (o: CommonOpts, example: string): ConnectOptions => {
    const timeoutMs = Number(o.timeout ?? 10_000);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new CliError(`--timeout ${o.timeout} is not a positive number of milliseconds`, { exitCode: ExitCodes.USAGE, fix: `${example} --timeout 10000` });
    return { url: o.url, token: o.token, password: o.password, timeoutMs, env: env() };
  };

  const system = program
    .command('system')
    .description('Gateway system helpers: heartbeats (periodic agent check-ins delivered to you).')
    .addHelpText('after', `\nExamples:\n  openclaw system heartbeat status\n  openclaw system heartbeat enable --target telegram:123456789\n`);

  const heartbeat = system
    .command('heartbeat')
    .description('Turn heartbeats on or off, see the last one, run one now.')
    .addHelpText('after', HEARTBEAT_EPILOG);

  common(
    heartbeat
      .command('enable')
      .description('Turn heartbeats on (writes agents.defaults.heartbeat; a running gateway applies it at once).')
      .option('--every <duration>', 'interval: 45s, 30m, 1h, 1h30m (default: the configured one, else 30m)')
      .option('--target <target>', 'owner | last | none | <channel>:<recipient> (telegram:123456789)')
      .option('--account <id>', 'channel account to send from (multi-account channels)')
      .addHelpText('after', `
Examples:
  openclaw system heartbeat enable                              # every 30m, to the owner's DM
  openclaw system heartbeat enable --target telegram:123456789  # target "telegram", to "123456789"
  openclaw system heartbeat enable --every 1h --target owner`),
  ).action(async (o: CommonOpts & { every?: string; target?: string; account?: string }) => {
    const s = await import('../../channels/heartbeat/schedule.js');
    const { readEditableConfig } = await import('../../config/edit.js');
    const { resolveConfigPath } = await import('../../config/paths.js');
    const conn = connOptions(o, 'openclaw system heartbeat enable');
    let everyMs: number | undefined;
    if (o.every !== undefined) {
      try {
        everyMs = s.parseDuration(o.every);
      } catch (err) {
        throw new CliError(`--every: ${(err as Error).message}`, { exitCode: ExitCodes.USAGE, fix: 'openclaw system heartbeat enable --every 30m' });
      }
      if (everyMs === 0) throw new CliError('--every 0m would turn heartbeats off', { exitCode: ExitCodes.USAGE, fix: 'openclaw system heartbeat disable' });
    }
    let targetKeys: { target: string; to?: string } | undefined;
    if (o.target !== undefined) {
      try {
        targetKeys = s.parseTargetFlag(o.target);
      } catch (err) {
        throw new CliError((err as Error).message, { exitCode: ExitCodes.USAGE, fix: 'openclaw system heartbeat enable --target telegram:<chat id>' });
      }
    }
    const configPath = resolveConfigPath(env());
    const current = configCall(() => heartbeatInputs(readEditableConfig(configPath).value));
    // Keep a configured cadence (enable after disable restores 30m: 0m carries no memory of it).
    const existing = s.resolveCadence(current.heartbeat);
    const every = o.every !== undefined ? o.every.trim() : existing.enabled && existing.source === 'config' ? existing.every : s.DEFAULT_HEARTBEAT_EVERY;
    const patch: Record<string, unknown> = { every };
    if (targetKeys) {
      patch.target = targetKeys.target;
      if (targetKeys.to !== undefined) patch.to = targetKeys.to;
      else if (targetKeys.target === 'owner' || targetKeys.target === 'last' || targetKeys.target === 'none') patch.to = null;
      else if (current.heartbeat?.to === undefined || String(current.heartbeat.to).trim() === '') {
        throw new CliError(`--target ${o.target} names a channel but no recipient`, { exitCode: ExitCodes.USAGE, fix: `openclaw system heartbeat enable --target ${targetKeys.target}:<chat id>` });
      }
    }
    if (o.account !== undefined) patch.accountId = o.account.trim() === '' ? null : o.account.trim();
    const result = await writeHeartbeatPatch(configPath, patch);
    const after = configCall(() => heartbeatInputs(readEditableConfig(configPath).value));
    const cadence = s.resolveCadence(after.heartbeat);
    const target = s.resolveTarget({ heartbeat: after.heartbeat, ownerAllowFrom: after.ownerAllowFrom });
    const rpc = await tellGateway(conn, true);
    const nextRunAt = cadence.enabled ? firstRunAt(rpc.status, cadence.everyMs, rpc.gateway) : null;
    const warnings = [...result.warnings];
    if (rpc.warning) warnings.push(rpc.warning);
    if (o.json) {
      return json({ ok: true, enabled: cadence.enabled, every: cadence.enabled ? cadence.every : every, everyMs: cadence.enabled ? cadence.everyMs : null, config: after.heartbeat ?? {}, target, gateway: rpc.gateway, nextRunAt, configPath, changed: result.changed, backupPath: result.backupPath, warnings });
    }
    out(`Heartbeat enabled: every ${every}${result.changed ? '' : ' (no change to the config)'}`);
    const set = [`agents.defaults.heartbeat.every = ${JSON.stringify(every)}`];
    if (patch.target !== undefined) set.push(`target = ${JSON.stringify(patch.target)}`);
    if (typeof patch.to === 'string') set.push(`to = ${JSON.stringify(patch.to)}`);
    if (patch.to === null && current.heartbeat?.to !== undefined) set.push('to removed');
    if (patch.accountId !== undefined) set.push(patch.accountId === null ? 'accountId removed' : `accountId = ${JSON.stringify(patch.accountId)}`);
    out(`Set: ${set.join(', ')}${result.backupPath ? ` (backup: ${result.backupPath})` : ''}`);
    out(`Target: ${s.describeTarget(target)}`);
    if (rpc.gateway === 'running') out(`First run: ${nextRunAt ? when(nextRunAt, now()) : 'when the gateway reloads its config'}`);
    else out(`First run: one interval after the gateway starts (${rpc.gateway === 'not-running' ? 'it is not running: openclaw gateway start' : 'the gateway did not answer; it applies the config when it reloads'})`);
    for (const w of warnings) warn(`warning: ${w}`);
    if (!s.isRoute(target) && target.none !== 'target-none') {
      warn(`warning: ${target.message}; heartbeats are skipped until one resolves.`);
      if (target.none === 'no-route' && (after.heartbeat?.target === undefined || after.heartbeat.target === 'owner')) for (const fix of OWNER_FIXES) warn(`fix: ${fix}`);
      else if (target.fix) warn(`fix: ${target.fix}`);
    }
  });

  common(
    heartbeat
      .command('disable')
      .description('Turn heartbeats off (writes agents.defaults.heartbeat.every "0m"; a running gateway stops at once).'),
  ).action(async (o: CommonOpts) => {
    const { resolveConfigPath } = await import('../../config/paths.js');
    const conn = connOptions(o, 'openclaw system heartbeat disable');
    const configPath = resolveConfigPath(env());
    const result = await writeHeartbeatPatch(configPath, { every: '0m' });
    const rpc = await tellGateway(conn, false);
    const warnings = [...result.warnings, ...(rpc.warning ? [rpc.warning] : [])];
    if (o.json) return json({ ok: true, enabled: false, every: '0m', gateway: rpc.gateway, configPath, changed: result.changed, backupPath: result.backupPath, warnings });
    out(`Heartbeat disabled: agents.defaults.heartbeat.every = "0m"${result.changed ? '' : ' (already)'}${result.backupPath ? ` (backup: ${result.backupPath})` : ''}`);
    if (rpc.gateway === 'running') out('The running gateway stopped its heartbeat timer.');
    out('Turn them back on with: openclaw system heartbeat enable');
    for (const w of warnings) warn(`warning: ${w}`);
  });

  const showAction = (mode: 'status' | 'last') => async (o: CommonOpts) => {
    const view = await readView(connOptions(o, `openclaw system heartbeat ${mode}`));
    if (o.json) {
      if (mode === 'last') return json({ ok: true, gateway: view.gateway, last: view.last, ...(view.gatewayError ? { gatewayError: view.gatewayError } : {}) });
      return json({ ok: true, gateway: view.gateway, ...(view.gatewayError ? { gatewayError: view.gatewayError } : {}), ...view.status, last: view.last, ...(view.stateFile ? { stateFile: view.stateFile } : {}) });
    }
    const lines: string[] = [];
    if (view.gateway === 'running') lines.push('Gateway: running');
    else {
      lines.push(`Gateway: NOT RUNNING: no heartbeats are being sent${view.gatewayError ? ` (${view.gatewayError})` : ''}`);
      lines.push('fix: openclaw gateway start');
    }
    if (mode === 'status') {
      lines.push(`Heartbeat: ${cadenceLine(view.status)}`);
      lines.push(`Target: ${await targetLine(view.status.target)}`);
    }
    lines.push(...recordLines(view.last, now()));
    if (mode === 'status') lines.push(`Next run: ${nextLine(view)}`);
    if (view.status.error) lines.push(`problem: ${view.status.error}${view.status.fix ? `\nfix: ${view.status.fix}` : ''}`);
    for (const l of lines) out(l);
  };

  common(heartbeat.command('status').description('Cadence, target, last run and next run (works with the gateway down).')).action(showAction('status'));
  common(heartbeat.command('last').description('The last heartbeat run: when, outcome, delivery, error (works with the gateway down).')).action(showAction('last'));

  common(
    heartbeat
      .command('run')
      .description('Run one heartbeat now and show its outcome (needs a running gateway).')
      .option('--reason <text>', 'recorded as the trigger', 'manual')
      .addHelpText('after', '\nThe turn may take as long as a model answer; --timeout bounds the wait (default 11 minutes).'),
    '660000',
  ).action(async (o: CommonOpts & { reason?: string }) => {
    const conn = connOptions(o, 'openclaw system heartbeat run');
    const { withGateway, GatewayUnreachableError, GatewayCallError } = await import('../../client/call.js');
    let record: HeartbeatRecord;
    try {
      record = await withGateway({ ...conn, timeoutMs: Math.min(conn.timeoutMs ?? 10_000, 10_000) }, (client) =>
        client.request<HeartbeatRecord>('heartbeat.run', { reason: o.reason ?? 'manual' }, { timeoutMs: conn.timeoutMs }),
      );
    } catch (err) {
      if (err instanceof GatewayUnreachableError) throw new CliError(`the gateway is not running, so no heartbeat can run (${err.reason} at ${err.url})`, { fix: 'openclaw gateway start' });
      if (err instanceof GatewayCallError) throw new CliError(err.message, { fix: err.fix, data: { code: err.detailCode ?? err.code } });
      throw err;
    }
    if (record.status === 'failed') {
      if (!o.json) for (const l of recordLines(record, now())) out(l);
      throw new CliError(`heartbeat failed: ${record.error ?? record.reason ?? 'no detail'}`, { fix: record.fix, data: { record } });
    }
    if (o.json) return json({ ok: true, record });
    for (const l of recordLines(record, now())) out(l);
  });

  // ---- helpers (closures over env/now) --------------------------------------------------------

  /** Tells a running gateway to switch at once; the config write stands either way. */
  async function tellGateway(conn: ConnectOptions, enabled: boolean): Promise<{ gateway: GatewayState; status?: HeartbeatStatus; warning?: string }> {
    const { callGateway, GatewayUnreachableError } = await import('../../client/call.js');
    try {
      const r = (await callGateway({ ...conn, method: 'set-heartbeats', params: { enabled } })) as SetHeartbeatsResult;
      return { gateway: 'running', status: r?.status };
    } catch (err) {
      if (err instanceof GatewayUnreachableError) return { gateway: 'not-running' };
      return { gateway: 'unreachable', warning: `the config is written, but the gateway did not take set-heartbeats (${(err as Error).message}); it applies the change when it reloads its config` };
    }
  }

  function firstRunAt(status: HeartbeatStatus | undefined, everyMs: number, gateway: GatewayState): number | null {
    if (gateway !== 'running') return null;
    // The gateway may not have reloaded the file yet; its plan counts only once it runs our cadence.
    if (status?.nextRunAt && status.everyMs === everyMs) return status.nextRunAt;
    return null;
  }

  interface View {
    gateway: GatewayState;
    gatewayError?: string;
    status: Omit<HeartbeatStatus, 'stateFile'> & { stateFile?: string };
    last: HeartbeatRecord | null;
    stateFile?: string;
    /** From heartbeat.json when the gateway is down. */
    file?: HeartbeatStateFile | null;
  }

  async function readView(conn: ConnectOptions): Promise<View> {
    const { withGateway, GatewayUnreachableError, GatewayCallError } = await import('../../client/call.js');
    try {
      const r = await withGateway(conn, (client, remaining) => client.request<LastHeartbeatResult>('last-heartbeat', {}, { timeoutMs: remaining() }));
      return { gateway: 'running', status: r.status, last: r.last ?? null };
    } catch (err) {
      if (err instanceof GatewayUnreachableError) {
        if (!isLocalUrl(err.url)) throw new CliError(err.message, { fix: err.fix });
        return offlineView('not-running', err.reason);
      }
      // A gateway without heartbeats wired (older build) still has a state file worth showing.
      if (err instanceof GatewayCallError && (err.detailCode === 'UNKNOWN_METHOD' || err.code === 'UNAVAILABLE' || /unknown method/i.test(err.message))) {
        const v = await offlineView('running', `the gateway has no heartbeat service: ${err.message}`);
        return v;
      }
      if (err instanceof GatewayCallError) throw new CliError(err.message, { fix: err.fix, data: { code: err.detailCode ?? err.code } });
      throw err;
    }
  }

  async function offlineView(gateway: GatewayState, reason: string): Promise<View> {
    const s = await import('../../channels/heartbeat/schedule.js');
    const { readHeartbeatState } = await import('../../channels/heartbeat/state.js');
    const { readEditableConfig } = await import('../../config/edit.js');
    const { resolveConfigPath, resolveStateDir } = await import('../../config/paths.js');
    const stateDir = resolveStateDir(env());
    const file = readHeartbeatState(stateDir);
    let inputs: ReturnType<typeof heartbeatInputs> = {};
    let configProblem: string | undefined;
    try {
      inputs = heartbeatInputs(readEditableConfig(resolveConfigPath(env())).value);
    } catch (err) {
      configProblem = (err as Error).message;
    }
    const cadence = s.resolveCadence(inputs.heartbeat);
    const target: TargetResolution = configProblem ? { none: 'invalid-target', message: configProblem, fix: 'openclaw config validate' } : s.resolveTarget({ heartbeat: inputs.heartbeat, ownerAllowFrom: inputs.ownerAllowFrom });
    const status: View['status'] = {
      enabled: cadence.enabled,
      runtimeEnabled: true,
      started: false,
      ...(!cadence.enabled ? { disabledReason: cadence.reason === 'invalid' ? ('invalid' as const) : ('config' as const) } : {}),
      every: cadence.every,
      everyMs: cadence.enabled ? cadence.everyMs : cadence.reason === 'disabled' ? 0 : null,
      ...(cadence.enabled ? { cadenceSource: cadence.source } : {}),
      ...(!cadence.enabled && cadence.error ? { error: cadence.error, fix: cadence.fix } : {}),
      target,
      prompt: s.resolvePrompt(inputs.heartbeat) === s.DEFAULT_HEARTBEAT_PROMPT ? 'default' : 'custom',
      nextRunAt: file.state?.nextRunAt ?? null,
      running: false,
      runningSince: null,
    };
    if (file.corrupt) status.error = `${file.path} is unreadable (the gateway rewrites it on its next heartbeat)`;
    return { gateway, gatewayError: reason, status, last: file.state?.last ?? null, stateFile: file.path, file: file.state };
  }

  function nextLine(view: View): string {
    const st = view.status;
    if (!st.enabled && view.gateway === 'running') return st.disabledReason === 'runtime' ? 'none (turned off at runtime: openclaw system heartbeat enable)' : 'none (heartbeats are off)';
    if (view.gateway !== 'running' || !st.started) {
      if (!st.enabled) return 'none (heartbeats are off)';
      if (st.nextRunAt) return st.nextRunAt <= now() ? `was due ${when(st.nextRunAt, now())}; overdue because the gateway is not running` : `was planned ${when(st.nextRunAt, now())}, but only a running gateway sends it`;
      return 'when the gateway starts (openclaw gateway start)';
    }
    return st.nextRunAt ? when(st.nextRunAt, now()) : 'not scheduled';
  }
}

// ---- pure helpers -------------------------------------------------------------------------------

/** Runs a config read/write, turning ConfigError into a CLI error (exit 78) with its fix. */
function configCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const e = err as Error & { fix?: unknown; exitCode?: unknown };
    if (e?.name === 'ConfigError' || typeof e?.exitCode === 'number') throw new CliError(e.message, { exitCode: ExitCodes.CONFIG, fix: typeof e.fix === 'string' ? e.fix : 'openclaw config validate' });
    throw err;
  }
}

async function writeHeartbeatPatch(configPath: string, heartbeat: Record<string, unknown>): Promise<EditResult> {
  const { patchConfig } = await import('../../config/edit.js');
  return configCall(() => patchConfig(configPath, { agents: { defaults: { heartbeat } } }));
}

function heartbeatInputs(cfg: Record<string, unknown>): { heartbeat?: HeartbeatConfig; ownerAllowFrom?: Array<string | number> } {
  const agents = cfg.agents as { defaults?: { heartbeat?: unknown } } | undefined;
  const hb = agents?.defaults?.heartbeat;
  const commands = cfg.commands as { ownerAllowFrom?: unknown } | undefined;
  const owners = commands?.ownerAllowFrom;
  return {
    ...(hb && typeof hb === 'object' && !Array.isArray(hb) ? { heartbeat: hb as HeartbeatConfig } : {}),
    ...(Array.isArray(owners) ? { ownerAllowFrom: owners.filter((o): o is string | number => typeof o === 'string' || typeof o === 'number') } : {}),
  };
}

function isLocalUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function clock(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function span(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) ? `${Math.floor((s % 3600) / 60)}m` : ''}`;
  return `${Math.floor(s / 86_400)}d`;
}

/** `in 25m (2026-05-01 12:30:00)` / `10m ago (…)`. */
function when(ts: number, now: number): string {
  return ts >= now ? `in ${span(ts - now)} (${clock(ts)})` : `${span(now - ts)} ago (${clock(ts)})`;
}

function cadenceLine(st: View0): string {
  if (st.disabledReason === 'invalid') return `off: ${st.error ?? 'agents.defaults.heartbeat.every is unreadable'}`;
  if (st.disabledReason === 'config') return `off (agents.defaults.heartbeat.every "${st.every ?? '0m'}")`;
  const base = `every ${st.every}${st.cadenceSource === 'default' ? ' (default)' : ''}${st.prompt === 'custom' ? ', custom prompt' : ''}`;
  if (st.disabledReason === 'runtime') return `${base}, but turned off at runtime (set-heartbeats): openclaw system heartbeat enable`;
  return base;
}

type View0 = Pick<HeartbeatStatus, 'disabledReason' | 'every' | 'cadenceSource' | 'prompt' | 'error'>;

async function targetLine(t: TargetResolution): Promise<string> {
  const s = await import('../../channels/heartbeat/schedule.js');
  if (s.isRoute(t)) return s.describeTarget(t);
  if (t.none === 'target-none') return 'none (runs stay internal; nothing is delivered)';
  return `NONE: ${t.message}${t.fix ? `\nfix: ${t.fix}` : ''}`;
}

function recordLines(r: HeartbeatRecord | null, now: number): string[] {
  if (!r) return ['Last run: none yet'];
  const to = r.target ? `${r.target.channel} ${r.target.to}` : '';
  const outcome =
    r.status === 'sent'
      ? r.delivery === 'queued'
        ? `sent, queued for ${to} (not confirmed yet)`
        : `sent to ${to}`
      : r.status === 'ok-silent'
        ? `ok, nothing to report (${r.reason ?? 'no-news'}), nothing sent`
        : r.status === 'skipped'
          ? `skipped (${r.reason ?? 'no reason'})`
          : `FAILED (${r.reason ?? 'error'})${r.delivery ? `, delivery ${r.delivery}` : ''}`;
  const lines = [`Last run: ${when(r.startedAt, now)}, took ${(r.durationMs / 1000).toFixed(1)}s: ${outcome}${r.trigger && r.trigger !== 'interval' ? ` [${r.trigger}]` : ''}`];
  if (r.preview) lines.push(`  reply: ${r.preview}`);
  if (r.error) lines.push(`  error: ${r.error}`);
  if (r.fix) lines.push(`  fix: ${r.fix}`);
  return lines;
}
