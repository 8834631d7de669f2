// The browser's gateway connection: the shared protocol client core (src/client/core: challenge →
// signed connect → hello-ok, requests, events, resume de-duplication, reconnect) over the global
// WebSocket, with this browser's identity (IndexedDB key) and credentials injected. What stays here
// is the Control UI's view of it: the ConnState phases, a Failure per outcome and its retry rules
// (failure.ts: backoff 1 s → 30 s, pairing every 2 s, rate limits after retryAfterMs, wait for the
// user after a rejected secret), and requests with an idempotency key surviving a dropped socket.
import { ProtocolClient, type AttemptOutcome, type ReconnectDecision } from '../../../src/client/core/protocol-client.js';
import { GatewayCallError } from '../../../src/client/errors.js';
import type { DeviceIdentity } from '../crypto/device-identity.js';
import { browserTransport } from './browser-transport.js';
import { blockedUrlFailure, failureFromClose, failureFromError, identityFailure, isGatewayDown, noChallengeFailure, retryDelay, type Failure } from './failure.js';

export const CONTROL_UI_SCOPES = ['operator.admin', 'operator.read', 'operator.write', 'operator.pairing'] as const;
const CHALLENGE_TIMEOUT_MS = 10_000;
/** Views wait as long as the gateway works on a request; only a dead socket ends the wait early. */
const REQUEST_TIMEOUT_MS = 10 * 60_000;

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


/** A request the gateway answered with ok:false (code, message, details, retryAfterMs). */
export { GatewayCallError as GatewayRequestError };

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
  private readonly core: ProtocolClient;
  private started = false;
  /** Attempts since the last hello-ok (the backoff exponent). */
  private attempt = 0;
  private stateListeners = new Set<(s: ConnState) => void>();
  private eventListeners = new Map<string, Set<EventListener>>();

  constructor(readonly opts: ClientOptions) {
    this.core = new ProtocolClient(
      {
        url: opts.url,
        clientId: 'openclaw-control-ui',
        clientMode: 'ui',
        clientVersion: opts.clientVersion,
        platform: 'web',
        get displayName() {
          return opts.displayName?.() || undefined;
        },
        userAgent: navigator.userAgent,
        connectExtras: { locale: navigator.language },
        role: 'operator',
        scopes: CONTROL_UI_SCOPES,
        identity: async () => {
          const identity = await opts.identity();
          this.deviceId = identity.deviceId;
          return identity;
        },
        tokens: null,
        credentials: () => opts.auth(),
        transport: browserTransport,
        newId: randomId,
        connectTimeoutMs: CHALLENGE_TIMEOUT_MS,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        reconnectPolicy: (o) => this.onOutcome(o),
      },
      {
        event: (name, payload, seq) => this.emit(name, payload, seq),
        state: (s) => {
          if (s.state !== 'connecting') return;
          const prev = this.state;
          this.attempt++;
          this.setState({ phase: 'connecting', attempt: this.attempt, lastFailure: prev.phase === 'failed' ? prev.failure : undefined });
        },
        hello: (hello, info) => {
          this.attempt = 0;
          this.opts.onHello(hello as unknown as HelloOk, info.usedBootstrap);
          this.setState({ phase: 'connected', hello: hello as unknown as HelloOk, connectedAt: Date.now() });
        },
      },
    );
  }

  start(): void {
    this.started = true;
    this.core.connect().catch(() => {}); // failures show as ConnState
  }

  /** Skip the wait (Retry button, new token saved). */
  retryNow(): void {
    if (!this.started) return;
    if (this.state.phase === 'connected') return;
    this.core.retryNow();
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
    if (!opts.idempotencyKey && this.state.phase !== 'connected') return Promise.reject(new Error('gateway not connected'));
    return this.core.request<T>(method, params, { idempotencyKey: opts.idempotencyKey });
  }

  private setState(s: ConnState): void {
    this.state = s;
    for (const fn of this.stateListeners) fn(s);
  }

  private emit(event: string, payload: unknown, seq: number | undefined): void {
    for (const fn of this.eventListeners.get(event) ?? []) fn(payload, seq);
    for (const fn of this.eventListeners.get('*') ?? []) fn({ event, payload }, seq);
  }

  /** The core's reconnect policy: name the outcome, show it, and say when to try again. */
  private onOutcome(o: AttemptOutcome): ReconnectDecision {
    const failure = this.failureOf(o);
    if (!failure.closeCode) {
      failure.closeCode = o.code;
      failure.closeReason = o.reason;
    }
    if (o.wasConnected) this.attempt = 0; // a drop after a working session starts the backoff over
    const delay = retryDelay(failure, this.attempt);
    this.setState({ phase: 'failed', failure, attempt: this.attempt, retryAt: delay === null ? null : Date.now() + delay });
    return delay === null ? { kind: 'pause', error: new Error(failure.cause) } : { kind: 'retry', delayMs: delay };
  }

  private failureOf(o: AttemptOutcome): Failure {
    const ctx = this.failureContext();
    if (o.local?.kind === 'open-failed') return blockedUrlFailure(this.opts.url, o.local.error);
    if (o.local?.kind === 'identity') return identityFailure(o.local.cause ?? o.local.error);
    if (o.local?.kind === 'challenge-timeout') return noChallengeFailure(CHALLENGE_TIMEOUT_MS);
    if (o.rejection) {
      const r = o.rejection;
      const failure = failureFromError({ code: r.code, message: r.message, details: r.details, retryAfterMs: r.retryAfterMs }, ctx);
      if (failure.kind === 'device-token') this.opts.onDeviceTokenRejected();
      return failure;
    }
    const prev = this.state.phase === 'connecting' ? this.state.lastFailure : undefined;
    let failure = failureFromClose(o.code, o.reason, { ...ctx, wasConnected: o.wasConnected });
    // While a stopped, restarting or crashed gateway is down, the retries are refused (1006):
    // keep naming what happened instead of turning it into "unreachable".
    if (!o.wasConnected && failure.kind === 'abnormal' && prev && isGatewayDown(prev)) failure = prev;
    return failure;
  }

  private failureContext() {
    const port = Number(new URL(this.opts.url.replace(/^ws/, 'http')).port) || undefined;
    return { origin: this.opts.origin, port };
  }
}
