// The protocol client core shared by the Node client (src/client/gateway-client.ts) and the
// browser Control UI: frame handling, request/response correlation with timeouts, the connect
// handshake (challenge → signed device-auth payload → hello-ok), event dispatch with resume
// de-duplication, the reconnect/backoff state machine and close interpretation.
// No node: imports — the socket, the device key, the token cache and the platform facts are
// injected (see CoreOptions), so Vite can bundle this file for the browser.
import { PAIRING_POLL_MS, PROTOCOL_VERSION, RECONNECT_BACKOFF_MAX_MS, RECONNECT_BACKOFF_MIN_MS, TICK_INTERVAL_MS, DEFAULT_HANDSHAKE_TIMEOUT_MS } from '../../protocol/constants.js';
import { classifyClose, CloseCodes, type CloseKind } from '../../protocol/close-codes.js';
import { buildDeviceAuthPayloadV3, signedBearer } from '../../protocol/device-auth.js';
import { explainClose, type ErrorShape } from '../../protocol/errors.js';
import { CLI_DEFAULT_SCOPES } from '../../protocol/scopes.js';
import { describeSocketError, GatewayCallError, GatewayClosedError, GatewayConnectError, GatewayTimeoutError, GatewayUnreachableError } from '../errors.js';
import type { Transport, TransportFactory } from './transport.js';

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

export interface ResumeState {
  sessionId: string;
  lastSeq: number;
}

export interface RequestOptions {
  timeoutMs?: number;
  /** Put into params.idempotencyKey; makes the request safe to retry after a reconnect. */
  idempotencyKey?: string;
}

/** A device key: Node signs synchronously (node:crypto), a browser asynchronously (WebCrypto, noble). */
export interface CoreIdentity {
  deviceId: string;
  /** base64url raw 32-byte Ed25519 key (the wire form). */
  publicKey: string;
  /** Ed25519 signature of the UTF-8 payload, base64url. */
  sign(payload: string): string | Promise<string>;
}

/** Where the device tokens a gateway issues are kept (a file in Node, localStorage in a browser). */
export interface DeviceTokenCache {
  get(gatewayUrl: string, role: string): { token: string; scopes: readonly string[] } | undefined;
  set(gatewayUrl: string, role: string, token: string, scopes: readonly string[]): void;
  clear(gatewayUrl: string, role: string): void;
}

/** The frame shapes the core reads. */
export type InboundFrame =
  | { type: 'event'; event: string; payload?: unknown; seq?: number }
  | { type: 'res'; id: string; ok: boolean; payload?: unknown; error?: ErrorShape }
  | { type: 'req'; id: string; method: string; params?: unknown };

export type FrameParser = (text: string) => { ok: true; frame: InboundFrame } | { ok: false };

/** A structural check only; the Node client passes the full schema parser (src/protocol/frames.ts, zod). */
export function parseFrameLoose(text: string): ReturnType<FrameParser> {
  let v: any;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false };
  }
  if (typeof v !== 'object' || v === null) return { ok: false };
  if (v.type === 'event' && typeof v.event === 'string' && (v.seq === undefined || typeof v.seq === 'number')) return { ok: true, frame: v };
  if (v.type === 'res' && typeof v.id === 'string' && typeof v.ok === 'boolean') return { ok: true, frame: v };
  if (v.type === 'req' && typeof v.id === 'string' && typeof v.method === 'string') return { ok: true, frame: v };
  return { ok: false };
}

/** localhost and the loopback literals; the Node client passes the full check (src/auth/client-ip.ts). */
export function isLoopbackHostLoose(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) || /^::ffff:127\./i.test(hostname);
}

/** Credentials read before every attempt (a browser's sign-in form can change them between attempts). */
export interface AttemptCredentials {
  token?: string;
  password?: string;
  deviceToken?: string;
  bootstrapToken?: string;
}

/** Why the core itself ended an attempt. */
export type LocalFailureKind = 'open-failed' | 'challenge-timeout' | 'connect-timeout' | 'bad-challenge' | 'identity' | 'tick-timeout';

/** What one attempt came to, for a caller-supplied reconnect policy. */
export interface AttemptOutcome {
  code: number;
  reason: string;
  /** The connect was answered with ok:false. */
  rejection?: GatewayCallError;
  /** `cause`: what the injected identity threw, for kind 'identity'. */
  local?: { kind: LocalFailureKind; error: Error; cause?: unknown };
  /** The attempt had completed the handshake (a drop, not a failed attempt). */
  wasConnected: boolean;
}

export type ReconnectDecision = { kind: 'retry'; delayMs: number } | { kind: 'pause'; error: Error };

