// GatewayClient: one logical connection to a gateway over protocol v4. Signs connect.challenge
// with this machine's device identity, keeps the device token the gateway issues, reconnects
// with exponential backoff and jitter (paused on failures retrying cannot fix), resumes the event
// stream without loss (caps:["resume"]) and retries in-flight requests that carry an idempotency key.
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import os from 'node:os';
import WebSocket from 'ws';
import { readPackageVersion } from '../cli/version.js';
import { MAX_PAYLOAD_BYTES, PAIRING_POLL_MS, PROTOCOL_VERSION, RECONNECT_BACKOFF_MAX_MS, RECONNECT_BACKOFF_MIN_MS, TICK_INTERVAL_MS, DEFAULT_HANDSHAKE_TIMEOUT_MS } from '../protocol/constants.js';
import { classifyClose, CloseCodes, type CloseKind } from '../protocol/close-codes.js';
import { buildDeviceAuthPayloadV3, signedBearer } from '../protocol/device-auth.js';
import { explainClose } from '../protocol/errors.js';
import { parseFrame, type EventFrame } from '../protocol/frames.js';
import { CLI_DEFAULT_SCOPES } from '../protocol/scopes.js';
import { isLoopbackAddress } from '../auth/client-ip.js';
import { DeviceTokenStore, loadOrCreateDeviceIdentity, type DeviceIdentity } from './identity.js';
import { describeSocketError, GatewayCallError, GatewayClosedError, GatewayConnectError, GatewayTimeoutError, GatewayUnreachableError } from './errors.js';

export interface HelloOk {
  type: 'hello-ok';
  protocol: number;
  server: { version: string; connId: string };
  features: { methods: string[]; events: string[]; capabilities?: string[] };
  snapshot: Record<string, unknown>;
  auth?: { deviceToken?: string; role: string; scopes: string[]; issuedAtMs?: number };
  policy: { maxPayload: number; maxBufferedBytes: number; tickIntervalMs: number; [k: string]: unknown };
  resume?: { sessionId: string; cursor: number; replayed: number };
  [k: string]: unknown;
}

export type ConnectionStateName = 'connecting' | 'connected' | 'reconnecting' | 'paused' | 'closed';

export interface ConnectionState {
  state: ConnectionStateName;
  /** Reconnect attempt number (1 = first retry). */
  attempt?: number;
  retryInMs?: number;
  /** Close code and reason of the connection that ended. */
  code?: number;
  reason?: string;
  /** Rejection detail code (PAIRING_REQUIRED, AUTH_TOKEN_MISMATCH, …) when the gateway sent one. */
  detailCode?: string;
  message?: string;
  cause?: string;
  fix?: string;
  requestId?: string;
  /** For a close without a rejection: stopped (1001), restarting (1012), lost (1006, crash or network), … */
  closeKind?: CloseKind;
}

export interface GatewayClientOptions {
  url: string;
  token?: string;
  password?: string;
  /** Single-use dashboard code; used only when no token is sent. */
  bootstrapToken?: string;
  stateDir: string;
  clientId?: string;
  clientMode?: string;
  clientVersion?: string;
  role?: string;
  /** Default CLI_DEFAULT_SCOPES, or the scopes stored with the device token when reusing one. */
  scopes?: readonly string[];
  platform?: string;
  deviceFamily?: string;
  displayName?: string;
  /** Origin header (browser-like clients). */
  origin?: string;
  reconnect?: boolean;
  resume?: boolean;
  requestTimeoutMs?: number;
  /** Budget from socket open to hello-ok (default 15 s). */
  connectTimeoutMs?: number;
  /** Backoff bounds (default 1 s → 30 s). */
  backoff?: { initialMs: number; maxMs: number };
  /** Poll interval while pairing is pending (default 2 s). */
  pairingPollMs?: number;
  /** null: connect without a device identity (shared secret only). Default: <state>/identity. */
  identity?: DeviceIdentity | null;
  caps?: readonly string[];
  /** Continue a stream a previous client (or process) saw: events after lastSeq are replayed. */
  resumeFrom?: ResumeState;
}

