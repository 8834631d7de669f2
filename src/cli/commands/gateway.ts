// `openclaw gateway [run|start|stop|restart|status|call]` and top-level `openclaw restart`.
// Thin: parse flags, call src/gateway/*, print. Heavy modules load inside the actions.
import { Command, InvalidArgumentError, Option } from 'commander';
import { saveCodeCache } from '../code-cache.cjs';
import { releaseYoungGeneration } from '../young-generation.cjs';
import { CliError, ExitCodes } from '../errors.js';
import { printJson, printRawJson, println } from '../output.js';
import { styleFor } from '../style.js';
import { parsePositive } from '../parse.js';

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number 0-65535 (0 = any free port)');
  return n;
}

interface RunOptions {
  port?: number;
  bind?: string;
  auth?: string;
  token?: string;
  password?: string;
  allowUnconfigured?: boolean;
  firstRun?: boolean;
  verbose?: boolean;
  /** false with --no-dashboard. */
  dashboard: boolean;
}

function addRunOptions(cmd: Command): Command {
  return cmd
    .option('--port <port>', 'port to listen on (0 = any free port)', parsePort)
    .option('--bind <mode>', 'loopback | lan | tailnet | auto | custom, or a literal HOST[:PORT]')
    .addOption(new Option('--auth <mode>', 'how clients authenticate').choices(['none', 'token', 'password', 'trusted-proxy']))
    .option('--token <token>', 'shared gateway token (default: gateway.auth.token or OPENCLAW_GATEWAY_TOKEN)')
    .option('--password <password>', 'shared gateway password')
    .option('--allow-unconfigured', 'start even though gateway.mode is unset')
    .option('--first-run', 'create a local config with a fresh token first if none exists, adding the model backends that answer (what npm start does)')
    .option('--verbose', 'log at debug level')
    .option('--no-dashboard', 'do not print the dashboard URL (gateway start uses this: its output goes to a file)');
}

async function runForeground(opts: RunOptions): Promise<void> {
  const env = process.env;
  if (opts.firstRun) {
    const { describeFirstRunModels, runFirstRunWithModels } = await import('../../models/first-run.js');
    const setup = await runFirstRunWithModels(env);
    if (setup.created) println(`Created ${setup.configPath} (gateway.mode=local, loopback, token auth)`);
    const models = describeFirstRunModels(setup);
    if (models) println(models);
  }
  const { setGatewayProcessTitle } = await import('../process-title.js');
  setGatewayProcessTitle();
  // Before any channel library loads: its freed compiler memory must stay returnable.
  const { holdMallocThresholds, startMemoryCompaction } = await import('../../infra/memory-compaction.js');
  holdMallocThresholds(env);
  const server = await import('../../gateway/server.js');
  let handle;
  try {
    handle = await server.startGateway({
      env,
      flags: { port: opts.port, bind: opts.bind, auth: opts.auth, token: opts.token, password: opts.password },
      allowUnconfigured: opts.allowUnconfigured,
      verbose: opts.verbose,
      handleSignals: true,
    });
  } catch (err) {
    if (err instanceof server.GatewayStartError) throw new CliError(err.message, { exitCode: err.exitCode, fix: err.fix });
    throw err;
  }
  saveCodeCache();
  // After the code cache is written: the first compaction changes V8's flags (see the module).
  startMemoryCompaction({ log: handle.services.log.child('memory'), env, afterCompaction: releaseYoungGeneration });
  // The token goes only to an interactive terminal: containers and journald keep stdout, and the
  // logger never sees it. `gateway start` (output to a file) turns the line off entirely.
  if (opts.dashboard) println(dashboardLine(handle.host, handle.port, handle.services.settings().auth.token, process.stdout.isTTY === true));
  await handle.closed;
  process.exit(handle.exitCode);
}

export function dashboardLine(host: string, port: number, token: string | undefined, stdoutIsTty: boolean): string {
  if (stdoutIsTty || !token) return `Dashboard: ${dashboardUrl(host, port, token)}`;
  return `Dashboard: ${dashboardUrl(host, port, undefined)}  (login link: openclaw dashboard)`;
}

