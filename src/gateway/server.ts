// The gateway process: one http.Server for probes, HTTP extensions and the WebSocket upgrade;
// a single-instance pid file; hot reload; a clean drain on SIGTERM and in-process restarts.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { companionListenHosts } from '../config/bind.js';
import { ConfigError, hashRaw, loadConfig, parseConfigText } from '../config/load.js';
import { statePaths } from '../config/paths.js';
import { resolveGatewaySettings, type GatewayFlags } from '../config/resolve.js';
import type { OpenClawConfig } from '../config/schema.js';
import { ConfigStore } from '../config/store.js';
import { AUTO_RESTORED_MESSAGE, autoRestoredFix, restoreLastGood, usableLastGood } from '../config/recover.js';
import { unsupportedSentence } from '../config/upstream-keys.js';
import { isLoopbackHost, type ResolvedGatewaySettings } from '../config/types.js';
import { readPackageVersion } from '../cli/version.js';
import { findFreePort, findPortOwner } from '../infra/port-owner.js';
import { isGatewayCmdline } from '../infra/proc.js';
import { createLogger, type GatewayLogger } from '../logging/logger.js';
import { startupMark } from '../logging/startup-trace.js';
import type { Logger } from '../logging/types.js';
import { ProcessFailures, Rejections, type ProcessFailureContext, type ProcessFailureId } from '../protocol/errors.js';
import { degradedSubsystems, isDiskFull, noteDiskFull } from '../infra/disk-full.js';
import { createControlPlane, type ControlPlane } from './control-plane/index.js';
import { loadExtensions, type GatewayExtensions } from './extensions.js';
import { inspectPidFile, pidRecordFor, removePidFile, writePidFile } from './pidfile.js';
import { applySecurityHeaders, handleProbe, sendJson, type Readiness } from './probes.js';
import { diffSettings, watchConfigFile, type ConfigWatcher } from './reload.js';
import { createServices, type ProcessServices } from './services.js';
import { probeHandshake } from './handshake-probe.js';
import { answerClientError, closeAfterEarlyAnswer, connectionCap, isRefusedSocket, maxConnectionsPerIp, MAX_HEADER_BYTES } from './transport/guards.js';

export type { GatewayFlags };


export interface StartGatewayOptions {
  env: NodeJS.ProcessEnv;
  flags: GatewayFlags;
  allowUnconfigured?: boolean;
  /** Default: JSONL to <state>/logs/gateway.log plus `[subsystem] msg` on the console. */
  log?: Logger;
  /** Log at debug level whatever gateway.logging.level says (`gateway run --verbose`). */
  verbose?: boolean;
  /** Own the process: SIGTERM/SIGINT drain and exit, SIGUSR1 restarts (`gateway run`). */
  handleSignals?: boolean;
}

export interface GatewayHandle {
  host: string;
  port: number;
  /** ws://host:port */
  url: string;
  services: ProcessServices;
  /**
   * `restart: true` (a stop that `openclaw gateway restart` follows with a start) closes clients 1012
   * instead of 1001; `exitCode`: what the process should exit with once closed (a crash: 1).
   */
  close(reason?: string, opts?: { restart?: boolean; exitCode?: number }): Promise<void>;
  restart(reason: string): Promise<void>;
  /** Re-reads the config file now, as if it had changed on disk (SIGHUP). */
  reloadConfig(reason: string): void;
  /** Resolves once the gateway has stopped (close(), or a restart that could not listen again). */
  closed: Promise<void>;
  /** 0 after a clean close; the failure's exit code when a restart could not listen again. */
  readonly exitCode: number;
}

/** Why the gateway refused to start: the printed message (may span lines), its fix, the exit code. */
export class GatewayStartError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'GatewayStartError';
  }
}

export function startFailure(id: ProcessFailureId, ctx: ProcessFailureContext = {}): GatewayStartError {
  const f = ProcessFailures[id];
  return new GatewayStartError(f.message(ctx), f.exitCode, f.fix(ctx));
}

const RESTART_EXPECTED_MS = 1500;
const SHUTDOWN_GRACE_MS = 1000;
const HANDSHAKE_PROBE_MS = 5000;

