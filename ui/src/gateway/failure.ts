// Turns a rejected connect (res error) or a close into what the connection banner shows: the
// state, one sentence of cause and the exact fix (from the shared Rejections table), and what
// the client does next (retry after a delay, or wait for the user).
import { classifyClose, CloseCodes, CONNECTION_LOST } from '../../../src/protocol/close-codes.js';
import { PAIRING_POLL_MS, RECONNECT_BACKOFF_MAX_MS, RECONNECT_BACKOFF_MIN_MS } from '../../../src/protocol/constants.js';
import { explainClose, findRejectionByClose, findRejectionByDetailCode, type ErrorShape } from '../../../src/protocol/errors.js';

export type FailureKind =
  | 'pairing'
  | 'auth-token'
  | 'auth-password'
  | 'bootstrap'
  | 'device-token'
  | 'origin'
  | 'secure-context'
  | 'rate-limited'
  | 'abnormal'
  | 'idle'
  | 'restart'
  | 'stopped'
  | 'no-challenge'
  | 'blocked'
  | 'other';

export interface Failure {
  kind: FailureKind;
  /** Short state line, e.g. "pairing required". */
  title: string;
  closeCode?: number;
  closeReason?: string;
  /** The gateway's own message (res.error.message), when there was one. */
  message?: string;
  detailCode?: string;
  cause: string;
  fix: string;
  requestId?: string;
  retryAfterMs?: number;
  /** A working session dropped without a close frame (crash, kill -9, cut network). */
  lost?: boolean;
}

export interface FailureContext {
  /** The page's real origin (what the gateway saw in the Origin header). */
  origin: string;
  port?: number;
  /** The socket that closed had completed the handshake (a drop, not a failed attempt). */
  wasConnected?: boolean;
}

const KIND_BY_DETAIL: Record<string, FailureKind> = {
  PAIRING_REQUIRED: 'pairing',
  AUTH_TOKEN_MISSING: 'auth-token',
  AUTH_TOKEN_MISMATCH: 'auth-token',
  AUTH_TOKEN_NOT_CONFIGURED: 'auth-token',
  AUTH_REQUIRED: 'auth-token',
  AUTH_PASSWORD_MISSING: 'auth-password',
  AUTH_PASSWORD_MISMATCH: 'auth-password',
  AUTH_PASSWORD_NOT_CONFIGURED: 'auth-password',
  AUTH_BOOTSTRAP_TOKEN_INVALID: 'bootstrap',
  AUTH_DEVICE_TOKEN_MISMATCH: 'device-token',
  CONTROL_UI_ORIGIN_NOT_ALLOWED: 'origin',
  CONTROL_UI_DEVICE_IDENTITY_REQUIRED: 'secure-context',
  DEVICE_IDENTITY_REQUIRED: 'secure-context',
  AUTH_RATE_LIMITED: 'rate-limited',
  CLOSED_IDLE: 'idle',
  SERVICE_RESTART: 'restart',
  GOING_AWAY: 'stopped',
};

const TITLES: Record<FailureKind, string> = {
  pairing: 'waiting for approval',
  'auth-token': 'gateway token rejected',
  'auth-password': 'gateway password rejected',
  bootstrap: 'sign-in link used or expired',
  'device-token': 'device token no longer valid',
  origin: 'origin not allowed',
  'secure-context': 'secure context required',
  'rate-limited': 'too many failed attempts',
  abnormal: 'gateway unreachable',
  stopped: 'gateway stopped',
  idle: 'closed idle',
  restart: 'gateway restarting',
  'no-challenge': 'no handshake from the gateway',
  blocked: 'connection blocked by the browser',
  other: 'disconnected',
};

const REQUEST_ID_IN_REASON = /requestId:\s*([A-Za-z0-9][A-Za-z0-9._:-]{0,127})/;

function explainByCode(detailCode: string | undefined, ctx: FailureContext & { requestId?: string; retryAfterMs?: number; deviceId?: string }) {
  const r = findRejectionByDetailCode(detailCode);
  if (!r) return undefined;
  return { cause: r.cause, fix: r.fix({ origin: ctx.origin, port: ctx.port, requestId: ctx.requestId, retryAfterMs: ctx.retryAfterMs, deviceId: ctx.deviceId }) };
}

/** A connect that the gateway answered with an error. */
export function failureFromError(err: ErrorShape, ctx: FailureContext): Failure {
  const details = err.details ?? {};
  const detailCode = typeof details.code === 'string' ? details.code : undefined;
  const requestId = typeof details.requestId === 'string' ? details.requestId : undefined;
  const deviceId = typeof details.deviceId === 'string' ? details.deviceId : undefined;
  const retryAfterMs = err.retryAfterMs ?? (typeof details.retryAfterMs === 'number' ? details.retryAfterMs : undefined);
  const kind: FailureKind = (detailCode && KIND_BY_DETAIL[detailCode]) || (err.code === 'NOT_PAIRED' && requestId ? 'pairing' : 'other');
  const explained = explainByCode(detailCode, { ...ctx, requestId, retryAfterMs, deviceId });
  const bootstrapFix = 'openclaw dashboard  (prints a fresh sign-in link), or paste the gateway token below';
  return {
    kind,
    title: TITLES[kind],
    message: err.message,
    detailCode,
    cause: explained?.cause ?? (typeof details.cause === 'string' ? details.cause : err.message),
    fix: kind === 'bootstrap' && !explained ? bootstrapFix : (explained?.fix ?? (typeof details.fix === 'string' ? details.fix : 'openclaw logs --tail 50')),
    requestId,
    retryAfterMs,
  };
}

