// The browser's gateway connection: challenge → signed connect → hello-ok, then requests and
// events. Reconnects with backoff (1 s → 30 s, pairing every 2 s, rate limits after retryAfterMs),
// resumes with {sessionId,lastSeq} and drops events it already processed, and retries in-flight
// requests that carry an idempotency key.
import { PROTOCOL_VERSION } from '../../../src/protocol/constants.js';
import { buildDeviceAuthPayloadV3 } from '../../../src/protocol/device-auth.js';
import type { ErrorShape } from '../../../src/protocol/errors.js';
import type { DeviceIdentity } from '../crypto/device-identity.js';
import { blockedUrlFailure, failureFromClose, failureFromError, identityFailure, isGatewayDown, noChallengeFailure, retryDelay, type Failure } from './failure.js';

export const CONTROL_UI_SCOPES = ['operator.admin', 'operator.read', 'operator.write', 'operator.pairing'] as const;
const CHALLENGE_TIMEOUT_MS = 10_000;

export interface HelloOk {
  type: 'hello-ok';
  protocol: number;
  server: { version: string; connId: string };
  features?: { methods?: string[]; events?: string[] };
  snapshot?: Record<string, unknown> & { authMode?: string; uptimeMs?: number; presence?: unknown[] };
  auth?: { deviceToken?: string; role?: string; scopes?: string[] };
  resume?: { sessionId: string; cursor: number; replayed: number };
}

export type ConnState =
  | { phase: 'idle' }
  | { phase: 'connecting'; attempt: number; lastFailure?: Failure }
  | { phase: 'connected'; hello: HelloOk; connectedAt: number }
  | { phase: 'failed'; failure: Failure; attempt: number; retryAt: number | null };

export interface ConnectAuth {
  token?: string;
  password?: string;
  deviceToken?: string;
  bootstrapToken?: string;
}

export interface ClientOptions {
  url: string;
  clientVersion: string;
  origin: string;
  identity(): Promise<DeviceIdentity>;
  /** Read before every attempt, so a token typed in the form is used by the next one. */
  auth(): ConnectAuth;
  onHello(hello: HelloOk, usedBootstrap: boolean): void;
  /** The name this browser proposes at pairing (client.displayName), e.g. "Chrome on Linux". */
  displayName?(): string | undefined;
  /** The gateway refused the stored device token: forget it. */
  onDeviceTokenRejected(): void;
}

export class GatewayRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'GatewayRequestError';
  }
}

interface Pending {
  method: string;
  params: unknown;
  idempotencyKey?: string;
  resolve(v: unknown): void;
  reject(e: Error): void;
}

type EventListener = (payload: any, seq: number | undefined) => void;

let idCounter = 0;
/** crypto.randomUUID needs a secure context; getRandomValues does not. */
export function randomId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('') + (++idCounter).toString(36);
}

export class GatewayClient {
  state: ConnState = { phase: 'idle' };
  /** This browser's device id, once the identity is loaded. */
  deviceId: string | undefined;
  private ws: WebSocket | undefined;
  private started = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pending = new Map<string, Pending>();
  /** Requests with an idempotency key waiting for the next hello-ok. */
  private queued: Pending[] = [];
  private stateListeners = new Set<(s: ConnState) => void>();
  private eventListeners = new Map<string, Set<EventListener>>();
  private resumeSession: string | undefined;
  private lastSeq = 0;

  constructor(readonly opts: ClientOptions) {}

  start(): void {
    this.started = true;
    this.connect();
  }

  /** Skip the wait (Retry button, new token saved). */
  retryNow(): void {
    if (!this.started) return;
    clearTimeout(this.retryTimer);
    if (this.state.phase === 'connected' || (this.state.phase === 'connecting' && this.ws)) return;
    this.connect();
  }

  onState(fn: (s: ConnState) => void): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  on(event: string, fn: EventListener): () => void {
    let set = this.eventListeners.get(event);
    if (!set) this.eventListeners.set(event, (set = new Set()));
    set.add(fn);
    return () => set!.delete(fn);
  }

  get hello(): HelloOk | undefined {
    return this.state.phase === 'connected' ? this.state.hello : undefined;
  }