/** Refuses settings no gateway should run with (checked at start and for every reload). */
export function checkStartGuards(s: ResolvedGatewaySettings, allowUnconfigured: boolean): void {
  if (s.mode === undefined && !allowUnconfigured) throw startFailure('START_BLOCKED_MODE_UNSET');
  const a = s.auth;
  const hasAuth = (a.mode === 'token' && !!a.token) || (a.mode === 'password' && !!a.password) || a.mode === 'trusted-proxy';
  if (!isLoopbackHost(s.host) && !hasAuth) throw startFailure('BIND_WITHOUT_AUTH', { host: s.host, port: s.port });
  if (a.mode === 'token' && !a.token) throw startFailure('TOKEN_NOT_CONFIGURED');
}

export function wsUrl(host: string, port: number): string {
  return `ws://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function resolveOrThrow(config: OpenClawConfig, opts: StartGatewayOptions): ResolvedGatewaySettings {
  try {
    return resolveGatewaySettings(config, opts.env, opts.flags);
  } catch (err) {
    if (err instanceof ConfigError) throw new GatewayStartError(err.message, err.exitCode, err.fix);
    throw err;
  }
}

interface StartupConfig {
  config: OpenClawConfig;
  raw: string | undefined;
  /** Started from openclaw.json.last-good because the main file was unusable. */
  restored: boolean;
  /** Upstream keys accepted but not implemented (config/upstream-keys.ts). */
  unsupported: string[];
}

/**
 * Loads the config. An unusable main file with a usable last-known-good copy is moved aside as
 * `.rejected.<ts>` and the copy restored on disk (config/recover.ts), so the CLI works again too.
 */
function loadStartupConfig(configPath: string, store: ConfigStore, log: Logger): StartupConfig {
  try {
    const loaded = loadConfig(configPath);
    return { config: loaded.config, raw: loaded.raw, restored: false, unsupported: loaded.unsupported };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const copy = usableLastGood(store);
    if (!copy) throw new GatewayStartError(err.message, err.exitCode, err.fix);
    let rejectedPath: string | undefined;
    try {
      rejectedPath = restoreLastGood(store, copy);
    } catch (writeErr) {
      log.warn(`could not restore ${configPath} from ${store.lastGoodPath} (${(writeErr as Error).message}); running on the last-known-good config in memory`);
    }
    // undefined: the file was fixed (or could not be written) meanwhile; this start still uses the copy.
    if (rejectedPath) log.warn(AUTO_RESTORED_MESSAGE, { rejectedPath, problem: err.problem, fix: autoRestoredFix(rejectedPath) });
    else log.warn(AUTO_RESTORED_MESSAGE, { restoredInMemoryOnly: true, problem: err.problem });
    return { config: copy.config, raw: copy.raw, restored: true, unsupported: copy.unsupported };
  }
}

function readTextOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function isGatewayLogger(log: Logger): log is GatewayLogger {
  return typeof (log as Partial<GatewayLogger>).addSecret === 'function';
}

/** Connect address for a listen address (0.0.0.0 is not something to connect to). */
function connectHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

interface Listener {
  server: http.Server;
  /** Extra listen addresses on the same port (127.0.0.1 beside a specific IPv4 bind). */
  companions: http.Server[];
  controlPlane: ControlPlane;
  sockets: Set<Socket>;
  host: string;
  port: number;
}

export async function startGateway(opts: StartGatewayOptions): Promise<GatewayHandle> {
  startupMark('gateway modules evaluated');
  const paths = statePaths(opts.env);
  const ownLogger = opts.log ? undefined : createLogger({ file: paths.gatewayLog, level: 'info', console: true });
  const rootLog: Logger = opts.log ?? ownLogger!;
  const log = rootLog.child('gateway');
  const store = new ConfigStore(paths.configPath);
  const allowUnconfigured = !!opts.allowUnconfigured;

  const startup = loadStartupConfig(paths.configPath, store, log);
  let requested = resolveOrThrow(startup.config, opts);
  checkStartGuards(requested, allowUnconfigured);
  const applyLogSettings = (s: ResolvedGatewaySettings) => applyLoggerSettings(rootLog, s, opts.verbose);
  applyLogSettings(requested);
  for (const w of requested.warnings) log.warn(w);
  if (startup.unsupported.length) log.warn(unsupportedSentence(startup.unsupported));
  startupMark('config loaded');

  const pid = inspectPidFile(paths.pidFile);
  if (pid.state === 'running' && pid.record.pid !== process.pid) {
    throw startFailure('ALREADY_RUNNING', { host: pid.record.host, port: pid.record.port, pid: pid.record.pid });
  }
  if (pid.state === 'stale') {
    fs.rmSync(paths.pidFile, { force: true });
    log.info(`reclaimed stale pid file (pid ${pid.pid ?? 'unknown'} is not running)`);
  }

  let readiness: Readiness = { phase: 'starting', pending: ['listener', 'control-plane'] };
  let effective = requested;
  let listener: Listener | undefined;
  let watcher: ConfigWatcher | undefined;
  let closing: Promise<void> | undefined;
  let restarting: Promise<void> = Promise.resolve();
  let exitCode = 0;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));

  const services = createServices({
    version: readPackageVersion(),
    startedAt: Date.now(),
    stateDir: paths.stateDir,
    configPath: paths.configPath,
    log: rootLog,
    logFile: paths.gatewayLog,
    settings: () => effective,
    broadcast: (event, payload) => listener?.controlPlane.broadcast(event, payload),
    requestRestart: (reason) => void handle.restart(reason),
  });
  const extensions = await loadExtensions(services);
  startupMark('extensions loaded');

  async function openListener(s: ResolvedGatewaySettings): Promise<Listener> {
    const controlPlane = createControlPlane({ services, extraMethods: extensions.methods });
    startupMark('control plane created');
    const sockets = new Set<Socket>();
    const makeServer = () => {
      const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
        if (isRefusedSocket(req.socket)) return;
        closeAfterEarlyAnswer(req, res);
        void handleHttp(req, res, extensions, currentReadiness, () => effective, log);
      });
      const perIpLimit = maxConnectionsPerIp(opts.env);
      server.on('connection', connectionCap(() => perIpLimit, () => effective.trustedProxies));
      server.on('connection', (sock: Socket) => {
        sockets.add(sock);
        sock.once('close', () => sockets.delete(sock));
      });
      server.on('upgrade', (req, sock: Socket, head: Buffer) => {
        if (isRefusedSocket(sock)) return; // already answered 503
        if (readiness.phase === 'draining') sock.destroy();
        else controlPlane.handleUpgrade(req, sock, head);
      });
      server.on('clientError', answerClientError);
      return server;
    };
    const listen = (server: http.Server, port: number, host: string) =>
      new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    const server = makeServer();
    const companions: http.Server[] = [];
    const closeAll = () => Promise.all([server, ...companions].map((srv) => new Promise<void>((r) => (srv.listening ? srv.close(() => r()) : r()))));
    let host = s.host;
    try {
      await listen(server, s.port, s.host);
      // Upstream's rule: a gateway bound to one specific IPv4 also listens on 127.0.0.1 (same port),
      // so the owner's CLI on this machine keeps local trust.
      for (host of companionListenHosts(s.host)) {
        const companion = makeServer();
        companions.push(companion);
        await listen(companion, (server.address() as AddressInfo).port, host);
      }
    } catch (err) {
      await closeAll();
      await controlPlane.shutdown({ code: 1001, reason: 'going away', restartExpectedMs: null }).catch(() => {});
      throw await listenFailure(err as NodeJS.ErrnoException, host, s.port || (server.address() as AddressInfo | null)?.port || 0, paths.pidFile);
    }
    for (const srv of [server, ...companions]) srv.on('error', (err) => log.error(`listener error: ${err.message}`));
    const port = (server.address() as AddressInfo).port;
    const l: Listener = { server, companions, controlPlane, sockets, host: s.host, port };
    startupMark('listening');
    try {
      await probeHandshake(connectHost(s.host), port, HANDSHAKE_PROBE_MS);
    } catch (err) {
      log.error(`control plane did not answer the handshake probe: ${(err as Error).message}`);
      await closeListener(l, { code: 1001, reason: 'going away', restartExpectedMs: null });
      throw startFailure('NOT_READY', { timeoutSec: HANDSHAKE_PROBE_MS / 1000 });
    }
    return l;
  }

  /** Readiness as /ready reports it: a ready gateway whose state dir is full is `degraded`. */
  function currentReadiness(): Readiness {
    if (readiness.phase !== 'ready') return readiness;
    const degraded = degradedSubsystems(paths.stateDir);
    return degraded.length ? { ...readiness, degraded, degradedFix: Rejections.STATE_DISK_FULL.fix({ stateDir: paths.stateDir }) } : readiness;
  }

  function markReady(l: Listener): void {
    listener = l;
    effective = { ...requested, host: l.host, port: l.port };
    readiness = { phase: 'ready', pending: [] };
    try {
      writePidFile(paths.pidFile, pidRecordFor({ host: l.host, port: l.port, configPath: paths.configPath, version: services.version, startedAt: services.startedAt }));
    } catch (err) {
      // A full disk must not stop a start (or a restart loop would follow): serve without the pid file.
      if (!isDiskFull(err)) throw err;
      noteDiskFull('pid file', err);
      log.error(`could not write ${paths.pidFile}: ${(err as Error).message}`, { fix: Rejections.STATE_DISK_FULL.fix({ stateDir: paths.stateDir }) });
    }
  }

  /** The line supervisors and scripts wait for: logged only when everything above is done. */
  const announce = (l: Listener) => log.info(`listening on ${wsUrl(l.host, l.port)} (pid ${process.pid})`);

  let lastSeenHash = hashRaw(readTextOr(paths.configPath, ''));

  /** Re-reads the config file; returns new settings, or undefined when it is unchanged or invalid. */
  function readConfigForReload(force: boolean): { settings: ResolvedGatewaySettings; text: string; hash: string } | undefined {
    let text: string;
    try {
      text = fs.readFileSync(paths.configPath, 'utf8');
    } catch {
      return undefined; // removed or mid-rename: keep running; the next event brings it back
    }
    const hash = hashRaw(text);
    if (hash === lastSeenHash && !force) return undefined;
    lastSeenHash = hash;
    const problem = configProblem(text);
    if (typeof problem === 'string') {
      const rejectedPath = store.saveRejected(text);
      log.warn(`config reload skipped (invalid config): ${paths.configPath}: ${problem}`, { rejectedPath });
      return undefined;
    }
    return { settings: problem.settings, text, hash };
  }

  function configProblem(text: string): string | { settings: ResolvedGatewaySettings } {
    const parsed = parseConfigText(text, paths.configPath);
    if (!parsed.ok) return parsed.problem;
    try {
      const settings = resolveGatewaySettings(parsed.config, opts.env, opts.flags);
      checkStartGuards(settings, allowUnconfigured);
      return { settings };
    } catch (err) {
      if (err instanceof ConfigError) return err.problem;
      if (err instanceof GatewayStartError) return err.message.split('\n')[0];
      throw err;
    }
  }

  function onConfigFileChanged(force = false): void {
    if (closing) return;
    const next = readConfigForReload(force);
    if (!next) return;
    const diff = diffSettings(requested, next.settings);
    requested = next.settings;
    store.writeLastGood(next.text);
    applyLogSettings(requested);
    extensions.configChanged();
    const mode = requested.reload.mode;
    const needsRestart = (diff.restart.length > 0 && mode !== 'hot') || (mode === 'restart' && diff.hot.length > 0);
    if (!listener) return; // a restart is in progress and will pick `requested` up
    effective = { ...requested, host: listener.host, port: listener.port };
    log.info(diff.hot.length || diff.restart.length ? `config reloaded: ${[...diff.hot, ...diff.restart].join(', ')}` : 'config reloaded: no gateway setting changed');
    listener.controlPlane.settingsChanged();
    services.broadcast('config.changed', { path: paths.configPath, hash: next.hash, ts: Date.now() });
    if (needsRestart) void handle.restart(`config change: ${(diff.restart.length ? diff.restart : diff.hot).join(', ')}`);
    else if (diff.restart.length) log.warn(`config change needs a listener restart (gateway.reload.mode is hot): ${diff.restart.join(', ')}; run: openclaw gateway restart`);
  }

  async function doRestart(reason: string): Promise<void> {
    if (closing) return;
    log.info(`restarting listener (${reason})`);
    const previous = effective;
    // SIGUSR1 / requestRestart pick up a config edited while reload was off.
    const fresh = readConfigForReload(true);
    if (fresh) {
      requested = fresh.settings;
      applyLogSettings(requested);
    }
    readiness = { phase: 'starting', pending: ['listener', 'control-plane'] };
    const old = listener;
    listener = undefined;
    extensions.endStreams?.('restart');
    if (old) await closeListener(old, { code: 1012, reason: 'service restart', restartExpectedMs: RESTART_EXPECTED_MS });
    if (closing) return;
    const adopt = async (l: Listener) => {
      if (closing) return closeListener(l, { code: 1001, reason: 'going away', restartExpectedMs: null }); // closed meanwhile
      markReady(l);
      announce(l);
    };
    try {
      await adopt(await openListener(requested));
    } catch (err) {
      log.error(`restart could not listen: ${(err as Error).message}`);
      try {
        requested = { ...requested, host: previous.host, port: previous.port };
        await adopt(await openListener(requested));
      } catch (err2) {
        exitCode = err2 instanceof GatewayStartError ? err2.exitCode : 1;
        await handle.close('restart failed');
      }
    }
  }

  const handle: GatewayHandle = {
    get host() {
      return effective.host;
    },
    get port() {
      return effective.port;
    },
    get url() {
      return wsUrl(effective.host, effective.port);
    },
    services,
    closed,
    get exitCode() {
      return exitCode;
    },
    reloadConfig(reason: string) {
      log.info(`${reason}: re-reading ${paths.configPath}`);
      onConfigFileChanged(true);
    },
    restart(reason: string) {
      restarting = restarting.then(() => doRestart(reason)).catch((err) => log.error(`restart failed: ${(err as Error).message}`));
      return restarting;
    },
    close(reason = 'shutdown', opts = {}) {
      if (opts.exitCode !== undefined && exitCode === 0) exitCode = opts.exitCode;
      closing ??= (async () => {
        readiness = { phase: 'draining', pending: ['connections'] };
        watcher?.close();
        log.info(`shutting down (${reason})`);
        const l = listener;
        listener = undefined;
        extensions.endStreams?.(opts.restart ? 'restart' : 'shutdown');
        if (l) await closeListener(l, opts.restart ? { code: 1012, reason: 'service restart', restartExpectedMs: RESTART_EXPECTED_MS } : { code: 1001, reason: 'going away', restartExpectedMs: null });
        await extensions.close().catch((err) => log.warn(`extension shutdown failed: ${(err as Error).message}`));
        removePidFile(paths.pidFile);
        log.info('gateway stopped');
        ownLogger?.close();
        resolveClosed();
      })();
      return closing;
    },
  };

  let first: Listener;
  try {
    first = await openListener(requested);
  } catch (err) {
    await extensions.close().catch(() => {});
    ownLogger?.close();
    throw err;
  }
  markReady(first);
  extensions.onListening();
  startupMark('ready');
  if (requested.reload.mode !== 'off') watcher = watchConfigFile(paths.configPath, onConfigFileChanged);
  // Handlers go in before the ready line: whoever waits for it may signal us right away.
  if (opts.handleSignals) installProcessHandlers(handle, log);
  announce(first);
  // Off the ready path (two fsyncs); a crash before this only means last-good stays one start older.
  if (!startup.restored && startup.raw !== undefined) {
    const raw = startup.raw;
    setImmediate(() => {
      try {
        store.writeLastGood(raw);
      } catch (err) {
        log.warn(`could not write ${store.lastGoodPath}: ${(err as Error).message}`);
      }
    });
  }
  return handle;
}

function applyLoggerSettings(log: Logger, s: ResolvedGatewaySettings, verbose = false): void {
  if (!isGatewayLogger(log)) return;
  log.addSecret(s.auth.token);
  log.addSecret(s.auth.password);
  log.configure({ level: verbose ? 'debug' : s.logging.level, maxFileBytes: s.logging.maxFileBytes, maxFiles: s.logging.maxFiles });
}

async function handleHttp(req: http.IncomingMessage, res: http.ServerResponse, ext: GatewayExtensions, readiness: () => Readiness, settings: () => ResolvedGatewaySettings, log: Logger): Promise<void> {
  applySecurityHeaders(res);
  try {
    if (handleProbe(req, res, readiness(), settings())) return; // settings enable the diagnostics route
    for (const handler of ext.httpHandlers) if (await handler(req, res)) return;
    sendJson(req, res, 404, { ok: false, error: { code: 'NOT_FOUND', message: `no route for ${req.method} ${(req.url ?? '/').split('?')[0]}` } });
  } catch (err) {
    log.error(`http handler failed: ${(err as Error).message}`, { path: (req.url ?? '/').split('?')[0] });
    if (!res.headersSent) sendJson(req, res, 500, { ok: false, error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
    else res.destroy();
  }
}

async function closeListener(l: Listener, shutdown: Parameters<ControlPlane['shutdown']>[0]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([l.controlPlane.shutdown(shutdown).catch(() => {}), new Promise<void>((r) => (timer = setTimeout(r, SHUTDOWN_GRACE_MS)))]);
  clearTimeout(timer);
  await new Promise<void>((resolve) => {
    let open = 1 + l.companions.length;
    for (const srv of [l.server, ...l.companions]) srv.close(() => --open === 0 && resolve());
    // A socket with bytes still queued (the last chunk of an ended SSE stream) is ended, not cut.
    for (const sock of l.sockets) {
      if (sock.writableLength === 0) sock.destroy();
      else {
        sock.end();
        setTimeout(() => sock.destroy(), SHUTDOWN_GRACE_MS).unref();
      }
    }
  });
}

/** Turns a listen error into the message that says who holds the port and what to do. */
async function listenFailure(err: NodeJS.ErrnoException, host: string, port: number, pidFile: string): Promise<GatewayStartError> {
  if (err.code !== 'EADDRINUSE') return startFailure('BIND_FAILED', { host, port, detail: err.code ?? err.message });
  const pid = inspectPidFile(pidFile);
  if (pid.state === 'running' && pid.record.port === port) return startFailure('ALREADY_RUNNING', { host, port, pid: pid.record.pid });
  const owner = findPortOwner(port);
  if (owner && isGatewayCmdline(owner.argv)) return startFailure('ALREADY_RUNNING', { host, port, pid: owner.pid });
  const freePort = await findFreePort(host).catch(() => findFreePort());
  if (owner) return startFailure('PORT_IN_USE', { port, pid: owner.pid, command: owner.command, freePort });
  return startFailure('PORT_IN_USE_UNKNOWN_OWNER', { port, freePort });
}

/**
 * SIGTERM/SIGINT/SIGQUIT drain and exit 0 (forced after 1.8 s); SIGUSR2 does the same but tells
 * clients a restart follows (`openclaw gateway restart`: 1012 instead of 1001); SIGHUP re-reads the
 * config, as daemons do; SIGUSR1 restarts in-process; a crash drains and exits 1.
 */
export function installProcessHandlers(handle: GatewayHandle, log: Logger): void {
  const stop = (reason: string, code?: number, restart = false) => {
    const exit = () => process.exit(code ?? handle.exitCode);
    setTimeout(exit, 1800);
    void handle.close(reason, { restart, exitCode: code }).finally(exit);
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGQUIT', () => stop('SIGQUIT'));
  process.on('SIGHUP', () => handle.reloadConfig('SIGHUP'));
  if (process.platform !== 'win32') process.once('SIGUSR2', () => stop('restart (SIGUSR2)', undefined, true));
  process.on('SIGUSR1', () => void handle.restart('SIGUSR1'));
  process.on('uncaughtException', (err) => {
    log.error(`uncaught exception: ${err.message}`);
    log.debug(err.stack ?? '');
    stop('uncaught exception', 1);
  });
}