export interface ResumeState {
  sessionId: string;
  lastSeq: number;
}

export interface RequestOptions {
  timeoutMs?: number;
  /** Put into params.idempotencyKey; makes the request safe to retry after a reconnect. */
  idempotencyKey?: string;
}

export interface GatewayClientEvents {
  event: [name: string, payload: unknown, seq: number | undefined];
  state: [ConnectionState];
  hello: [HelloOk];
}

function isSessionChange(payload: unknown): boolean {
  return typeof payload === 'object' && payload !== null && (payload as { sessionChanged?: unknown }).sessionChanged === true;
}

/** Events that are not in the replay log and carry no resumable seq. */
const UNSEQUENCED_EVENTS = new Set(['tick', 'presence', 'health', 'shutdown', 'connect.challenge', 'resume.gap']);

interface Pending {
  method: string;
  params: unknown;
  idempotencyKey?: string;
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
  /** The id of the frame in flight on the current socket; undefined while queued. */
  frameId?: string;
}

/** What one socket attempt learned before it closed. */
interface Attempt {
  ws: WebSocket;
  opened: boolean;
  connectId?: string;
  hello: boolean;
  socketError?: Error;
  rejection?: GatewayCallError;
  /** A failure we caused (timeouts, bad challenge); reported instead of the close code. */
  localError?: Error;
  localClose?: { code: number; reason: string };
  /** The auth this attempt sent, for the retry rules. */
  sentSharedToken: boolean;
  sentDeviceToken: boolean;
  sentBootstrapToken: boolean;
  handshakeTimer?: NodeJS.Timeout;
}

export class GatewayClient extends EventEmitter<GatewayClientEvents> {
  readonly url: string;
  private readonly opts: GatewayClientOptions;
  private readonly role: string;
  private readonly identity: DeviceIdentity | null;
  private readonly tokens: DeviceTokenStore | null;
  private readonly pending = new Set<Pending>();
  private waiters: Array<{ resolve(h: HelloOk): void; reject(e: Error): void }> = [];
  private attempt: Attempt | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private lastInboundAt = 0;
  private failures = 0;
  private hello: HelloOk | undefined;
  private closedByUser = false;
  private pausedError: Error | undefined;
  private bootstrapToken: string | undefined;
  /** One retry without the shared token, using the stored device token (after AUTH_TOKEN_MISMATCH). */
  private preferDeviceToken = false;
  private usedDeviceTokenRetry = false;
  private usedSharedRetry = false;
  private sessionId: string | undefined;
  private lastSeq: number | undefined;
  private stateName: ConnectionStateName = 'closed';

  constructor(opts: GatewayClientOptions) {
    super();
    this.opts = opts;
    this.url = opts.url;
    this.role = opts.role ?? 'operator';
    this.identity = opts.identity === undefined ? loadOrCreateDeviceIdentity(opts.stateDir) : opts.identity;
    this.tokens = this.identity ? new DeviceTokenStore(opts.stateDir, this.identity.deviceId) : null;
    this.bootstrapToken = opts.bootstrapToken;
    this.sessionId = opts.resumeFrom?.sessionId;
    this.lastSeq = opts.resumeFrom?.lastSeq;
  }

  /** Where the event stream stands (persist it to resume in another process). */
  get resumeState(): ResumeState | undefined {
    return this.sessionId !== undefined && this.lastSeq !== undefined ? { sessionId: this.sessionId, lastSeq: this.lastSeq } : undefined;
  }

  get deviceId(): string | undefined {
    return this.identity?.deviceId;
  }

  get state(): ConnectionStateName {
    return this.stateName;
  }

  /** The last hello-ok (undefined before the first). */
  get helloOk(): HelloOk | undefined {
    return this.hello;
  }

