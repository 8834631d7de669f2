// One-shot gateway calls for the CLI: resolve the target, connect (no reconnect, no resume),
// run one or more requests, close. Failures are the typed errors from ./errors.ts.
import type { Env } from '../config/paths.js';
import { GatewayClient } from './gateway-client.js';
import { GatewayCallError } from './errors.js';
import { resolveGatewayTarget, type GatewayTarget } from './target.js';

export { GatewayCallError, GatewayUnreachableError, GatewayClosedError, GatewayConnectError, GatewayTimeoutError } from './errors.js';

export interface ConnectOptions {
  url?: string;
  token?: string;
  password?: string;
  /** Budget for connect + requests (default 10 s). */
  timeoutMs?: number;
  env?: Env;
  scopes?: readonly string[];
}

export interface CallOptions extends ConnectOptions {
  method: string;
  params?: unknown;
  /** Required by side-effecting methods; put into params.idempotencyKey. */
  idempotencyKey?: string;
}

/** Connects once, runs `fn` with the connected client and the deadline left, and always closes. */
export async function withGateway<T>(o: ConnectOptions, fn: (client: GatewayClient, remainingMs: () => number, target: GatewayTarget) => Promise<T>): Promise<T> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  const remainingMs = () => Math.max(1, deadline - Date.now());
  const target = resolveGatewayTarget({ url: o.url, token: o.token, password: o.password, env: o.env });
  const open = (identity?: null) =>
    new GatewayClient({
      url: target.url,
      token: target.token,
      password: target.password,
      stateDir: target.stateDir,
      scopes: o.scopes,
      reconnect: false,
      resume: false,
      connectTimeoutMs: timeoutMs,
      requestTimeoutMs: timeoutMs,
      ...(identity === null ? { identity } : {}),
    });
  let client = open();
  try {
    try {
      await client.connect();
    } catch (err) {
      // The owner's CLI holding the shared secret does not wait for its own approval (it is the
      // tool that approves): on this machine the gateway keeps a device-less cli's scopes.
      if (!(err instanceof GatewayCallError && err.detailCode === 'PAIRING_REQUIRED') || !(target.token || target.password)) throw err;
      await client.close();
      client = open(null);
      await client.connect();
    }
    return await fn(client, remainingMs, target);
  } finally {
    await client.close();
  }
}

export function callGateway(o: CallOptions): Promise<unknown> {
  return withGateway(o, (client, remainingMs) => client.request(o.method, o.params, { timeoutMs: remainingMs(), idempotencyKey: o.idempotencyKey }));
}
