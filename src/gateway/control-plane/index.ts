// The control plane: owns every WebSocket connection, admits them through the handshake, routes
// requests to methods, fans events out (scope-guarded, sequenced, durable for resume) and runs the
// tick, health and keep-alive timers. The process engineer's server calls exactly this API.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import type { ResolvedGatewaySettings } from '../../config/types.js';
import { isLocalDirectRequest, isUnattributedProxy, resolveClientIp } from '../../auth/client-ip.js';
import { PairingStore } from '../../auth/pairing-store.js';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, MAX_PAYLOAD_BYTES, MAX_PREAUTH_PAYLOAD_BYTES, TICK_INTERVAL_MS, DEFAULT_KEEPALIVE_SECONDS } from '../../protocol/constants.js';
import { GATEWAY_EVENTS, requiredScopeForEvent } from '../../protocol/events.js';
import { rejectionError, Rejections } from '../../protocol/errors.js';
import { isDiskFull, noteDiskFull } from '../../infra/disk-full.js';
import { scopeSatisfies } from '../../protocol/scopes.js';
import type { RequestFrame } from '../../protocol/frames.js';
import type { CallerInfo, GatewayServices, MethodDef } from '../methods/types.js';
import type { ControlPlaneRuntime, HealthSnapshot } from '../methods/runtime.js';
import { createCoreMethods } from '../methods/index.js';
import { AuthLimiters } from './auth-limiters.js';
import { BootstrapCodes } from './bootstrap-codes.js';
import { Connection, encodeEvent, type ConnectionHost } from './connection.js';
import { dispatchRequest } from './dispatch.js';
import { EventLog, type LoggedEvent } from './event-log.js';
import { authorizeConnect, SilentPairingBudget, type PeerInfo, type Session } from './handshake.js';
import { buildHelloOk } from './hello.js';
import { IdempotencyStore } from './idempotency.js';
import { Presence, selfPresence } from './presence.js';
import { WebSocketServer } from 'ws';
import { rawJsonResponse } from '../transport/guards.js';


export interface ControlPlane {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  broadcast(event: string, payload: unknown): void;
  /** `shutdown` event, then close all (≤1 s, then terminate). */
  shutdown(opts: { code: 1001 | 1012; reason: string; restartExpectedMs: number | null }): Promise<void>;
  /** Re-read services.settings() (hot reload: token, origins, keepalive, proxies). */
  settingsChanged(): void;
  stats(): { connections: number; authenticated: number };
}

export interface ControlPlaneOptions {
  services: GatewayServices;
  extraMethods?: MethodDef[];
  /** Handshake budget; default OPENCLAW_HANDSHAKE_TIMEOUT_MS or 15 s. */
  handshakeTimeoutMs?: number;
  /** Bound of the durable event log (default 10 000). */
  eventLogMax?: number;
}

/** Events that are not logged for resume: periodic or state snapshots a client refetches anyway. */
const TRANSIENT_EVENTS: ReadonlySet<string> = new Set(['tick', 'presence', 'health', 'shutdown', 'connect.challenge', 'resume.gap']);
const HEALTH_INTERVAL_MS = 60_000;
const PRESENCE_COALESCE_MS = 100;
/** Raw bytes a peer may send before hello-ok; bounds memory before the per-frame 64 KiB check. */
const PREAUTH_RAW_BYTES = 2 * MAX_PREAUTH_PAYLOAD_BYTES;

const limitersByServices = new WeakMap<GatewayServices, AuthLimiters>();

/** The gateway's failed-auth limiters: one set per gateway, shared by WS connects and the /v1 API. */
export function gatewayAuthLimiters(services: GatewayServices): AuthLimiters {
  let limiters = limitersByServices.get(services);
  if (!limiters) {
    limiters = new AuthLimiters(services.settings().auth.rateLimit);
    limitersByServices.set(services, limiters);
  }
  return limiters;
}

export function createControlPlane(opts: ControlPlaneOptions): ControlPlane {
  return new Hub(opts);
}

