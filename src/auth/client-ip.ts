// Who is really on the other end: the client IP behind trusted reverse proxies (X-Forwarded-For,
// right to left, failing closed) and whether a request is a direct local one (reference §4.3–4.4).
import type { IncomingHttpHeaders } from 'node:http';
import { cidrContains, formatIp, isLoopbackIp, parseCidr, parseIp, stripPort, type CidrRange } from './ip-address.js';

export interface ClientIpInput {
  remoteAddress?: string;
  headers: IncomingHttpHeaders;
  trustedProxies: readonly string[];
  allowRealIpFallback: boolean;
}

// Settings arrays are replaced, not mutated, on reload, so caching by identity is safe.
const parsedLists = new WeakMap<readonly string[], CidrRange[]>();

function parseTrustedProxies(list: readonly string[]): CidrRange[] {
  let ranges = parsedLists.get(list);
  if (!ranges) {
    ranges = list.map(parseCidr).filter((r): r is CidrRange => r !== null);
    parsedLists.set(list, ranges);
  }
  return ranges;
}

/** Whether `ip` is one of the configured proxies (IPs or CIDRs, IPv4/IPv6, ::ffff: mapped). */
export function isTrustedProxy(ip: string | undefined, trustedProxies: readonly string[]): boolean {
  if (trustedProxies.length === 0) return false;
  const addr = parseIp(ip);
  if (!addr) return false;
  return parseTrustedProxies(trustedProxies).some((range) => cidrContains(range, addr));
}

/**
 * A function of one address string, remembered: a gateway sees the same few peer addresses on
 * every request, and parsing one is most of what authenticating a /v1 call costs.
 */
function perAddress<T>(fn: (ip: string | undefined) => T): (ip: string | undefined) => T {
  const known = new Map<string | undefined, T>();
  return (ip) => {
    if (known.has(ip)) return known.get(ip)!;
    const value = fn(ip);
    if (known.size >= 1024) known.clear();
    known.set(ip, value);
    return value;
  };
}

export const isLoopbackAddress: (ip: string | undefined) => boolean = perAddress((ip) => {
  const addr = parseIp(ip);
  return addr !== null && isLoopbackIp(addr);
});

/** The canonical text of an address, or undefined when it is not an IP literal. */
const canonicalIp = perAddress((ip) => {
  const addr = parseIp(ip);
  return addr ? formatIp(addr) : undefined;
});

function headerText(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * The client's IP in canonical form. From an untrusted peer: the peer itself. From a trusted proxy:
 * the right-most X-Forwarded-For hop that is not a trusted proxy; X-Real-IP only when allowed;
 * otherwise undefined (never the proxy's own address, and never a hop past an unparseable entry).
 * A trusted proxy address that sent no forwarding headers at all is a direct client (the local CLI
 * on a host whose nginx is 127.0.0.1), so it is the client IP.
 */
export function resolveClientIp(o: ClientIpInput): string | undefined {
  const peer = canonicalIp(o.remoteAddress);
  if (!peer) return undefined;
  if (!isTrustedProxy(o.remoteAddress, o.trustedProxies) || !hasProxyHeaders(o.headers)) return peer;
  const xff = headerText(o.headers['x-forwarded-for']);
  const hops = xff ? xff.split(',').map((h) => h.trim()).filter((h) => h !== '') : [];
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parseIp(stripPort(hops[i]));
    if (!hop) return undefined;
    const text = formatIp(hop);
    if (!isTrustedProxy(text, o.trustedProxies)) return text;
  }
  if (hops.length === 0 && o.allowRealIpFallback) {
    const real = parseIp(stripPort(headerText(o.headers['x-real-ip']) ?? ''));
    if (real && !isTrustedProxy(formatIp(real), o.trustedProxies)) return formatIp(real);
  }
  return undefined;
}

/** `Forwarded`, any `X-Forwarded-*` or `X-Real-IP` header. */
export function hasProxyHeaders(headers: IncomingHttpHeaders): boolean {
  return Object.keys(headers).some((name) => {
    const n = name.toLowerCase();
    return n === 'forwarded' || n === 'x-real-ip' || n.startsWith('x-forwarded-');
  });
}

/** Host header names that count as this machine: localhost, loopback literals, *.ts.net. */
export function isLocalishHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = hostWithoutPort(host.trim().toLowerCase());
  if (name === 'localhost' || name.endsWith('.ts.net')) return true;
  return isLoopbackAddress(name);
}

