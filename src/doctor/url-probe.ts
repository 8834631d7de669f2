// `openclaw doctor --url https://host/path`: the gateway as a remote browser sees it, through
// whatever proxy is in front. Each step is a check in the same report shape as the local doctor.
import { parseIp, stripPort } from '../auth/ip-address.js';
import { Rejections } from '../protocol/errors.js';
import { keepAliveFor } from './checks/keepalive.js';
import { probeHandshake, probeHttp, type HandshakeResult, type HttpProbeResult } from './gateway-probe.js';
import { FORWARDED_FOR_FIX, UPGRADE_HEADER_FIX, idleTimeoutFix } from './proxy-fixes.js';
import { buildReport, type DoctorReport } from './report.js';
import { type Finding, error, ok, skipped, warn } from './types.js';

/** The gateway's unauthenticated self-description (see DIAG_PATH in the report to the lead). */
export const DIAG_PATH = '__openclaw__/diag';

export interface GatewayDiag {
  ok: boolean;
  peer?: string;
  peerTrusted?: boolean;
  forwardedFor?: string | null;
  clientIp?: string | null;
  tokenQuery?: boolean;
  origin?: string | null;
  originAllowed?: boolean | null;
  keepAliveSeconds?: number;
}

export interface UrlDoctorOptions {
  url: string;
  token?: string;
  /** The Origin a browser would send; default: the URL's own origin. */
  origin?: string;
  /** Hold an idle authenticated socket this long to catch proxy idle timeouts. */
  idleSeconds?: number;
  timeoutMs: number;
}

const TLS_CODES = /CERT|SELF_SIGNED|TLS|SSL|ALTNAME|UNABLE_TO_VERIFY|EPROTO/i;

const isLoopbackUrl = (u: URL) => ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname) || u.hostname.startsWith('127.');

/** base http(s) URL ending in '/', and the ws(s) URL a browser on that page would open. */
export function gatewayUrls(input: string): { base: URL; ws: string } {
  const base = new URL(input);
  if (base.protocol === 'ws:' || base.protocol === 'wss:') base.protocol = base.protocol === 'ws:' ? 'http:' : 'https:';
  base.search = '';
  base.hash = '';
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const ws = new URL(base);
  ws.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  return { base, ws: ws.toString() };
}

function httpFinding(url: string, health: HttpProbeResult): Finding {
  if (health.failure && TLS_CODES.test(health.failure)) return skipped('Skipped: the TLS handshake failed (see url-tls).');
  if (health.status === undefined) return error(`${url} is unreachable (${health.failure}), so browsers cannot load the Control UI.`, `curl -v ${url}  # check DNS, the firewall (port 443/18789) and that the proxy runs`);
  if (health.status >= 500) return error(`${url} answers HTTP ${health.status}: the proxy is up but cannot reach the gateway.`, 'openclaw gateway status  # on the gateway host; then check the proxy_pass / ProxyPass / reverse_proxy target');
  if (health.status >= 400) return warn(`${url} answers HTTP ${health.status} for the gateway's health probe, so the proxy may not forward this path to the gateway.`, 'check the location / ProxyPass path in docs/reverse-proxy.md');
  return ok(`${url} answers HTTP ${health.status}.`);
}

function tlsFinding(base: URL, health: HttpProbeResult): Finding {
  if (base.protocol === 'https:') {
    if (health.failure && TLS_CODES.test(health.failure)) return error(`The TLS certificate of ${base.host} is not trusted (${health.failure}), so browsers refuse the page and the WebSocket.`, `openssl s_client -connect ${base.hostname}:${base.port || 443} -servername ${base.hostname}  # renew or fix the certificate chain`);
    return health.status !== undefined ? ok(`${base.host} serves a trusted TLS certificate.`) : skipped('Skipped: the server is unreachable.');
  }
  if (isLoopbackUrl(base)) return ok('Plain HTTP on loopback is a secure context for browsers.');
  return warn(`${base.origin} is plain HTTP, so browsers on other machines get "control ui requires HTTPS or localhost (secure context)".`, 'put the gateway behind HTTPS (docs/reverse-proxy.md) or use an SSH tunnel to 127.0.0.1');
}