class Hub implements ControlPlane, ConnectionHost {
  readonly log;
  private readonly services: GatewayServices;
  private settings: ResolvedGatewaySettings;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false, clientTracking: false });
  private readonly conns = new Set<Connection>();
  private readonly presence: Presence;
  private readonly limiters: AuthLimiters;
  private readonly pairing: PairingStore;
  private readonly silentPairingBudget = new SilentPairingBudget();
  private readonly bootstrap: BootstrapCodes;
  private readonly eventLog: EventLog;
  private readonly idempotency: IdempotencyStore;
  private readonly methods = new Map<string, MethodDef>();
  private readonly handshakeTimeoutMs: number;
  private tickTimer: NodeJS.Timeout;
  private healthTimer: NodeJS.Timeout;
  private keepAliveTimer: NodeJS.Timeout | null = null;
  private keepAliveMs = 0;
  private presenceTimer: NodeJS.Timeout | null = null;
  private authenticatedCount = 0;
  private stopping: Promise<void> | null = null;

  constructor(opts: ControlPlaneOptions) {
    this.services = opts.services;
    this.presence = new Presence(selfPresence(this.services.version, this.services.startedAt));
    this.log = opts.services.log.child('ws');
    this.settings = opts.services.settings();
    this.limiters = gatewayAuthLimiters(this.services);
    this.limiters.update(this.settings.auth.rateLimit);
    this.pairing = new PairingStore(this.services.stateDir);
    this.pairing.compactWhenIdle();
    try {
      this.pairing.compact(); // journal lines left by a crash or by the CLI: fold them in once at start
    } catch {
      // a busy lock or a broken file: reads still see snapshot + journal, the idle timer tries again
    }
    this.bootstrap = new BootstrapCodes(this.services.stateDir);
    const replayDir = path.join(this.services.stateDir, 'replay');
    this.eventLog = new EventLog(replayDir, { maxEvents: opts.eventLogMax });
    this.idempotency = new IdempotencyStore(replayDir);
    const envTimeout = Number(process.env.OPENCLAW_HANDSHAKE_TIMEOUT_MS);
    this.handshakeTimeoutMs = opts.handshakeTimeoutMs ?? (Number.isFinite(envTimeout) && envTimeout > 0 ? envTimeout : DEFAULT_HANDSHAKE_TIMEOUT_MS);

    for (const m of [...createCoreMethods(this.runtime()), ...(opts.extraMethods ?? [])]) {
      if (m.name === 'connect') continue; // connect is the handshake, never a method
      this.methods.set(m.name, m);
    }
    this.tickTimer = setInterval(() => this.fanOut('tick', { ts: Date.now() }, true), TICK_INTERVAL_MS);
    this.tickTimer.unref();
    this.healthTimer = setInterval(() => this.broadcastHealth(), HEALTH_INTERVAL_MS);
    this.healthTimer.unref();
    this.scheduleKeepAlive();
  }

  // ---- ControlPlane -------------------------------------------------------------------------

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    if (this.settings.auth.mode !== 'none' && isUnattributedProxy({ remoteAddress: req.socket.remoteAddress, headers: req.headers, trustedProxies: this.settings.trustedProxies })) {
      return rawJsonResponse(socket, 403, 'Forbidden', proxyAttributionBody());
    }
    const peer = this.peerInfo(req);
    // Before hello-ok nothing legitimate is big: stop reading a peer that streams more.
    let preauthBytes = head.length;
    let conn: Connection | undefined;
    const guard = (chunk: Buffer) => {
      preauthBytes += chunk.length;
      if (conn && conn.state !== 'handshake') socket.off('data', guard);
      else if (preauthBytes > PREAUTH_RAW_BYTES) {
        socket.off('data', guard);
        if (conn) conn.reject('PREAUTH_PAYLOAD_TOO_LARGE');
        else socket.destroy();
      }
    };
    socket.on('data', guard);
    socket.on('error', () => socket.destroy());
    try {
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        conn = new Connection(ws, peer, this, this.handshakeTimeoutMs);
        this.conns.add(conn);
      });
    } catch (err) {
      this.log.warn(`websocket upgrade failed: ${err instanceof Error ? err.message : String(err)}`);
      socket.destroy();
    }
  }

  broadcast(event: string, payload: unknown): void {
    this.fanOut(event, payload, false);
  }

  shutdown(opts: { code: 1001 | 1012; reason: string; restartExpectedMs: number | null }): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      clearInterval(this.tickTimer);
      clearInterval(this.healthTimer);
      if (this.presenceTimer) clearTimeout(this.presenceTimer);
      if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
      this.fanOut('shutdown', { reason: opts.reason, restartExpectedMs: opts.restartExpectedMs }, false);
      // Nothing is logged after this point, so a successor may open the log right away.
      this.eventLog.close();
      this.idempotency.close();
      try {
        this.pairing.stop(); // folds the pairing journals into paired.json / pending.json
      } catch {
        // the journals stay valid; the next start reads them
      }
      const all = [...this.conns];
      const closed = Promise.all(all.map((c) => new Promise<void>((resolve) => (c.state === 'closed' ? resolve() : c.ws.once('close', () => resolve())))));
      for (const c of all) c.close(opts.code, opts.reason);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((r) => (timer = setTimeout(r, 1000)))]);
      if (timer) clearTimeout(timer);
      for (const c of this.conns) c.terminate();
      this.conns.clear();
      this.authenticatedCount = 0;
      this.wss.close();
    })();
    return this.stopping;
  }

  settingsChanged(): void {
    this.settings = this.services.settings();
    this.limiters.update(this.settings.auth.rateLimit);
    this.scheduleKeepAlive();
  }

  stats(): { connections: number; authenticated: number } {
    return { connections: this.conns.size, authenticated: this.authenticatedCount };
  }

  /** The line the guides tell users to find with `openclaw logs --tail 20` ([gateway] subsystem). */
  private logPairingRequest(conn: Connection, deviceId: string | undefined, requestId: string): void {
    const from = conn.peer.clientIp ?? conn.peer.remoteAddress ?? 'unknown';
    this.services.log.warn(`pairing request from device ${deviceId ?? 'unknown'} (request ${requestId}, from ${from}); approve with: openclaw devices approve ${requestId}`, {
      connId: conn.connId,
      code: 'PAIRING_REQUIRED',
    });
  }

  // ---- ConnectionHost -----------------------------------------------------------------------

  connect(conn: Connection, frame: RequestFrame): void {
    if (this.stopping) return conn.closeWith('SERVICE_RESTART');
    let outcome;
    try {
      outcome = authorizeConnect(frame.params, conn.nonce, conn.peer, {
        settings: this.settings,
        pairing: this.pairing,
        bootstrap: this.bootstrap,
        limiters: this.limiters,
        silentPairingBudget: this.silentPairingBudget,
        now: Date.now,
        broadcast: (e, p) => this.broadcast(e, p),
        log: this.log,
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log.error(`connect failed: ${message}`, { connId: conn.connId });
      const error = rejectionError('INTERNAL_ERROR', { detail: `connect failed: ${message}` });
      conn.sendRes(frame.id, { ok: false, error });
      return conn.close(1011, error.message); // 1011: the server, not the client, failed
    }
    if (!outcome.ok) {
      const { rejection, ctx, extraDetails, delayMs } = outcome;
      if (rejection === 'PAIRING_REQUIRED' && ctx.requestId) this.logPairingRequest(conn, ctx.deviceId, ctx.requestId);
      // A slowed-down guess is answered later; a peer that hangs up meanwhile just goes away.
      if (delayMs) return conn.rejectAfter(delayMs, rejection, ctx, frame.id, extraDetails);
      return conn.reject(rejection, ctx, frame.id, extraDetails);
    }
    this.admit(conn, frame.id, outcome.session);
  }

  request(conn: Connection, frame: RequestFrame): void {
    const session = conn.session!;
    const caller: CallerInfo = {
      connId: conn.connId,
      role: session.role,
      scopes: session.scopes,
      deviceId: session.deviceId,
      clientId: session.params.client.id,
      clientMode: session.params.client.mode,
      remoteIp: conn.peer.clientIp,
      isLocal: conn.peer.isLocal,
    };
    const sendToCaller = (event: string, payload: unknown) => conn.sendEvent({ event, payload });
    const acknowledge = (payload: unknown) => conn.sendRes(frame.id, { ok: true, payload });
    dispatchRequest(frame, caller, sendToCaller, { methods: this.methods, services: this.services, idempotency: this.idempotency, log: this.services.log }, acknowledge)
      .then((outcome) => conn.sendRes(frame.id, outcome))
      .catch((err: unknown) => conn.sendRes(frame.id, { ok: false, error: rejectionError('INTERNAL_ERROR', { detail: err instanceof Error ? err.message : String(err) }) }));
  }

  closed(conn: Connection): void {
    const tracked = this.conns.delete(conn);
    const session = conn.session;
    if (!session) return;
    if (tracked) this.authenticatedCount--;
    if (this.presence.remove(presenceKey(conn, session), conn.connId)) this.schedulePresence();
  }

  // ---- internals ----------------------------------------------------------------------------

  /** hello-ok, then (resume clients) the replay, then live — all in one tick, so nothing interleaves. */
  private admit(conn: Connection, reqId: string, session: Session): void {
    const resumeReq = session.wantsResume ? session.params.resume : undefined;
    const sameLog = resumeReq !== undefined && resumeReq.sessionId === this.eventLog.logId;
    const plan = sameLog ? this.eventLog.since(resumeReq.lastSeq) : null;
    const replay = plan ? plan.events.filter((e) => canSee(session, e.event)) : [];
    const changedPresence = showsPresence(session);
    if (changedPresence) {
      this.presence.upsert(presenceKey(conn, session), conn.connId, {
        host: session.params.client.displayName,
        ip: conn.peer.clientIp,
        version: session.params.client.version,
        platform: session.params.client.platform,
        deviceFamily: session.params.client.deviceFamily,
        modelIdentifier: session.params.client.modelIdentifier,
        mode: session.params.client.mode,
        reason: 'connect',
        ts: Date.now(),
        deviceId: session.deviceId,
        roles: [session.role],
        scopes: session.scopes,
        instanceId: session.params.client.instanceId,
      });
    }
    const hello = buildHelloOk({
      session,
      connId: conn.connId,
      version: this.services.version,
      methods: [...this.methods.keys()],
      events: GATEWAY_EVENTS.filter((e) => e !== 'connect.challenge'),
      presence: this.presence.list(),
      health: this.health(),
      stateVersion: this.presence.stateVersion(),
      uptimeMs: Date.now() - this.services.startedAt,
      configPath: this.services.configPath,
      stateDir: this.services.stateDir,
      authMode: this.settings.auth.mode,
      resume: session.wantsResume ? { sessionId: this.eventLog.logId, cursor: this.eventLog.lastSeq, replayed: replay.length } : undefined,
    });
    conn.sendRes(reqId, { ok: true, payload: hello });
    // Every CLI command is a short connection of its own: at info they would bury the log.
    const connectLevel = session.params.client.mode === 'cli' || session.params.client.mode === 'probe' ? 'debug' : 'info';
    this.log[connectLevel](`connected ${session.params.client.id}/${session.params.client.mode} role=${session.role} via ${session.authMethod} from ${conn.peer.clientIp ?? 'unknown'}`, {
      connId: conn.connId,
      deviceId: session.deviceId,
    });
    conn.open(session); // state=open before the replay so sendEvent accepts it
    this.authenticatedCount++;
    if (resumeReq && !sameLog) {
      conn.sendEvent({ event: 'resume.gap', payload: { fromSeq: 1, toSeq: this.eventLog.lastSeq, sessionChanged: true } });
    } else if (plan?.gap) {
      conn.sendEvent({ event: 'resume.gap', payload: plan.gap });
    }
    for (const e of replay) conn.sendEvent({ event: e.event, payload: e.payload, seq: e.id });
    if (changedPresence) this.schedulePresence();
  }

  /**
   * Presence is a snapshot, so changes within PRESENCE_COALESCE_MS go out as one event: a burst of
   * N connects costs N list builds instead of N² entries on the wire.
   */
  private schedulePresence(): void {
    if (this.presenceTimer || this.stopping) return;
    this.presenceTimer = setTimeout(() => {
      this.presenceTimer = null;
      this.fanOut('presence', { presence: this.presence.list() }, false);
    }, PRESENCE_COALESCE_MS);
    this.presenceTimer.unref();
  }

  /**
   * Sends an event to every authenticated connection allowed to see it. Resumable events are
   * logged first (their id is the seq resume clients see); others count per connection.
   */
  private fanOut(event: string, payload: unknown, dropIfSlow: boolean): void {
    if (this.stopping && event !== 'shutdown') return;
    const logged = TRANSIENT_EVENTS.has(event) ? null : this.appendDurably(event, payload);
    const stateVersion = event === 'presence' || event === 'health' ? this.presence.stateVersion() : undefined;
    const payloadJson = JSON.stringify(payload);
    for (const conn of this.conns) {
      const session = conn.session;
      if (!session || !conn.authenticated || !canSee(session, event)) continue;
      const seq = session.wantsResume ? logged?.id : ++conn.seq;
      conn.sendEventText(encodeEvent(event, payloadJson, seq, stateVersion), dropIfSlow);
    }
  }

  /**
   * Logs a resumable event. On a full disk it is still sent live (without a seq: a client that
   * resumes later cannot get it), the replay log is reported degraded on /ready, and the gateway
   * goes on: whoever emitted it fails its own operation on its own write (the transcript).
   */
  private appendDurably(event: string, payload: unknown): LoggedEvent | null {
    try {
      return this.eventLog.append(event, payload);
    } catch (err) {
      if (!isDiskFull(err)) throw err;
      if (noteDiskFull('replay log', err)) this.log.error(`replay log write failed: ${(err as Error).message}; events are sent live but not kept for resume until space is freed`, { fix: Rejections.STATE_DISK_FULL.fix({ stateDir: this.services.stateDir }) });
      return null;
    }
  }

  private broadcastHealth(): void {
    this.presence.bumpHealth();
    this.fanOut('health', this.health(), true);
  }

  private health(): HealthSnapshot {
    const started = Date.now();
    const s = this.stats();
    const channels = this.services.channels?.healthSummary();
    return {
      ok: channels ? channels.ok : true,
      ts: started,
      durationMs: Date.now() - started,
      version: this.services.version,
      uptimeMs: started - this.services.startedAt,
      connections: { total: s.connections, authenticated: s.authenticated },
      presence: this.presence.clientCount(),
      authMode: this.settings.auth.mode,
      eventLog: { lastSeq: this.eventLog.lastSeq },
      ...this.upstreamHealth(),
      // Ours, as a list (upstream's `channels` is a record by channel id, from the summaries).
      ...(channels && channels.accounts.length ? { channelAccounts: channels.accounts } : {}),
    };
  }

  /** A failing summary must not take `health` (and every hello-ok) down with it. */
  private upstreamHealth(): Record<string, unknown> {
    try {
      return this.services.summaries?.health() ?? {};
    } catch (err) {
      this.log.warn(`health summary failed: ${err instanceof Error ? err.message : String(err)}`);
      return {};
    }
  }

  /** WS ping every keepAlive seconds; a peer silent for two intervals is closed 4008 `closed idle`. */
  private scheduleKeepAlive(): void {
    const seconds = this.settings.websocket?.keepAliveSeconds || DEFAULT_KEEPALIVE_SECONDS;
    const ms = Math.max(100, seconds * 1000);
    if (ms === this.keepAliveMs && this.keepAliveTimer) return;
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.keepAliveMs = ms;
    this.keepAliveTimer = setInterval(() => this.sweepIdle(), ms);
    this.keepAliveTimer.unref();
  }

  private sweepIdle(): void {
    const now = Date.now();
    for (const conn of this.conns) {
      if (conn.state !== 'open' && conn.state !== 'handshake') continue;
      if (now - conn.lastSeenAt > 2 * this.keepAliveMs) {
        this.log.info(`closing idle connection from ${conn.peer.clientIp ?? 'unknown'}`, { connId: conn.connId });
        conn.closeWith('CLOSED_IDLE');
        continue;
      }
      try {
        conn.ws.ping();
      } catch {
        // closing already
      }
    }
  }

  private peerInfo(req: IncomingMessage): PeerInfo {
    const remoteAddress = req.socket.remoteAddress;
    const ipInput = { remoteAddress, headers: req.headers, trustedProxies: this.settings.trustedProxies, allowRealIpFallback: this.settings.allowRealIpFallback };
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    return {
      remoteAddress,
      clientIp: resolveClientIp(ipInput),
      isLocal: isLocalDirectRequest(ipInput),
      origin,
      host: req.headers.host,
      headers: req.headers,
    };
  }

  private runtime(): ControlPlaneRuntime {
    return {
      services: this.services,
      pairing: this.pairing,
      bootstrap: this.bootstrap,
      presence: () => this.presence.list(),
      health: () => this.health(),
      broadcast: (event, payload) => this.broadcast(event, payload),
      connectedDeviceIds: () => new Set([...this.conns].flatMap((c) => (c.session?.deviceId ? [c.session.deviceId] : []))),
      dropDeviceConnections: (deviceId, role, exceptConnId) => {
        const victims = [...this.conns].filter((c) => c.session?.deviceId === deviceId && (!role || c.session.role === role) && c.connId !== exceptConnId);
        // Deferred: the caller may be one of them and must get its response first.
        setImmediate(() => victims.forEach((c) => c.closeWith('AUTH_DEVICE_TOKEN_MISMATCH', { deviceId })));
        return victims.length;
      },
    };
  }
}

function canSee(session: Session, event: string): boolean {
  const required = requiredScopeForEvent(event);
  if (required === null) return true;
  if (session.role !== 'operator') return false;
  return scopeSatisfies(session.scopes, required);
}

/** One row per device or app instance; the CLI, probes and anonymous device-less sockets are not presence. */
function showsPresence(session: Session): boolean {
  const mode = session.params.client.mode.toLowerCase();
  if (mode === 'cli' || mode === 'probe') return false;
  return session.deviceId !== undefined || session.params.client.instanceId !== undefined;
}

function presenceKey(conn: Connection, session: Session): string {
  return session.deviceId ?? session.params.client.instanceId ?? conn.connId;
}

/** The 403 body for a forwarded request from an unconfigured same-host proxy (WS upgrade and /v1 alike). */
export function proxyAttributionBody(): Record<string, unknown> {
  const r = Rejections.PROXY_ATTRIBUTION_REQUIRED;
  return { ok: false, error: { code: 'proxy_attribution_required', type: 'proxy_attribution_required', message: r.message(), fix: r.fix() } };
}