/** A close that came without (or after) a res: 1006, 1012, 4008 closed idle, … */
export function failureFromClose(code: number, reason: string, ctx: FailureContext): Failure {
  const requestId = reason.match(REQUEST_ID_IN_REASON)?.[1];
  const closeKind = classifyClose(code, reason);
  // The same table the gateway closes from (src/protocol/errors.ts) names the rejection.
  const rejection = findRejectionByClose(code, reason);
  let kind: FailureKind = 'other';
  if (closeKind === 'lost') kind = 'abnormal';
  else if (closeKind === 'restarting') kind = 'restart';
  else if (closeKind === 'stopped') kind = 'stopped';
  else if (closeKind === 'idle' || closeKind === 'device-token') kind = closeKind;
  else if (rejection) kind = KIND_BY_DETAIL[rejection.detailCode] ?? 'other';
  const explained = explainByCode(rejection?.detailCode, { ...ctx, requestId }) ?? explainClose(code, reason);
  if (kind === 'abnormal' && ctx.wasConnected) {
    // The session was up and the socket vanished without a close frame: a crash, kill -9 or a cut network.
    return {
      kind,
      title: 'connection lost',
      lost: true,
      closeCode: code,
      closeReason: reason,
      cause: CONNECTION_LOST.cause,
      fix: CONNECTION_LOST.fix,
      requestId,
    };
  }
  return { kind, title: TITLES[kind], closeCode: code, closeReason: reason, cause: explained.cause, fix: explained.fix, requestId };
}

/** The gateway went away on its own (stop, restart, crash), as opposed to never being reached. */
export function isGatewayDown(f: Failure): boolean {
  return f.kind === 'stopped' || f.kind === 'restart' || f.lost === true;
}

/** A missing (never sent) shared secret: the sign-in screen, not an error. */
export function isSignIn(f: Failure): boolean {
  return f.detailCode === 'AUTH_TOKEN_MISSING' || f.detailCode === 'AUTH_PASSWORD_MISSING' || f.detailCode === 'AUTH_REQUIRED';
}

/** The gateway never sent connect.challenge (something else answers on that port). */
export function noChallengeFailure(waitedMs: number): Failure {
  return {
    kind: 'no-challenge',
    title: TITLES['no-challenge'],
    cause: `The WebSocket opened but no connect.challenge arrived within ${waitedMs} ms, so this is probably not an OpenClaw gateway (or a proxy buffers frames).`,
    fix: 'openclaw gateway status  (check the URL and port in Settings)',
  };
}

/** The browser refused to open the socket (a malformed URL, or the page's CSP forbids that host). */
export function blockedUrlFailure(url: string, err: unknown): Failure {
  return {
    kind: 'blocked',
    title: TITLES.blocked,
    cause: `The browser would not open ${url} (${err instanceof Error ? err.message : String(err)}); a page served by one gateway may only connect to that gateway.`,
    fix: 'Open the Control UI from the gateway you want (openclaw dashboard on its host), or fix the URL in Settings',
  };
}

/** The browser could not create or use the device key (storage or crypto blocked). */
export function identityFailure(err: unknown): Failure {
  return {
    kind: 'secure-context',
    title: 'device identity unavailable',
    cause: `This browser could not create the device key (${err instanceof Error ? err.message : String(err)}), so the gateway cannot pair it.`,
    fix: 'Allow site data for this page (IndexedDB), or open the Control UI over HTTPS or http://127.0.0.1 through an SSH tunnel',
  };
}


/** 1 s, 2 s, 4 s … capped at 30 s. `attempt` counts failed attempts since the last hello-ok. */
export function backoffMs(attempt: number): number {
  return Math.min(RECONNECT_BACKOFF_MAX_MS, RECONNECT_BACKOFF_MIN_MS * 2 ** Math.max(0, attempt - 1));
}

/** How long to wait before the next attempt, or null to wait for the user (new token, …). */
export function retryDelay(f: Failure, attempt: number): number | null {
  switch (f.kind) {
    case 'pairing':
      return PAIRING_POLL_MS;
    case 'rate-limited':
      return f.retryAfterMs ?? RECONNECT_BACKOFF_MAX_MS;
    case 'device-token':
      return 0; // the stale device token is dropped; retry at once with the shared secret
    case 'auth-token':
    case 'auth-password':
    case 'bootstrap':
    case 'secure-context':
    case 'blocked':
      return null; // retrying the same credential only feeds the rate limiter
    default:
      return backoffMs(attempt);
  }
}
