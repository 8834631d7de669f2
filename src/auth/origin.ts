// Browser Origin policy for WebSocket upgrades and the Control UI (reference §4.7).
import { isLoopbackAddress } from './client-ip.js';

export type OriginCheck =
  | { ok: true; via: 'allowlist' | 'host-header-fallback' | 'local-loopback' }
  | { ok: false; reason: 'origin missing or invalid' | 'origin not allowed' };

export interface OriginCheckInput {
  origin: string | undefined;
  /** The request's Host header. */
  host: string | undefined;
  allowedOrigins: readonly string[];
  allowHostHeaderFallback: boolean;
  /** isLocalDirectRequest() of the same request. */
  isLocal: boolean;
}

/** The origin as a URL (default ports dropped by URL itself), or null for a non-URL or "null". */
export function normalizeOrigin(origin: string | undefined): URL | null {
  if (!origin || origin.trim() === '' || origin.trim() === 'null') return null;
  try {
    const url = new URL(origin.trim());
    if (!url.host) return null;
    return url;
  } catch {
    return null;
  }
}

function originKey(url: URL): string {
  return `${url.protocol}//${url.host}`.toLowerCase();
}

/** The Host header as it would appear in an origin of the given scheme (default port dropped). */
function hostKey(host: string, scheme: string): string | null {
  try {
    return new URL(`${scheme}//${host.trim()}`).host.toLowerCase();
  } catch {
    return null;
  }
}

function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || isLoopbackAddress(h);
}

export function checkBrowserOrigin(o: OriginCheckInput): OriginCheck {
  const url = normalizeOrigin(o.origin);
  if (!url) return { ok: false, reason: 'origin missing or invalid' };
  const key = originKey(url);
  const allowed = o.allowedOrigins.some((entry) => {
    if (entry.trim() === '*') return true;
    const e = normalizeOrigin(entry);
    return e !== null && originKey(e) === key;
  });
  if (allowed) return { ok: true, via: 'allowlist' };
  if (o.allowHostHeaderFallback && o.host && hostKey(o.host, url.protocol) === url.host.toLowerCase()) {
    return { ok: true, via: 'host-header-fallback' };
  }
  if (o.isLocal && isLoopbackHostname(url.hostname)) return { ok: true, via: 'local-loopback' };
  return { ok: false, reason: 'origin not allowed' };
}