  /** Resolves on the next hello-ok; rejects when reconnecting pauses, or at once without `reconnect`. */
  connect(): Promise<HelloOk> {
    if (this.closedByUser) return Promise.reject(new GatewayClosedError(CloseCodes.NORMAL, 'client closed'));
    if (this.stateName === 'connected' && this.hello) return Promise.resolve(this.hello);
    const p = new Promise<HelloOk>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.attempt && !this.reconnectTimer) {
      this.pausedError = undefined;
      this.failures = 0;
      this.openSocket();
    }
    return p;
  }

  request<T = unknown>(method: string, params?: unknown, opts: RequestOptions = {}): Promise<T> {
    if (this.closedByUser) return Promise.reject(new GatewayClosedError(CloseCodes.NORMAL, 'client closed'));
    if (this.pausedError) return Promise.reject(this.pausedError);
    let sentParams = params;
    if (opts.idempotencyKey !== undefined) {
      if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
        return Promise.reject(new TypeError('an idempotencyKey needs object params'));
      }
      sentParams = { ...((params as object | undefined) ?? {}), idempotencyKey: opts.idempotencyKey };
    }
    return new Promise<T>((resolve, reject) => {
      const req: Pending = {
        method,
        params: sentParams,
        idempotencyKey: opts.idempotencyKey,
        resolve: resolve as (v: unknown) => void,
        reject,
        timer: setTimeout(() => {
          this.pending.delete(req);
          reject(GatewayTimeoutError.request(method));
        }, opts.timeoutMs ?? this.opts.requestTimeoutMs ?? 30_000),
      };
      this.pending.add(req);
      if (this.stateName === 'connected') this.send(req);
      else if (!this.attempt && !this.reconnectTimer) this.connect().catch(() => {}); // failures reach req via rejectAll
    });
  }

  /** Closes for good: pending requests reject, no reconnect. */
  async close(): Promise<void> {
    if (this.closedByUser) return;
    this.closedByUser = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.stopWatchdog();
    const closed = new GatewayClosedError(CloseCodes.NORMAL, 'client closed');
    this.rejectAll(closed);
    const ws = this.attempt?.ws;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        const kill = setTimeout(() => ws.terminate(), 250);
        kill.unref();
        ws.close(CloseCodes.NORMAL);
      });
    }
    this.setState({ state: 'closed', code: CloseCodes.NORMAL, reason: 'client closed' });
  }

  // ---- one socket attempt ---------------------------------------------------------------------

  private openSocket(): void {
    this.setState({ state: 'connecting', attempt: this.failures });
    const headers: Record<string, string> = {};
    if (this.opts.origin) headers.Origin = this.opts.origin;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url, { headers, maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false });
    } catch {
      const error = new GatewayConnectError(this.url, 'invalid gateway URL (expected ws://host:port or wss://host)');
      this.pausedError = error;
      this.setState({ state: 'paused', message: error.message, fix: 'openclaw gateway call health --url ws://127.0.0.1:18789' });
      return this.rejectAll(error);
    }
    const at: Attempt = { ws, opened: false, hello: false, sentSharedToken: false, sentDeviceToken: false, sentBootstrapToken: false };
    this.attempt = at;
    const budget = this.opts.connectTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    const startedAt = Date.now();
    at.handshakeTimer = setTimeout(() => {
      const waited = Date.now() - startedAt;
      this.abort(at, at.connectId ? new GatewayTimeoutError(`gateway connect timeout (no hello-ok within ${budget}ms)`) : GatewayTimeoutError.challenge(waited, budget));
    }, budget);
    ws.on('open', () => {
      at.opened = true;
      this.lastInboundAt = Date.now();
    });
    ws.on('message', (data) => this.onMessage(at, data.toString()));
    ws.on('error', (err) => {
      at.socketError ??= err;
    });
    ws.on('close', (code, reason) => this.onClose(at, code, reason.toString()));
  }

  /** Ends an attempt for a reason of ours; the close handler reports `error`. */
  private abort(at: Attempt, error: Error, close: { code: number; reason: string } = { code: CloseCodes.POLICY_VIOLATION, reason: 'connect failed' }): void {
    at.localError ??= error;
    at.localClose ??= close;
    at.ws.terminate();
  }

  private onMessage(at: Attempt, text: string): void {
    this.lastInboundAt = Date.now();
    const parsed = parseFrame(text);
    if (!parsed.ok) return; // not ours to judge; the gateway speaks only valid frames
    const f = parsed.frame;
    if (f.type === 'event') {
      if (f.event === 'connect.challenge' && !at.connectId) return this.answerChallenge(at, f.payload);
      if (at.hello) this.deliver(f);
      return;
    }
    if (f.type !== 'res') return;
    if (f.id === at.connectId) {
      if (f.ok) this.onHello(at, f.payload as HelloOk);
      else at.rejection = new GatewayCallError(f.error ?? { code: 'UNAVAILABLE', message: 'connect failed' });
      return;
    }
    for (const req of this.pending) {
      if (req.frameId !== f.id) continue;
      this.pending.delete(req);
      clearTimeout(req.timer);
      if (f.ok) req.resolve(f.payload);
      else req.reject(new GatewayCallError(f.error ?? { code: 'UNAVAILABLE', message: `${req.method} failed` }));
      return;
    }
  }

  private answerChallenge(at: Attempt, payload: unknown): void {
    const c = payload as { nonce?: unknown; ts?: unknown } | undefined;
    if (typeof c?.nonce !== 'string' || c.nonce === '') return this.abort(at, new GatewayConnectError(this.url, 'gateway connect challenge missing nonce'));
    if (typeof c.ts !== 'number' || !Number.isInteger(c.ts) || c.ts < 0) return this.abort(at, new GatewayConnectError(this.url, 'gateway connect challenge has an invalid ts'));
    const params = this.connectParams(at, c.nonce);
    at.connectId = crypto.randomUUID();
    at.ws.send(JSON.stringify({ type: 'req', id: at.connectId, method: 'connect', params }));
  }

  private connectParams(at: Attempt, nonce: string): Record<string, unknown> {
    const o = this.opts;
    const clientId = o.clientId ?? 'cli';
    const clientMode = o.clientMode ?? 'cli';
    const platform = o.platform ?? process.platform;
    const useShared = Boolean(o.token) && !this.preferDeviceToken;
    // The stored device token stands in for a missing shared secret (reference §3.2).
    const stored = !useShared && !o.password ? this.tokens?.get(this.url, this.role) : undefined;
    this.preferDeviceToken = false;
    const auth: Record<string, string> = {};
    if (useShared) auth.token = o.token!;
    if (o.password) auth.password = o.password;
    if (stored) auth.deviceToken = stored.token;
    if (!auth.token && !auth.deviceToken && this.bootstrapToken) auth.bootstrapToken = this.bootstrapToken;
    at.sentSharedToken = useShared;
    at.sentDeviceToken = Boolean(stored);
    at.sentBootstrapToken = Boolean(auth.bootstrapToken);
    const scopes = [...(o.scopes ?? stored?.scopes ?? CLI_DEFAULT_SCOPES)];
    const caps = [...(o.caps ?? [])];
    if (o.resume !== false && !caps.includes('resume')) caps.push('resume');
    const params: Record<string, unknown> = {
      minProtocol: PROTOCOL_VERSION,
      maxProtocol: PROTOCOL_VERSION,
      client: {
        id: clientId,
        version: o.clientVersion ?? readPackageVersion(),
        platform,
        mode: clientMode,
        displayName: o.displayName ?? os.hostname(),
        ...(o.deviceFamily ? { deviceFamily: o.deviceFamily } : {}),
      },
      role: this.role,
      scopes,
      caps,
      userAgent: `openclaw-gateway-client/${o.clientVersion ?? readPackageVersion()} node/${process.versions.node}`,
    };
    if (Object.keys(auth).length > 0) params.auth = auth;
    if (this.identity) {
      const signedAt = Date.now();
      const payload = buildDeviceAuthPayloadV3({
        deviceId: this.identity.deviceId,
        clientId,
        clientMode,
        role: this.role,
        scopes,
        signedAtMs: signedAt,
        token: signedBearer(auth),
        nonce,
        platform,
        deviceFamily: o.deviceFamily,
      });
      params.device = { id: this.identity.deviceId, publicKey: this.identity.publicKey, signature: this.identity.sign(payload), signedAt, nonce };
    }
    if (o.resume !== false && this.sessionId && this.lastSeq !== undefined) params.resume = { sessionId: this.sessionId, lastSeq: this.lastSeq };
    return params;
  }

  private onHello(at: Attempt, hello: HelloOk): void {
    clearTimeout(at.handshakeTimer);
    at.hello = true;
    this.hello = hello;
    if (hello.auth?.deviceToken && this.tokens) {
      try {
        this.tokens.set(this.url, hello.auth.role ?? this.role, hello.auth.deviceToken, hello.auth.scopes ?? []);
      } catch {
        // Only a cache (a full disk, a read-only home): this connection goes on, the next one authenticates again.
      }
    }
    if (at.sentBootstrapToken) this.bootstrapToken = undefined; // single use: the device token replaces it
    if (hello.resume) {
      // Another log (new state dir, or first connect): its seqs are not comparable with ours.
      if (this.sessionId !== hello.resume.sessionId || this.lastSeq === undefined) this.lastSeq = hello.resume.cursor;
      this.sessionId = hello.resume.sessionId;
    }
    this.failures = 0;
    this.usedDeviceTokenRetry = false;
    this.usedSharedRetry = false;
    this.startWatchdog(at, hello.policy?.tickIntervalMs ?? TICK_INTERVAL_MS);
    this.setState({ state: 'connected' });
    this.emit('hello', hello);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve(hello);
    for (const req of this.pending) if (req.frameId === undefined) this.send(req);
  }

  private deliver(f: EventFrame): void {
    if (this.hello?.resume && f.event === 'resume.gap' && isSessionChange(f.payload)) {
      // The server's log was replaced (even under the same id): our seqs mean nothing there, and
      // keeping them would drop its new events as "already seen". Start from its cursor.
      this.lastSeq = this.hello.resume.cursor;
    }
    if (this.hello?.resume && typeof f.seq === 'number' && !UNSEQUENCED_EVENTS.has(f.event)) {
      if (this.lastSeq !== undefined && f.seq <= this.lastSeq) return; // already processed (replay overlap)
      this.lastSeq = f.seq;
    }
    this.emit('event', f.event, f.payload, f.seq);
  }

  private send(req: Pending): void {
    const ws = this.attempt?.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    req.frameId = crypto.randomUUID();
    ws.send(JSON.stringify({ type: 'req', id: req.frameId, method: req.method, ...(req.params !== undefined ? { params: req.params } : {}) }), () => {});
  }

  // ---- after a socket closes ----------------------------------------------------------------

  private onClose(at: Attempt, rawCode: number, rawReason: string): void {
    if (at !== this.attempt) return;
    this.attempt = undefined;
    clearTimeout(at.handshakeTimer);
    this.stopWatchdog();
    const code = at.localClose?.code ?? rawCode;
    const reason = at.localClose?.reason ?? rawReason;
    if (this.closedByUser) return;
    const decision = this.decide(at, code, reason);
    // Requests on the dead socket: keyed ones wait for the next connection, the rest fail now.
    const closedError = new GatewayClosedError(code, reason);
    for (const req of [...this.pending]) {
      if (req.frameId === undefined) continue;
      if (req.idempotencyKey !== undefined && decision.kind === 'retry') req.frameId = undefined;
      else this.settle(req, closedError);
    }
    if (decision.kind === 'retry') return this.scheduleReconnect(decision.delayMs, decision.info);
    const error = decision.error;
    if (decision.kind === 'pause') this.pausedError = error;
    this.setState({ ...decision.info, state: decision.kind === 'pause' ? 'paused' : 'closed' });
    this.rejectAll(error);
  }

  private decide(at: Attempt, code: number, reason: string): { kind: 'retry'; delayMs: number; info: ConnectionState } | { kind: 'pause' | 'close'; error: Error; info: ConnectionState } {
    const base: ConnectionState = { state: 'reconnecting', code, reason };
    const reconnect = this.opts.reconnect !== false;
    const r = at.rejection;
    if (r) {
      const info: ConnectionState = { ...base, detailCode: r.detailCode, message: r.message, cause: r.cause, fix: r.fix };
      const requestId = typeof r.details?.requestId === 'string' ? r.details.requestId : undefined;
      if (requestId) info.requestId = requestId;
      if (r.detailCode === 'AUTH_DEVICE_TOKEN_MISMATCH' && at.sentDeviceToken) {
        this.tokens?.clear(this.url, this.role); // stale: rotated, revoked or from another gateway
        if ((this.opts.token || this.opts.password) && !this.usedSharedRetry) {
          this.usedSharedRetry = true;
          return { kind: 'retry', delayMs: 0, info };
        }
      }
      if (r.detailCode === 'AUTH_TOKEN_MISMATCH' && at.sentSharedToken && !this.usedDeviceTokenRetry && this.trustedEndpoint() && this.tokens?.get(this.url, this.role)) {
        this.usedDeviceTokenRetry = true;
        this.preferDeviceToken = true;
        return { kind: 'retry', delayMs: 250, info };
      }
      if (!reconnect) return { kind: 'close', error: r, info };
      // Approval connects by itself, so pairing keeps polling instead of pausing.
      if (r.detailCode === 'PAIRING_REQUIRED' && r.details?.pauseReconnect !== true) return { kind: 'retry', delayMs: this.opts.pairingPollMs ?? PAIRING_POLL_MS, info };
      if (r.detailCode === 'GATEWAY_STARTING') return { kind: 'retry', delayMs: r.retryAfterMs ?? this.nextBackoff(), info };
      // Every other handshake rejection (wrong secret, rate limit, bad proof, origin …) repeats
      // identically on retry: pause with the reason instead of looping (reference §11.2).
      return { kind: 'pause', error: r, info };
    }
    const explained = explainClose(code, reason);
    const info: ConnectionState = { ...base, cause: explained.cause, fix: explained.fix, closeKind: classifyClose(code, reason) };
    if (!reconnect) {
      let error: Error;
      if (at.localError) error = at.localError;
      else if (!at.opened && at.socketError) error = (at.socketError as NodeJS.ErrnoException).code ? new GatewayUnreachableError(this.url, describeSocketError(at.socketError)) : new GatewayConnectError(this.url, at.socketError.message);
      else error = new GatewayClosedError(code, reason);
      return { kind: 'close', error, info: { ...info, message: error.message } };
    }
    return { kind: 'retry', delayMs: this.nextBackoff(), info };
  }

  /** Loopback, or TLS: where retrying a stored device token after a token mismatch is safe. */
  private trustedEndpoint(): boolean {
    try {
      const u = new URL(this.url);
      return u.protocol === 'wss:' || u.hostname === 'localhost' || isLoopbackAddress(u.hostname.replace(/^\[(.*)\]$/, '$1'));
    } catch {
      return false;
    }
  }

  private nextBackoff(): number {
    const { initialMs, maxMs } = this.opts.backoff ?? { initialMs: RECONNECT_BACKOFF_MIN_MS, maxMs: RECONNECT_BACKOFF_MAX_MS };
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return Math.min(maxMs, Math.round(base * (0.75 + Math.random() * 0.5)));
  }

  private scheduleReconnect(delayMs: number, info: ConnectionState): void {
    this.setState({ ...info, state: 'reconnecting', attempt: this.failures, retryInMs: delayMs });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.closedByUser) this.openSocket();
    }, delayMs);
  }

  private startWatchdog(at: Attempt, tickIntervalMs: number): void {
    const interval = Math.max(tickIntervalMs, 1000);
    this.watchdog = setInterval(() => {
      if (Date.now() - this.lastInboundAt > 2 * interval) this.abort(at, new GatewayClosedError(CloseCodes.TICK_TIMEOUT, 'tick timeout'), { code: CloseCodes.TICK_TIMEOUT, reason: 'tick timeout' });
    }, interval);
    this.watchdog.unref();
  }

  private stopWatchdog(): void {
    clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  private settle(req: Pending, error: Error): void {
    this.pending.delete(req);
    clearTimeout(req.timer);
    req.reject(error);
  }

  private rejectAll(error: Error): void {
    for (const req of [...this.pending]) this.settle(req, error);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(error);
  }

  private setState(s: ConnectionState): void {
    this.stateName = s.state;
    this.emit('state', s);
  }
}