export function dashboardUrl(host: string, port: number, token: string | undefined): string {
  const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const base = `http://${h.includes(':') ? `[${h}]` : h}:${port}/`;
  return token ? `${base}#token=${encodeURIComponent(token)}` : base;
}

async function start(opts: { timeout: number; json?: boolean; allowUnconfigured?: boolean }): Promise<void> {
  const daemon = await import('../../gateway/daemon.js');
  let result;
  try {
    result = await daemon.startDetached({ env: process.env, timeoutSec: opts.timeout, allowUnconfigured: opts.allowUnconfigured });
  } catch (err) {
    if (err instanceof daemon.DaemonStartError) throw new CliError(err.message, { exitCode: err.exitCode, data: { childExitCode: err.childExitCode } });
    throw err;
  }
  if (opts.json) printJson({ ok: true, ...result });
  else if (result.status === 'already-running') println(`gateway already running (pid ${result.pid}) on ${result.url}`);
  else println(`gateway started (pid ${result.pid}) on ${result.url}; output: ${result.outLog}`);
}

async function stop(opts: { json?: boolean }): Promise<void> {
  const daemon = await import('../../gateway/daemon.js');
  let result;
  try {
    result = await daemon.stopGateway({ env: process.env });
  } catch (err) {
    if (err instanceof daemon.DaemonStartError) throw new CliError(err.message, { exitCode: err.exitCode });
    throw err;
  }
  if (opts.json) printJson({ ok: true, ...result });
  else if (result.status === 'stopped') println(`gateway stopped (pid ${result.pid})`);
  else println('gateway is not running');
}

export async function restartGateway(opts: { timeout: number; json?: boolean }): Promise<void> {
  const daemon = await import('../../gateway/daemon.js');
  try {
    const stopped = await daemon.stopGateway({ env: process.env, restart: true });
    const started = await daemon.startDetached({ env: process.env, timeoutSec: opts.timeout });
    if (opts.json) printJson({ ok: true, stopped, started });
    else {
      if (stopped.status === 'stopped') println(`gateway stopped (pid ${stopped.pid})`);
      println(`gateway started (pid ${started.pid}) on ${started.url}`);
    }
  } catch (err) {
    if (err instanceof daemon.DaemonStartError) throw new CliError(err.message, { exitCode: err.exitCode });
    throw err;
  }
}