function websocketFinding(ws: string, hs: HandshakeResult): Finding {
  if (hs.challenge) return ok(`The WebSocket upgrade at ${ws} succeeded and connect.challenge arrived.`);
  if (hs.httpStatus !== undefined && hs.httpStatus >= 500) return error(`The WebSocket upgrade got HTTP ${hs.httpStatus} from the proxy, which cannot reach the gateway.`, 'openclaw gateway status  # then check the proxy target address and port');
  if (hs.httpStatus !== undefined || (hs.upgraded && !hs.challenge)) {
    const got = hs.httpStatus !== undefined ? `HTTP ${hs.httpStatus} instead of 101 Switching Protocols` : `a socket that closed (${hs.close?.code ?? 1006}) before connect.challenge`;
    return error(`The WebSocket upgrade through the proxy returns ${got}: the proxy drops the Upgrade/Connection headers, so browsers see 1006 (disconnected from gateway).`, UPGRADE_HEADER_FIX);
  }
  return error(`The WebSocket at ${ws} failed (${hs.failure ?? `close ${hs.close?.code}`}), so browsers see 1006.`, `curl -i -N -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: SGVsbG8sIHdvcmxkIQ==' ${ws.replace(/^ws/, 'http')}`);
}

function tokenFinding(diag: GatewayDiag | undefined, hs: HandshakeResult, hasToken: boolean): Finding {
  if (diag && diag.tokenQuery === false) return error('The ?token= query parameter does not reach the gateway (the proxy or a redirect strips the query string), so dashboard links with a token show "unauthorized: gateway token missing".', 'nginx: proxy_pass http://127.0.0.1:18789; (no URI part, no rewrite that drops $args) | Apache: no RewriteRule without [QSA] | Caddy: no rewrite * {path}');
  if (!hasToken) return diag ? ok('The ?token= query parameter reaches the gateway (pass --token to also test the token itself).') : skipped('Skipped: no token given (pass --token or set OPENCLAW_GATEWAY_TOKEN) and the gateway has no diagnostics endpoint.');
  const detail = hs.rejection?.detailCode;
  if (detail === 'AUTH_TOKEN_MISMATCH') return error('The gateway behind this URL rejects the token ("unauthorized: gateway token mismatch").', Rejections.AUTH_TOKEN_MISMATCH.fix());
  if (detail === 'AUTH_TOKEN_MISSING') return error('The token did not reach the gateway ("unauthorized: gateway token missing").', Rejections.AUTH_TOKEN_MISSING.fix());
  if (hs.accepted) return ok(`The token authenticates through the proxy${diag ? ' and ?token= survives it' : ''}.`);
  return hs.challenge ? ok(`The token was not rejected (the gateway answered: ${hs.rejection?.message ?? 'no answer'}).`) : skipped('Skipped: the WebSocket did not get far enough to test the token.');
}

/** The X-Forwarded-For hops when every one is an IP literal, else undefined. */
function forwardedHops(forwardedFor: string | null | undefined): string[] | undefined {
  const hops = (forwardedFor ?? '').split(',').map((h) => h.trim()).filter((h) => h !== '');
  return hops.every((h) => parseIp(stripPort(h)) !== null) ? hops : undefined;
}

function clientIpFinding(diag: GatewayDiag | undefined): Finding {
  if (!diag) return skipped('Skipped: the gateway does not expose its diagnostics endpoint.');
  const forwarded = Boolean(diag.forwardedFor);
  if (forwarded && !diag.peerTrusted) return warn(`The gateway sees the proxy ${diag.peer} as the client, because ${diag.peer} is not in gateway.trustedProxies (X-Forwarded-For is ignored).`, `openclaw config set gateway.trustedProxies '["${diag.peer}"]'`);
  if (diag.peerTrusted && !diag.clientIp && forwardedHops(diag.forwardedFor)?.length) {
    return ok(`X-Forwarded-For from trusted proxy ${diag.peer} names only trusted addresses (${diag.forwardedFor}): this doctor runs on a proxy host, so run it from another machine to see the client IP the gateway resolves.`);
  }
  if (diag.peerTrusted && !diag.clientIp) return warn(`The proxy ${diag.peer} is trusted but sends no usable X-Forwarded-For, so the gateway cannot tell who the client is.`, FORWARDED_FOR_FIX);
  if (diag.peerTrusted) return ok(`The gateway sees this client as ${diag.clientIp} (X-Forwarded-For from trusted proxy ${diag.peer}).`);
  return ok(`The gateway sees this client as ${diag.clientIp ?? diag.peer} (direct connection, no proxy headers).`);
}