export interface CoreOptions {
  url: string;
  token?: string;
  password?: string;
  /** Single-use dashboard code; used only when no token is sent. */
  bootstrapToken?: string;
  clientId?: string;
  clientMode?: string;
  clientVersion: string;
  role?: string;
  /** Default CLI_DEFAULT_SCOPES, or the scopes stored with the device token when reusing one. */
  scopes?: readonly string[];
  platform: string;
  deviceFamily?: string;
  displayName?: string;
  userAgent: string;
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
  caps?: readonly string[];
  /** Continue a stream a previous client (or process) saw: events after lastSeq are replayed. */
  resumeFrom?: ResumeState;
  /** null: connect without a device identity (shared secret only); a function loads it on first use. */
  identity: CoreIdentity | null | (() => Promise<CoreIdentity>);
  /** Read before every attempt instead of token/password/bootstrapToken (device tokens then come from here, not `tokens`). */
  credentials?: () => AttemptCredentials;
  /** Extra connect params (e.g. a browser's locale). */
  connectExtras?: Record<string, unknown>;
  /** Replaces the built-in reconnect rules (the Control UI has its own, with a Failure per outcome). */
  reconnectPolicy?: (outcome: AttemptOutcome) => ReconnectDecision;
  /** null: keep no device tokens. */
  tokens: DeviceTokenCache | null;
  transport: TransportFactory;
  parseFrame?: FrameParser;
  isLoopbackHost?: (hostname: string) => boolean;
  /** Unique request ids (default crypto.randomUUID, else getRandomValues). */
  newId?: () => string;
}

export interface CoreHooks {
  event(name: string, payload: unknown, seq: number | undefined): void;
  state(s: ConnectionState): void;
  hello(h: HelloOk, info: { usedBootstrap: boolean }): void;
}

function isSessionChange(payload: unknown): boolean {
  return typeof payload === 'object' && payload !== null && (payload as { sessionChanged?: unknown }).sessionChanged === true;
}

/** Events that are not in the replay log and carry no resumable seq. */
const UNSEQUENCED_EVENTS = new Set(['tick', 'presence', 'health', 'shutdown', 'connect.challenge', 'resume.gap']);

type Timer = ReturnType<typeof setTimeout>;

function unref(t: Timer): void {
  (t as { unref?: () => void }).unref?.();
}

export function randomRequestId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

interface Pending {
  method: string;
  params: unknown;
  idempotencyKey?: string;
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: Timer;
  /** The id of the frame in flight on the current socket; undefined while queued. */
  frameId?: string;
}

/** What one socket attempt learned before it closed. */
interface Attempt {
  socket: Transport;
  opened: boolean;
  closed: boolean;
  onClosed: Array<() => void>;
  connectId?: string;
  hello: boolean;
  socketError?: Error;
  rejection?: GatewayCallError;
  /** A failure we caused (timeouts, bad challenge); reported instead of the close code. */
  localError?: Error;
  localKind?: LocalFailureKind;
  localCause?: unknown;
  localClose?: { code: number; reason: string };
  /** The auth this attempt sent, for the retry rules. */
  sentSharedToken: boolean;
  sentDeviceToken: boolean;
  sentBootstrapToken: boolean;
  handshakeTimer?: Timer;
}

export class ProtocolClient {
  readonly url: string;
  private readonly opts: CoreOptions;
  private readonly hooks: CoreHooks;
  private readonly role: string;
  private identity: CoreIdentity | null;
  private readonly loadIdentity: (() => Promise<CoreIdentity>) | undefined;
  private readonly tokens: DeviceTokenCache | null;
  private readonly parse: FrameParser;
  private readonly newId: () => string;
  private readonly pending = new Set<Pending>();
  private waiters: Array<{ resolve(h: HelloOk): void; reject(e: Error): void }> = [];
  private attempt: Attempt | undefined;
  private reconnectTimer: Timer | undefined;
  private watchdog: ReturnType<typeof setInterval> | undefined;
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

  constructor(opts: CoreOptions, hooks: CoreHooks) {
    this.opts = opts;
    this.hooks = hooks;
    this.url = opts.url;
    this.role = opts.role ?? 'operator';
    this.identity = typeof opts.identity === 'function' ? null : opts.identity;
    this.loadIdentity = typeof opts.identity === 'function' ? opts.identity : undefined;
    this.tokens = opts.tokens;
    this.parse = opts.parseFrame ?? parseFrameLoose;
    this.newId = opts.newId ?? randomRequestId;
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
    const at = this.attempt;
    if (at && !at.closed && !at.socket.isClosed) {
      await new Promise<void>((resolve) => {
        at.onClosed.push(resolve);
        const kill = setTimeout(() => at.socket.terminate(), 250);
        unref(kill);
        at.socket.close(CloseCodes.NORMAL);
      });
    }
    this.setState({ state: 'closed', code: CloseCodes.NORMAL, reason: 'client closed' });
  }

  // ---- one socket attempt ---------------------------------------------------------------------