  /** Whether the gateway advertised a method (absent list: assume yes and let it answer). */
  supports(method: string): boolean {
    const methods = this.hello?.features?.methods;
    return !methods || methods.includes(method);
  }

  /**
   * Sends a request. With `idempotencyKey` (put into params, as side-effecting methods require)
   * the request survives a dropped socket: it is sent again after the next hello-ok.
   */
  request<T = unknown>(method: string, params?: unknown, opts: { idempotencyKey?: string } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const withKey = opts.idempotencyKey ? { ...(params as object), idempotencyKey: opts.idempotencyKey } : params;
      const p: Pending = { method, params: withKey, idempotencyKey: opts.idempotencyKey, resolve: resolve as (v: unknown) => void, reject };
      if (this.state.phase === 'connected' && this.ws?.readyState === WebSocket.OPEN) this.send(p);
      else if (p.idempotencyKey) this.queued.push(p);
      else reject(new Error('gateway not connected'));
    });
  }

  private send(p: Pending): void {
    const id = randomId();
    this.pending.set(id, p);
    this.ws!.send(JSON.stringify({ type: 'req', id, method: p.method, params: p.params }));
  }

  private setState(s: ConnState): void {
    this.state = s;
    for (const fn of this.stateListeners) fn(s);
  }

  private emit(event: string, payload: unknown, seq: number | undefined): void {
    for (const fn of this.eventListeners.get(event) ?? []) fn(payload, seq);
    for (const fn of this.eventListeners.get('*') ?? []) fn({ event, payload }, seq);
  }

  /** In-flight requests when the socket drops: keyed ones wait for the next hello-ok, the rest fail. */
  private failInFlight(message: string): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      if (p.idempotencyKey) this.queued.push(p);
      else p.reject(new Error(message));
    }
  }

  private connect(): void {
    clearTimeout(this.retryTimer);
    const prev = this.state;
    this.attempt++;
    this.setState({ phase: 'connecting', attempt: this.attempt, lastFailure: prev.phase === 'failed' ? prev.failure : undefined });
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.opts.url);
    } catch (err) {
      this.scheduleRetry(blockedUrlFailure(this.opts.url, err));
      return;
    }
    this.ws = ws;
    let rejected: Failure | undefined;
    let connected = false;
    let usedBootstrap = false;
    const challengeTimer = setTimeout(() => {
      rejected = noChallengeFailure(CHALLENGE_TIMEOUT_MS);
      ws.close(1000, 'no challenge');
    }, CHALLENGE_TIMEOUT_MS);

    ws.onmessage = (ev) => {
      let frame: any;
      try {
        frame = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (frame?.type === 'event' && frame.event === 'connect.challenge' && !connected) {
        clearTimeout(challengeTimer);
        this.sendConnect(ws, String(frame.payload?.nonce ?? '')).then(
          (r) => (usedBootstrap = r.usedBootstrap),
          (err: unknown) => {
            rejected = identityFailure(err);
            ws.close(1000, 'no device identity');
          },
        );
        return;
      }
      if (frame?.type === 'res' && frame.id === 'connect') {
        if (frame.ok) {
          connected = true;
          this.onHello(frame.payload as HelloOk, usedBootstrap);
        } else {
          rejected = failureFromError(frame.error as ErrorShape, this.failureContext());
          if (rejected.kind === 'device-token') this.opts.onDeviceTokenRejected();
        }
        return;
      }
      if (frame?.type === 'res') {
        const p = this.pending.get(frame.id);
        if (!p) return;
        this.pending.delete(frame.id);
        if (frame.ok) p.resolve(frame.payload);
        else {
          const e = frame.error as ErrorShape;
          p.reject(new GatewayRequestError(e?.code ?? 'UNAVAILABLE', e?.message ?? 'request failed', e?.details, e?.retryAfterMs));
        }
        return;
      }
      if (frame?.type === 'event' && connected) this.onEvent(frame);
    };

    ws.onclose = (ev) => {
      clearTimeout(challengeTimer);
      if (this.ws !== ws) return; // superseded by a newer attempt
      this.ws = undefined;
      this.failInFlight(`gateway closed (${ev.code}): ${ev.reason}`);
      const prev = this.state.phase === 'connecting' ? this.state.lastFailure : undefined;
      let failure = rejected ?? failureFromClose(ev.code, ev.reason, { ...this.failureContext(), wasConnected: connected });
      // While a stopped, restarting or crashed gateway is down, the retries are refused (1006):
      // keep naming what happened instead of turning it into "unreachable".
      if (!connected && failure.kind === 'abnormal' && prev && isGatewayDown(prev)) failure = prev;
      if (!failure.closeCode && !rejected?.closeCode) {
        failure.closeCode = ev.code;
        failure.closeReason = ev.reason;
      }
      if (connected) this.attempt = 0; // a drop after a working session starts the backoff over
      this.scheduleRetry(failure);
    };
  }

  private async sendConnect(ws: WebSocket, nonce: string): Promise<{ usedBootstrap: boolean }> {
    const identity = await this.opts.identity();
    this.deviceId = identity.deviceId;
    const a = this.opts.auth();
    const auth: ConnectAuth = {};
    // Bearer order (reference selectConnectAuth): shared token, then device token, then bootstrap.
    if (a.token) auth.token = a.token;
    else if (a.deviceToken) auth.deviceToken = a.deviceToken;
    else if (a.bootstrapToken) auth.bootstrapToken = a.bootstrapToken;
    if (a.password) auth.password = a.password;
    const displayName = this.opts.displayName?.();
    const client = { id: 'openclaw-control-ui', version: this.opts.clientVersion, platform: 'web', mode: 'ui', ...(displayName ? { displayName } : {}) };
    const scopes = [...CONTROL_UI_SCOPES];
    const signedAt = Date.now();
    const payload = buildDeviceAuthPayloadV3({
      deviceId: identity.deviceId,
      clientId: client.id,
      clientMode: client.mode,
      role: 'operator',
      scopes,
      signedAtMs: signedAt,
      token: auth.token ?? auth.deviceToken ?? auth.bootstrapToken ?? '',
      nonce,
      platform: client.platform,
    });
    const signature = await identity.sign(payload);
    const params: Record<string, unknown> = {
      minProtocol: PROTOCOL_VERSION,
      maxProtocol: PROTOCOL_VERSION,
      client,
      role: 'operator',
      scopes,
      caps: ['resume'],
      device: { id: identity.deviceId, publicKey: identity.publicKey, signature, signedAt, nonce },
      userAgent: navigator.userAgent,
      locale: navigator.language,
    };
    if (Object.keys(auth).length) params.auth = auth;
    if (this.resumeSession) params.resume = { sessionId: this.resumeSession, lastSeq: this.lastSeq };
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'req', id: 'connect', method: 'connect', params }));
    return { usedBootstrap: !!auth.bootstrapToken };
  }

  private onHello(hello: HelloOk, usedBootstrap: boolean): void {
    this.attempt = 0;
    if (hello.resume) {
      // Ids are global and survive restarts; only a gateway whose log starts below ours (new state dir) resets them.
      if (hello.resume.cursor < this.lastSeq) this.lastSeq = 0;
      this.resumeSession = hello.resume.sessionId;
    } else {
      this.resumeSession = undefined;
    }
    this.opts.onHello(hello, usedBootstrap);
    this.setState({ phase: 'connected', hello, connectedAt: Date.now() });
    for (const p of this.queued.splice(0)) this.send(p);
  }

  private onEvent(frame: { event: string; payload?: unknown; seq?: number }): void {
    const seq = typeof frame.seq === 'number' ? frame.seq : undefined;
    if (this.resumeSession && seq !== undefined) {
      if (seq <= this.lastSeq) return; // already processed (replayed and live overlap)
      this.lastSeq = seq;
    }
    this.emit(frame.event, frame.payload, seq);
  }

  private scheduleRetry(failure: Failure): void {
    const delay = retryDelay(failure, this.attempt);
    const retryAt = delay === null ? null : Date.now() + delay;
    this.setState({ phase: 'failed', failure, attempt: this.attempt, retryAt });
    if (delay !== null) this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private failureContext() {
    const port = Number(new URL(this.opts.url.replace(/^ws/, 'http')).port) || undefined;
    return { origin: this.opts.origin, port };
  }
}
