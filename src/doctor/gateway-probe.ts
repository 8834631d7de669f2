// Talks to a gateway the way any client would: HTTP health, then a WebSocket handshake that waits for
// connect.challenge and presents a shared token. Never throws; every outcome is a value.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../protocol/constants.js';

export interface HandshakeResult {
  /** The TCP/HTTP upgrade succeeded. */
  upgraded: boolean;
  /** connect.challenge arrived. */
  challenge: boolean;
  /** hello-ok: the credentials were accepted. */
  accepted: boolean;
  /** The rejection, when the gateway refused the connect. */
  rejection?: { code: string; detailCode?: string; message: string };
  /** The socket closed before or instead of an answer. */
  close?: { code: number; reason: string };
  /** Network-level failure (ECONNREFUSED, TLS, HTTP status of a failed upgrade). */
  failure?: string;
  /** HTTP status when the server answered the upgrade request with a plain response. */
  httpStatus?: number;
  /** With holdOpenMs: how long the authenticated socket stayed open, and whether it lasted. */
  held?: { ms: number; survived: boolean };
}

export interface HandshakeOptions {
  token?: string;
  password?: string;
  origin?: string;
  timeoutMs: number;
  /** After hello-ok, keep the socket idle this long (answering pings) to see whether something closes it. */
  holdOpenMs?: number;
}

/** Builds the ws:// URL for a local gateway; wildcard binds are reached over loopback. */
export function localGatewayUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `ws://${h}:${port}`;
}

export function probeHandshake(url: string, opts: HandshakeOptions): Promise<HandshakeResult> {
  return new Promise((resolve) => {
    const result: HandshakeResult = { upgraded: false, challenge: false, accepted: false };
    const headers = opts.origin ? { Origin: opts.origin } : {};
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, { headers, handshakeTimeout: opts.timeoutMs });
    } catch (err) {
      resolve({ ...result, failure: (err as Error).message });
      return;
    }
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      resolve(result);
    };
    let timer = setTimeout(() => {
      if (!result.failure && !result.challenge) result.failure = result.upgraded ? `no connect.challenge within ${opts.timeoutMs} ms` : `no answer within ${opts.timeoutMs} ms`;
      finish();
    }, opts.timeoutMs);
    ws.on('unexpected-response', (_req, res) => {
      result.httpStatus = res.statusCode;
      result.failure = `the server answered the WebSocket upgrade with HTTP ${res.statusCode} instead of 101 Switching Protocols`;
      res.resume();
      finish();
    });
    ws.on('error', (err) => {
      result.failure ??= err.message;
      finish();
    });
    ws.on('open', () => (result.upgraded = true));
    let heldSince: number | undefined;
    ws.on('close', (code, reason) => {
      result.close = { code, reason: reason.toString() };
      if (heldSince !== undefined) result.held = { ms: Date.now() - heldSince, survived: false };
      finish();
    });
    const connectId = randomUUID();
    ws.on('message', (data) => {
      let frame: { type?: string; event?: string; id?: string; ok?: boolean; error?: { code: string; message: string; details?: { code?: string } } };
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (frame.type === 'event' && frame.event === 'connect.challenge') {
        result.challenge = true;
        const auth = { ...(opts.token ? { token: opts.token } : {}), ...(opts.password ? { password: opts.password } : {}) };
        ws.send(JSON.stringify({
          type: 'req', id: connectId, method: 'connect',
          params: {
            minProtocol: PROTOCOL_VERSION, maxProtocol: PROTOCOL_VERSION,
            client: { id: 'openclaw-probe', version: 'doctor', platform: process.platform, mode: 'probe' },
            role: 'operator', scopes: [],
            ...(Object.keys(auth).length ? { auth } : {}),
          },
        }));
      } else if (frame.type === 'res' && frame.id === connectId) {
        result.accepted = frame.ok === true;
        if (frame.error) result.rejection = { code: frame.error.code, detailCode: frame.error.details?.code, message: frame.error.message };
        if (!result.accepted || !opts.holdOpenMs) return finish();
        clearTimeout(timer);
        heldSince = Date.now();
        timer = setTimeout(() => {
          result.held = { ms: Date.now() - heldSince!, survived: true };
          finish();
        }, opts.holdOpenMs);
      }
    });
  });
}

export interface HttpProbeResult {
  status?: number;
  body?: unknown;
  failure?: string;
}

export async function probeHttp(url: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<HttpProbeResult> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { failure: cause?.code ?? cause?.message ?? (err as Error).message };
  }
}