  private openSocket(): void {
    this.setState({ state: 'connecting', attempt: this.failures });
    const at: Attempt = { socket: undefined as unknown as Transport, opened: false, closed: false, onClosed: [], hello: false, sentSharedToken: false, sentDeviceToken: false, sentBootstrapToken: false };
    try {
      at.socket = this.opts.transport(
        this.url,
        {
          open: () => {
            at.opened = true;
            this.lastInboundAt = Date.now();
          },
          message: (text) => this.onMessage(at, text),
          error: (err) => {
            at.socketError ??= err;
          },
          close: (code, reason) => {
            if (at.closed) return;
            at.closed = true;
            for (const fn of at.onClosed.splice(0)) fn();
            this.onClose(at, code, reason);
          },
        },
        { origin: this.opts.origin },
      );
    } catch (err) {
      const policy = this.opts.reconnectPolicy;
      if (policy) {
        const decision = policy({ code: CloseCodes.ABNORMAL, reason: '', local: { kind: 'open-failed', error: err instanceof Error ? err : new Error(String(err)) }, wasConnected: false });
        if (decision.kind === 'retry') return this.scheduleReconnect(decision.delayMs, { state: 'reconnecting' });
        this.pausedError = decision.error;
        this.setState({ state: 'paused', message: decision.error.message });
        return this.rejectAll(decision.error);
      }
      const error = new GatewayConnectError(this.url, 'invalid gateway URL (expected ws://host:port or wss://host)');
      this.pausedError = error;
      this.setState({ state: 'paused', message: error.message, fix: 'openclaw gateway call health --url ws://127.0.0.1:18789' });
      return this.rejectAll(error);
    }
    this.attempt = at;
    const budget = this.opts.connectTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    const startedAt = Date.now();
    at.handshakeTimer = setTimeout(() => {
      const waited = Date.now() - startedAt;
      if (at.connectId) this.abort(at, new GatewayTimeoutError(`gateway connect timeout (no hello-ok within ${budget}ms)`), undefined, 'connect-timeout');
      else this.abort(at, GatewayTimeoutError.challenge(waited, budget), undefined, 'challenge-timeout');
    }, budget);
  }

  /** Ends an attempt for a reason of ours; the close handler reports `error`. */
  private abort(at: Attempt, error: Error, close: { code: number; reason: string } = { code: CloseCodes.POLICY_VIOLATION, reason: 'connect failed' }, kind: LocalFailureKind = 'bad-challenge'): void {
    if (!at.localError) at.localKind = kind;
    at.localError ??= error;
    at.localClose ??= close;
    at.socket.terminate();
  }

  private onMessage(at: Attempt, text: string): void {
    this.lastInboundAt = Date.now();
    const parsed = this.parse(text);
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
    const connectId = this.newId();
    at.connectId = connectId;
    const sendConnect = (params: Record<string, unknown>) => {
      if (at.closed) return;
      at.socket.send(JSON.stringify({ type: 'req', id: connectId, method: 'connect', params }));
    };
    const identityFailed = (err: unknown) => {
      at.localCause ??= err;
      this.abort(at, new GatewayConnectError(this.url, `device identity unavailable: ${err instanceof Error ? err.message : String(err)}`), undefined, 'identity');
    };
    const nonce = c.nonce;
    const build = () => {
      let built: Record<string, unknown> | Promise<Record<string, unknown>>;
      try {
        built = this.connectParams(at, nonce);
      } catch (err) {
        return identityFailed(err);
      }
      if (built instanceof Promise) built.then(sendConnect, identityFailed);
      else sendConnect(built);
    };
    if (this.identity || !this.loadIdentity) return build();
    this.loadIdentity().then((identity) => {
      this.identity = identity;
      if (!at.closed) build();
    }, identityFailed);
  }

