// Transport guards of the gateway's one http.Server (issue 17 items 20, 23): a cap on concurrent
// connections per client address (503 + Retry-After beyond it), closing a connection whose request
// was answered before its body was read (an early 401/413 must not leave a slow upload holding the
// socket), and a real 431/400 instead of a reset for oversized headers or a garbled request line.
import type http from 'node:http';
import type { Socket } from 'node:net';
import { isLoopbackAddress, isTrustedProxy } from '../../auth/client-ip.js';
import { Rejections } from '../../protocol/errors.js';

/** Concurrent connections one non-loopback address may hold (env OPENCLAW_MAX_CONNECTIONS_PER_IP). */
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 64;
export const BUSY_RETRY_AFTER_S = 5;
/** Node's own default; beyond it the client gets 431. */
export const MAX_HEADER_BYTES = 16 * 1024;

export function maxConnectionsPerIp(env: NodeJS.ProcessEnv): number {
  const n = Number(env.OPENCLAW_MAX_CONNECTIONS_PER_IP);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_MAX_CONNECTIONS_PER_IP;
}

/** A complete HTTP/1.1 answer with a JSON body, written straight to a socket, then closed. */
export function rawJsonResponse(socket: Socket | import('node:stream').Duplex, status: number, statusText: string, body: unknown, headers: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  if (!socket.writable) return void socket.destroy();
  socket.end(`HTTP/1.1 ${status} ${statusText}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(data)}\r\n${extra}connection: close\r\n\r\n${data}`);
  socket.once('finish', () => socket.destroy());
}

function errorBody(id: 'HTTP_BUSY' | 'HTTP_HEADERS_TOO_LARGE' | 'HTTP_BAD_REQUEST' | 'HTTP_REQUEST_TIMEOUT', ctx: { detail?: string; retryAfterMs?: number } = {}): unknown {
  const r = Rejections[id];
  return { ok: false, error: { code: r.detailCode, message: r.message(ctx), cause: r.cause, fix: r.fix(ctx) } };
}

/** The 503 a client gets when it holds too many connections or too many bodies are in flight. */
export function busyResponse(detail: string): { status: 503; headers: Record<string, string>; body: unknown } {
  const retryAfterMs = BUSY_RETRY_AFTER_S * 1000;
  return { status: 503, headers: { 'retry-after': String(BUSY_RETRY_AFTER_S) }, body: errorBody('HTTP_BUSY', { detail, retryAfterMs }) };
}

/** Sockets already answered 503 by the cap: a request parsed from them meanwhile is dropped. */
const refused = new WeakSet<object>();

export function isRefusedSocket(sock: object): boolean {
  return refused.has(sock);
}

/**
 * Counts connections per peer address (loopback and trusted proxies are not capped: they are this
 * machine's own clients, or carry many clients). Returns the listener for `server.on('connection')`.
 */
export function connectionCap(limit: () => number, trustedProxies: () => readonly string[]): (sock: Socket) => void {
  const perIp = new Map<string, number>();
  return (sock) => {
    const ip = sock.remoteAddress;
    if (!ip || isLoopbackAddress(ip) || isTrustedProxy(ip, trustedProxies())) return;
    const n = (perIp.get(ip) ?? 0) + 1;
    if (n > limit()) {
      refused.add(sock);
      const busy = busyResponse(`this address already holds ${limit()} connections`);
      rawJsonResponse(sock, busy.status, 'Service Unavailable', busy.body, busy.headers);
      return;
    }
    perIp.set(ip, n);
    sock.once('close', () => {
      const left = (perIp.get(ip) ?? 1) - 1;
      if (left <= 0) perIp.delete(ip);
      else perIp.set(ip, left);
    });
  };
}

/**
 * An answer sent before the request body was read closes the connection (`Connection: close`, then
 * the socket ends): otherwise Node keeps reading a slow body for minutes to reuse the socket.
 */
export function closeAfterEarlyAnswer(req: http.IncomingMessage, res: http.ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: http.ServerResponse, ...args: Parameters<typeof writeHead>) {
    if (!req.complete && !res.headersSent) res.shouldKeepAlive = false;
    return writeHead.apply(this, args);
  } as typeof writeHead;
}

/** `clientError`: 431 for oversized headers, 400 for a malformed request, then close. */
export function answerClientError(err: NodeJS.ErrnoException & { bytesParsed?: number }, sock: import('node:stream').Duplex): void {
  if (err.code === 'ECONNRESET' || !sock.writable) return void sock.destroy();
  if (err.code === 'HPE_HEADER_OVERFLOW') return rawJsonResponse(sock, 431, 'Request Header Fields Too Large', errorBody('HTTP_HEADERS_TOO_LARGE'));
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return rawJsonResponse(sock, 408, 'Request Timeout', errorBody('HTTP_REQUEST_TIMEOUT'));
  rawJsonResponse(sock, 400, 'Bad Request', errorBody('HTTP_BAD_REQUEST'));
}

/** Request-body bytes the whole gateway buffers at once (env OPENCLAW_MAX_INFLIGHT_BODY_BYTES). */
export const DEFAULT_INFLIGHT_BODY_BYTES = 32 * 1024 * 1024;

/**
 * A global budget for buffered request bodies: ten concurrent 19 MB uploads must not cost a
 * gigabyte. A request reserves its bytes (declared Content-Length up front, chunked bodies as they
 * arrive) and gives them back when its response closes; what does not fit is answered 503.
 */
export class BodyBudget {
  private used = 0;

  constructor(readonly limit: number = DEFAULT_INFLIGHT_BODY_BYTES) {}

  static fromEnv(env: NodeJS.ProcessEnv): BodyBudget {
    const n = Number(env.OPENCLAW_MAX_INFLIGHT_BODY_BYTES);
    return new BodyBudget(Number.isInteger(n) && n > 0 ? n : DEFAULT_INFLIGHT_BODY_BYTES);
  }

  /** Reserves `bytes` until `res` closes; false (nothing reserved) when they do not fit. */
  reserve(bytes: number, res: http.ServerResponse): boolean {
    if (bytes <= 0) return true;
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    res.once('close', () => (this.used -= bytes));
    return true;
  }

  get inFlight(): number {
    return this.used;
  }
}