function originFinding(diag: GatewayDiag | undefined, hs: HandshakeResult, origin: string): Finding {
  const rejected = hs.rejection?.detailCode === 'CONTROL_UI_ORIGIN_NOT_ALLOWED' || diag?.originAllowed === false;
  if (rejected) return error(`The gateway does not allow the origin ${origin}, so the Control UI gets "origin not allowed" (1008).`, Rejections.CONTROL_UI_ORIGIN_NOT_ALLOWED.fix({ origin }));
  if (diag?.originAllowed === true) return ok(`The origin ${origin} is allowed.`);
  return hs.challenge ? ok(`The origin ${origin} was not rejected.`) : skipped('Skipped: the WebSocket did not get far enough to test the origin.');
}

function idleFinding(idleSeconds: number | undefined, hs: HandshakeResult | undefined, diag: GatewayDiag | undefined, hasToken: boolean): Finding {
  if (!idleSeconds) return skipped('Skipped: pass --idle <seconds> to test that an idle socket survives the proxy.');
  if (!hasToken) return skipped('Skipped: the idle test needs an authenticated socket (pass --token or set OPENCLAW_GATEWAY_TOKEN).');
  if (!hs?.held) return skipped(`Skipped: the socket was not accepted (${hs?.rejection?.message ?? hs?.failure ?? 'no answer'}).`);
  if (hs.held.survived) return ok(`An idle WebSocket stayed open for ${idleSeconds} s.`);
  const closedAfter = Math.max(1, Math.round(hs.held.ms / 1000));
  const current = diag?.keepAliveSeconds !== undefined ? `${diag.keepAliveSeconds} s` : 'its current value';
  return error(
    `An idle WebSocket was closed after about ${closedAfter} s (close ${hs.close?.code ?? 1006}): an idle timeout between you and the gateway (e.g. nginx proxy_read_timeout) is shorter than gateway.websocket.keepAlive (${current}).`,
    idleTimeoutFix(keepAliveFor(closedAfter)),
  );
}

export async function fetchDiag(base: URL, timeoutMs: number, origin: string): Promise<GatewayDiag | undefined> {
  const url = new URL(DIAG_PATH, base);
  url.searchParams.set('token', 'doctor-probe');
  const res = await probeHttp(url.toString(), timeoutMs, { origin });
  const body = res.body as GatewayDiag | undefined;
  return res.status === 200 && typeof body === 'object' && body !== null && body.ok === true ? body : undefined;
}

export async function diagnoseUrl(opts: UrlDoctorOptions): Promise<DoctorReport> {
  const { base, ws } = gatewayUrls(opts.url);
  const origin = opts.origin ?? base.origin;
  const health = await probeHttp(new URL('health', base).toString(), opts.timeoutMs);
  const diag = health.status !== undefined ? await fetchDiag(base, opts.timeoutMs, origin) : undefined;
  const hs = await probeHandshake(ws, { token: opts.token, origin, timeoutMs: opts.timeoutMs });
  const idle = opts.idleSeconds && opts.token && hs.accepted
    ? await probeHandshake(ws, { token: opts.token, origin, timeoutMs: opts.timeoutMs, holdOpenMs: opts.idleSeconds * 1000 })
    : undefined;
  const hasToken = Boolean(opts.token);
  return buildReport([
    { id: 'url-http', title: 'HTTP reachable', finding: httpFinding(base.toString(), health) },
    { id: 'url-tls', title: 'TLS', finding: tlsFinding(base, health) },
    { id: 'url-websocket', title: 'WebSocket upgrade and challenge', finding: websocketFinding(ws, hs) },
    { id: 'url-token', title: 'Token reaches the gateway', finding: tokenFinding(diag, hs, hasToken) },
    { id: 'url-client-ip', title: 'Client IP the gateway sees', finding: clientIpFinding(diag) },
    { id: 'url-origin', title: 'Browser origin allowed', finding: originFinding(diag, hs, origin) },
    { id: 'url-idle', title: 'Idle socket survives', finding: idleFinding(opts.idleSeconds, idle, diag, hasToken) },
  ]);
}
