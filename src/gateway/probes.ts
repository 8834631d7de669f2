// Unauthenticated liveness/readiness probes and the headers every HTTP response carries.
import type { IncomingMessage, ServerResponse } from 'node:http';

export type ReadinessPhase = 'starting' | 'ready' | 'draining';

export interface Readiness {
  phase: ReadinessPhase;
  /** What startup still waits for (or what is draining). */
  pending: string[];
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

/** Answers probe requests; returns false for anything else. */
export function handleProbe(req: IncomingMessage, res: ServerResponse, readiness: Readiness): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const pathname = (req.url ?? '/').split('?')[0];
  if (LIVE_PATHS.has(pathname)) {
    sendJson(req, res, 200, { ok: true, status: 'live' });
    return true;
  }
  if (READY_PATHS.has(pathname) || STARTUP_PATHS.has(pathname)) {
    if (readiness.phase === 'ready') sendJson(req, res, 200, { ok: true, status: STARTUP_PATHS.has(pathname) ? 'started' : 'ready' });
    else sendJson(req, res, 503, { ok: false, status: readiness.phase, pending: readiness.pending });
    return true;
  }
  return false;
}