  /** The connect params; a Promise only when the identity signs asynchronously (browsers). */
  private connectParams(at: Attempt, nonce: string): Record<string, unknown> | Promise<Record<string, unknown>> {
    const o = this.opts;
    const clientId = o.clientId ?? 'cli';
    const clientMode = o.clientMode ?? 'cli';
    const platform = o.platform;
    const creds = o.credentials?.();
    const token = creds ? creds.token : o.token;
    const password = creds ? creds.password : o.password;
    const bootstrapToken = creds ? creds.bootstrapToken : this.bootstrapToken;
    const useShared = Boolean(token) && !this.preferDeviceToken;
    // The stored device token stands in for a missing shared secret (reference §3.2).
    const fromCreds = creds?.deviceToken ? { token: creds.deviceToken, scopes: undefined } : undefined;
    const stored = useShared || password ? undefined : creds ? fromCreds : this.tokens?.get(this.url, this.role);
    this.preferDeviceToken = false;
    const auth: Record<string, string> = {};
    if (useShared) auth.token = token!;
    if (password) auth.password = password;
    if (stored) auth.deviceToken = stored.token;
    if (!auth.token && !auth.deviceToken && bootstrapToken) auth.bootstrapToken = bootstrapToken;
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
        version: o.clientVersion,
        platform,
        mode: clientMode,
        ...(o.displayName ? { displayName: o.displayName } : {}),
        ...(o.deviceFamily ? { deviceFamily: o.deviceFamily } : {}),
      },
      role: this.role,
      scopes,
      caps,
      userAgent: o.userAgent,
      ...o.connectExtras,
    };
    if (Object.keys(auth).length > 0) params.auth = auth;
    if (o.resume !== false && this.sessionId && this.lastSeq !== undefined) params.resume = { sessionId: this.sessionId, lastSeq: this.lastSeq };
    if (!this.identity) return params;
    const identity = this.identity;
    const signedAt = Date.now();
    const payload = buildDeviceAuthPayloadV3({
      deviceId: identity.deviceId,
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
    const withSignature = (signature: string) => {
      params.device = { id: identity.deviceId, publicKey: identity.publicKey, signature, signedAt, nonce };
      return params;
    };
    const signature = identity.sign(payload);
    return typeof signature === 'string' ? withSignature(signature) : signature.then(withSignature);
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
    this.hooks.hello(hello, { usedBootstrap: at.sentBootstrapToken });
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve(hello);
    for (const req of this.pending) if (req.frameId === undefined) this.send(req);
  }

  private deliver(f: { event: string; payload?: unknown; seq?: number }): void {
    if (this.hello?.resume && f.event === 'resume.gap' && isSessionChange(f.payload)) {
      // The server's log was replaced (even under the same id): our seqs mean nothing there, and
      // keeping them would drop its new events as "already seen". Start from its cursor.
      this.lastSeq = this.hello.resume.cursor;
    }
    if (this.hello?.resume && typeof f.seq === 'number' && !UNSEQUENCED_EVENTS.has(f.event)) {
      if (this.lastSeq !== undefined && f.seq <= this.lastSeq) return; // already processed (replay overlap)
      this.lastSeq = f.seq;
    }
    this.hooks.event(f.event, f.payload, f.seq);
  }

  private send(req: Pending): void {
    const socket = this.attempt?.socket;
    if (!socket || !socket.isOpen) return;
    req.frameId = this.newId();
    socket.send(JSON.stringify({ type: 'req', id: req.frameId, method: req.method, ...(req.params !== undefined ? { params: req.params } : {}) }));
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
    const decision = this.opts.reconnectPolicy ? this.policyDecision(this.opts.reconnectPolicy, at, code, reason) : this.decide(at, code, reason);
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

  private policyDecision(policy: (o: AttemptOutcome) => ReconnectDecision, at: Attempt, code: number, reason: string): { kind: 'retry'; delayMs: number; info: ConnectionState } | { kind: 'pause'; error: Error; info: ConnectionState } {
    const r = at.rejection;
    const info: ConnectionState = { state: 'reconnecting', code, reason, ...(r ? { detailCode: r.detailCode, message: r.message, cause: r.cause, fix: r.fix } : { closeKind: classifyClose(code, reason) }) };
    const d = policy({ code, reason, rejection: r, local: at.localError ? { kind: at.localKind ?? 'bad-challenge', error: at.localError, cause: at.localCause } : undefined, wasConnected: at.hello });
    return { ...d, info };
  }

  /** Skip a scheduled retry or a pause and try now (a Retry button, new credentials). */
  retryNow(): void {
    if (this.closedByUser || this.attempt) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.pausedError = undefined;
    this.openSocket();
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
      else if (!at.opened && at.socketError) error = (at.socketError as Error & { code?: string }).code ? new GatewayUnreachableError(this.url, describeSocketError(at.socketError)) : new GatewayConnectError(this.url, at.socketError.message);
      else error = new GatewayClosedError(code, reason);
      return { kind: 'close', error, info: { ...info, message: error.message } };
    }
    return { kind: 'retry', delayMs: this.nextBackoff(), info };
  }

  /** Loopback, or TLS: where retrying a stored device token after a token mismatch is safe. */
  private trustedEndpoint(): boolean {
    try {
      const u = new URL(this.url);
      return u.protocol === 'wss:' || u.hostname === 'localhost' || (this.opts.isLoopbackHost ?? isLoopbackHostLoose)(u.hostname.replace(/^\[(.*)\]$/, '$1'));
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
      if (Date.now() - this.lastInboundAt > 2 * interval) this.abort(at, new GatewayClosedError(CloseCodes.TICK_TIMEOUT, 'tick timeout'), { code: CloseCodes.TICK_TIMEOUT, reason: 'tick timeout' }, 'tick-timeout');
    }, interval);
    unref(this.watchdog);
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
    this.hooks.state(s);
  }
}