function hostWithoutPort(host: string): string {
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracket) return bracket[1];
  const colons = host.split(':').length - 1;
  return colons === 1 ? host.slice(0, host.indexOf(':')) : host;
}

/**
 * Local = the resolved client IP is loopback, the Host header is local, and proxy headers (if
 * any) came from a trusted proxy. Proxy headers from an untrusted peer make a request remote.
 */
export function isLocalDirectRequest(o: ClientIpInput): boolean {
  if (hasProxyHeaders(o.headers) && !isTrustedProxy(o.remoteAddress, o.trustedProxies)) return false;
  if (!isLoopbackAddress(resolveClientIp(o))) return false;
  return isLocalishHost(headerText(o.headers.host));
}

/** Marker `openclaw doctor` scans the log for: proxy headers arrived from a peer not in trustedProxies. */
export const UNTRUSTED_PROXY_HEADERS_WARNING = 'proxy headers from untrusted peer';

const UNTRUSTED_WARNING_INTERVAL_MS = 60_000;

/**
 * Returns a check that says, at most once per peer per minute, whether a request carries
 * forwarding headers from a peer that is not a trusted proxy (they are ignored, and the request
 * counts as remote; the operator probably forgot gateway.trustedProxies).
 */
export function untrustedProxyHeaderNotifier(now: () => number = Date.now): (o: Pick<ClientIpInput, 'remoteAddress' | 'headers' | 'trustedProxies'>) => boolean {
  const lastWarned = new Map<string, number>();
  return (o) => {
    if (!hasProxyHeaders(o.headers) || isTrustedProxy(o.remoteAddress, o.trustedProxies)) return false;
    const peer = o.remoteAddress ?? 'unknown';
    const t = now();
    const last = lastWarned.get(peer);
    if (last !== undefined && t - last < UNTRUSTED_WARNING_INTERVAL_MS) return false;
    if (lastWarned.size > 1024) {
      for (const [k, v] of lastWarned) if (t - v >= UNTRUSTED_WARNING_INTERVAL_MS) lastWarned.delete(k);
    }
    lastWarned.set(peer, t);
    return true;
  };
}

const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', 'fc00::/7', 'fe80::/10']
  .map(parseCidr)
  .filter((r): r is CidrRange => r !== null);

/** Loopback, RFC 1918, CGNAT (Tailscale), link-local or IPv6 ULA. */
export const isPrivateOrLoopbackAddress: (ip: string | undefined) => boolean = perAddress((ip) => {
  const addr = parseIp(ip);
  if (!addr) return false;
  return isLoopbackIp(addr) || PRIVATE_RANGES.some((r) => cidrContains(r, addr));
});

/** A Host header naming this machine or a private address (a container's published port). */
export function isPrivateOrLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = hostWithoutPort(host.trim().toLowerCase());
  return name === 'localhost' || isPrivateOrLoopbackAddress(name);
}

/** Whether a Host header names this machine itself (localhost or a loopback literal). */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = hostWithoutPort(host.trim().toLowerCase());
  return name === 'localhost' || isLoopbackAddress(name);
}

/** Headers that claim who the client behind a proxy is. */
const CLIENT_CLAIM_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip', 'x-forwarded-host'];

/**
 * A same-host peer relaying client claims (X-Forwarded-For, Forwarded, X-Real-IP) that
 * gateway.trustedProxies does not vouch for: a reverse proxy on this machine that was never
 * configured, so every remote client it carries would look local. Such requests fail closed.
 */
export function isUnattributedProxy(o: Pick<ClientIpInput, 'remoteAddress' | 'headers' | 'trustedProxies'>): boolean {
  if (!isLoopbackAddress(o.remoteAddress)) return false;
  if (!CLIENT_CLAIM_HEADERS.some((h) => o.headers[h] !== undefined)) return false;
  return !isTrustedProxy(o.remoteAddress, o.trustedProxies);
}
