// Errors the client SDK raises. Gateway-side rejections carry the detail code, cause and fix the
// gateway sent (src/protocol/errors.ts); the client-only failures below are written once here.
import { findRejectionByDetailCode, type ErrorShape } from '../protocol/errors.js';

/** A request (or the connect handshake) answered with `ok:false`. */
export class GatewayCallError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  /** details.code, e.g. PAIRING_REQUIRED. */
  readonly detailCode: string | undefined;
  /** One sentence: why it happened. */
  override readonly cause: string | undefined;
  /** The exact command that fixes it (from the gateway, else from the Rejections table). */
  readonly fix: string | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(error: ErrorShape) {
    super(error.message);
    this.name = 'GatewayCallError';
    this.code = error.code;
    this.details = error.details;
    const detailCode = typeof error.details?.code === 'string' ? error.details.code : undefined;
    this.detailCode = detailCode;
    const known = findRejectionByDetailCode(detailCode);
    this.cause = typeof error.details?.cause === 'string' ? error.details.cause : known?.cause;
    this.fix = typeof error.details?.fix === 'string' ? error.details.fix : known?.fix({});
    this.retryAfterMs = error.retryAfterMs;
  }
}

/** The socket could not be opened at all: nothing is listening, or the host is unreachable. */
export class GatewayUnreachableError extends Error {
  readonly fix = 'openclaw gateway start';
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`gateway connect failed: ${reason} at ${url} (is it running? openclaw gateway start)`);
    this.name = 'GatewayUnreachableError';
  }
}

/** The socket opened (or answered HTTP) but no session came of it: bad challenge, HTTP error. */
export class GatewayConnectError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`${reason} (${url})`);
    this.name = 'GatewayConnectError';
  }
}

/** The connection closed while a request was waiting (requests without an idempotency key are not retried). */
export class GatewayClosedError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(`gateway closed (${code}): ${reason || 'no reason'}`);
    this.name = 'GatewayClosedError';
  }
}

/** No answer within the request (or handshake) deadline. */
export class GatewayTimeoutError extends Error {
  constructor(readonly what: string) {
    super(what);
    this.name = 'GatewayTimeoutError';
  }
  static request(method: string): GatewayTimeoutError {
    return new GatewayTimeoutError(`gateway request timeout for ${method}`);
  }
  static challenge(waitedMs: number, limitMs: number): GatewayTimeoutError {
    return new GatewayTimeoutError(`gateway connect challenge timeout (waited ${waitedMs}ms, limit ${limitMs}ms)`);
  }
}

/** Socket error codes → the words we print. */
export function describeSocketError(err: unknown): string {
  const code = (err as { code?: string } | undefined)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ECONNRESET':
      return 'connection reset';
    default:
      return (err as Error | undefined)?.message || 'connection failed';
  }
}
