// Unauthenticated liveness/readiness probes and the headers every HTTP response carries.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLocalDirectRequest, isTrustedProxy, resolveClientIp } from '../auth/client-ip.js';
import { normalizeIp } from '../auth/ip-address.js';
import { checkBrowserOrigin } from '../auth/origin.js';
import type { ResolvedGatewaySettings } from '../config/types.js';
import { rejectionError } from '../protocol/errors.js';
import type { DegradedSubsystem } from '../infra/disk-full.js';

export type ReadinessPhase = 'starting' | 'ready' | 'draining';

export interface Readiness {
  phase: ReadinessPhase;
  /** What startup still waits for (or what is draining). */
  pending: string[];
  /** Subsystems that could not write to the state dir (full disk): /ready answers 503 `degraded`. */
  degraded?: DegradedSubsystem[];
  /** How to clear `degraded`. */
  degradedFix?: string;
}

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Permissions-Policy': 'camera=(), geolocation=()',
};

export function applySecurityHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
}

export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : text);
}

const LIVE_PATHS = new Set(['/health', '/healthz']);
const READY_PATHS = new Set(['/ready', '/readyz']);
/** Upstream's newer startup probe: same states as readiness, "started" when done. */
const STARTUP_PATHS = new Set(['/startup', '/startupz']);

/** Answers probe requests (and the diagnostics route when settings are given); returns false for anything else. */
export function handleProbe(req: IncomingMessage, res: ServerResponse, readiness: Readiness, settings?: DiagSettings): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const pathname = (req.url ?? '/').split('?')[0];
  if (pathname === DIAG_ROUTE && settings) {
    handleDiag(req, res, settings);
    return true;
  }
  if (LIVE_PATHS.has(pathname)) {
    sendJson(req, res, 200, { ok: true, status: 'live' });
    return true;
  }
  if (READY_PATHS.has(pathname) || STARTUP_PATHS.has(pathname)) {
    if (readiness.phase === 'ready' && readiness.degraded?.length && READY_PATHS.has(pathname)) sendJson(req, res, 503, { ok: false, status: 'degraded', degraded: readiness.degraded, fix: readiness.degradedFix });
    else if (readiness.phase === 'ready') sendJson(req, res, 200, { ok: true, status: STARTUP_PATHS.has(pathname) ? 'started' : 'ready' });
    else sendJson(req, res, 503, { ok: false, status: readiness.phase, pending: readiness.pending });
    return true;
  }
  return false;
}

/** `openclaw doctor --url` reads this to see the request the way the gateway sees it. */
export const DIAG_ROUTE = '/__openclaw__/diag';

export type DiagSettings = Pick<ResolvedGatewaySettings, 'trustedProxies' | 'allowRealIpFallback' | 'controlUi' | 'websocket'>;

export interface GatewayDiagBody {
  ok: true;
  peer: string;
  peerTrusted: boolean;
  forwardedFor: string | null;
  clientIp: string | null;
  tokenQuery: boolean;
  origin: string | null;
  originAllowed: boolean | null;
  keepAliveSeconds: number;
}

function headerText(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** What arrived and how the gateway reads it. Never echoes the token: only whether `?token=` is present. */
export function describeRequest(req: IncomingMessage, s: DiagSettings): GatewayDiagBody {
  const remoteAddress = req.socket.remoteAddress;
  const ipInput = { remoteAddress, headers: req.headers, trustedProxies: s.trustedProxies, allowRealIpFallback: s.allowRealIpFallback };
  const origin = headerText(req.headers.origin);
  const query = new URL(req.url ?? '/', 'http://gateway.invalid').searchParams;
  return {
    ok: true,
    peer: normalizeIp(remoteAddress) ?? remoteAddress ?? '',
    peerTrusted: isTrustedProxy(remoteAddress, s.trustedProxies),
    forwardedFor: headerText(req.headers['x-forwarded-for']),
    clientIp: resolveClientIp(ipInput) ?? null,
    tokenQuery: query.has('token'),
    origin,
    originAllowed: origin === null ? null : checkBrowserOrigin({
      origin,
      host: headerText(req.headers.host) ?? undefined,
      allowedOrigins: s.controlUi.allowedOrigins,
      allowHostHeaderFallback: s.controlUi.dangerouslyAllowHostHeaderOriginFallback,
      isLocal: isLocalDirectRequest(ipInput),
    }).ok,
    keepAliveSeconds: s.websocket.keepAliveSeconds,
  };
}

/** Unauthenticated, so each peer address gets a small fixed-window budget. */
export const DIAG_LIMIT = { maxRequests: 30, windowMs: 10_000 } as const;

/** Per-key fixed-window request counter; stale windows are dropped lazily (no timers). */
export class FixedWindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: { maxRequests: number; windowMs: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request; returns 0 when allowed, else the milliseconds until the window resets. */
  take(key: string): number {
    const t = this.now();
    let w = this.windows.get(key);
    if (!w || t - w.start >= this.limit.windowMs) {
      if (!w && this.windows.size >= 1024) this.sweep(t);
      w = { start: t, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    return w.count > this.limit.maxRequests ? w.start + this.limit.windowMs - t : 0;
  }

  private sweep(t: number): void {
    for (const [key, w] of this.windows) if (t - w.start >= this.limit.windowMs) this.windows.delete(key);
  }
}

const diagLimiter = new FixedWindowLimiter(DIAG_LIMIT);

export function handleDiag(req: IncomingMessage, res: ServerResponse, s: DiagSettings, limiter: FixedWindowLimiter = diagLimiter): void {
  const retryAfterMs = limiter.take(normalizeIp(req.socket.remoteAddress) ?? 'unknown');
  if (retryAfterMs > 0) {
    res.setHeader('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
    sendJson(req, res, 429, { ok: false, error: rejectionError('DIAG_RATE_LIMITED', { retryAfterMs }) });
    return;
  }
  sendJson(req, res, 200, describeRequest(req, s));
}