export function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ${s % 60}s`;
}

async function status(opts: { json?: boolean; deep?: boolean; timeout: number }): Promise<void> {
  const { gatewayStatus } = await import('../../gateway/status.js');
  const r = await gatewayStatus({ env: process.env, deep: opts.deep, timeoutMs: opts.timeout });
  const healthy = r.runtime.status === 'running' && r.rpc.ok;
  if (opts.json) printJson({ ok: healthy, ...r });
  else {
    const style = styleFor();
    println(r.runtime.status === 'running' ? `Runtime: ${style.ok('running')} (pid ${r.runtime.pid}, uptime ${formatUptime(r.runtime.uptimeMs ?? 0)})` : `Runtime: ${style.error('stopped')}`);
    println(r.rpc.ok ? `RPC probe: ${style.ok('ok')}` : `RPC probe: ${style.error('failed')} (${r.rpc.error})`);
    println(`Listening: ${r.runtime.status === 'running' ? r.url : `${r.url} (not listening)`}`);
    println(`Mode: ${r.mode}`);
    println(`Auth mode: ${r.authMode}`);
    println(`Config: ${r.config.path}${r.config.valid ? '' : ` (invalid: ${r.config.problem}; fix: ${r.config.fix})`}`);
    println(`Log: ${r.logFile}`);
    if (r.runtime.stalePidFile) println('Pid file: stale (the next start reclaims it)');
    if (r.runtime.foundByPort) println(`Pid file: missing (found pid ${r.runtime.pid} listening on the configured port; gateway stop and restart act on it)`);
    if (r.deep) {
      const others = r.deep.gatewayProcesses.filter((p) => !p.ours);
      println(others.length ? `Other gateway processes: ${others.map((p) => `pid ${p.pid} (${p.command})`).join(', ')}` : 'Other gateway processes: none');
    }
  }
  if (!healthy) process.exitCode = ExitCodes.FAILURE;
}

async function call(method: string, opts: { params?: string; json?: boolean; url?: string; token?: string; password?: string; timeout: number }): Promise<void> {
  let params: unknown;
  if (opts.params !== undefined) {
    try {
      params = JSON.parse(opts.params);
    } catch {
      throw new CliError(`--params is not valid JSON: ${opts.params}`, { exitCode: ExitCodes.USAGE, fix: `openclaw gateway call ${method} --params '{"key":"value"}'` });
    }
  }
  const client = await import('../../client/call.js');
  try {
    const result = await client.callGateway({ method, params, url: opts.url, token: opts.token, password: opts.password, timeoutMs: opts.timeout, env: process.env });
    if (opts.json) printJson({ ok: true, result });
    else printRawJson(result); // the method's payload as the gateway sent it
  } catch (err) {
    if (err instanceof client.GatewayCallError) throw new CliError(err.message, { fix: err.fix, data: { code: err.code, details: err.details } });
    if (err instanceof client.GatewayUnreachableError) throw new CliError(err.message, { fix: err.fix });
    if (err instanceof client.GatewayConnectError || err instanceof client.GatewayClosedError || err instanceof client.GatewayTimeoutError) {
      throw new CliError(err.message, { fix: 'openclaw gateway status' });
    }
    throw err;
  }
}

export function register(program: Command): void {
  const gateway = program.command('gateway').description('Run and manage the gateway process (bare `openclaw gateway` = `gateway run`).');
  // The default subcommand makes bare `openclaw gateway [flags]` a run, with run's own flags.
  addRunOptions(gateway.command('run', { isDefault: true }).description('Run the gateway in the foreground (logs to the terminal and <state>/logs/gateway.log).')).action((opts: RunOptions) => runForeground(opts));

  gateway
    .command('start')
    .description('Start the gateway in the background and wait until /ready answers.')
    .option('--timeout <seconds>', 'how long to wait for /ready', parsePositive, 30)
    .option('--allow-unconfigured', 'start even though gateway.mode is unset')
    .option('--json', 'machine-readable result')
    .action(start);

  gateway.command('stop').description('Stop the gateway named by <state>/gateway.pid (SIGTERM, SIGKILL after 5 s).').option('--json', 'machine-readable result').action(stop);

  gateway
    .command('restart')
    .description('Stop the gateway if it runs, then start it in the background.')
    .option('--timeout <seconds>', 'how long to wait for /ready', parsePositive, 30)
    .option('--json', 'machine-readable result')
    .action(restartGateway);

  gateway
    .command('status')
    .description('Is the gateway running and answering? Exit 0 only when it runs and the RPC probe succeeds.')
    .option('--json', 'machine-readable report')
    .option('--deep', 'also look for other gateway processes')
    .option('--timeout <ms>', 'RPC probe timeout', parsePositive, 10_000)
    .action(status);

  gateway
    .command('call <method>')
    .description('Call one gateway RPC method and print its result as JSON.')
    .option('--params <json>', 'method parameters as a JSON object')
    .option('--json', 'wrap the result as {ok, result}')
    .option('--url <url>', 'gateway WebSocket URL (default: the local gateway)')
    .option('--token <token>', 'gateway token')
    .option('--password <password>', 'gateway password')
    .option('--timeout <ms>', 'call timeout', parsePositive, 10_000)
    .action(call);

  program
    .command('restart')
    .description('Restart the gateway (same as `openclaw gateway restart`).')
    .option('--timeout <seconds>', 'how long to wait for /ready', parsePositive, 30)
    .option('--json', 'machine-readable result')
    .action(restartGateway);
}
