// Device pairing administration for the CLI: over RPC when the gateway runs (so connected UIs
// see device.pair.* events), directly on <state>/devices under the store's lock when it is down.
import crypto from 'node:crypto';
import { isLoopbackAddress } from '../auth/client-ip.js';
import { PairingStore, summarizeDevice, type DeviceSummary, type PendingRequest } from '../auth/pairing-store.js';
import { rejectionError, type RejectionId, type RejectionContext } from '../protocol/errors.js';
import { GatewayCallError, GatewayUnreachableError } from './errors.js';
import { withGateway, type ConnectOptions } from './call.js';
import type { GatewayClient } from './gateway-client.js';
import { resolveGatewayTarget } from './target.js';


export interface Outcome<T> {
  value: T;
  via: 'gateway' | 'direct';
  /** <state>/devices, when changed directly. */
  devicesDir?: string;
}

function directError(id: RejectionId, ctx: RejectionContext): GatewayCallError {
  return new GatewayCallError(rejectionError(id, ctx));
}

function isLocalUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
    return host === 'localhost' || isLoopbackAddress(host);
  } catch {
    return false;
  }
}

/**
 * Runs `rpc` against the gateway; if nothing listens at a local gateway URL, runs `direct` on the
 * pairing store instead. A remote gateway that is down is an error, never a local edit.
 */
async function viaGatewayOrStore<T>(conn: ConnectOptions, rpc: (c: GatewayClient, remainingMs: () => number) => Promise<T>, direct: (store: PairingStore) => T): Promise<Outcome<T>> {
  try {
    return { value: await withGateway(conn, rpc), via: 'gateway' };
  } catch (err) {
    if (!(err instanceof GatewayUnreachableError) || !isLocalUrl(err.url)) throw err;
    const target = resolveGatewayTarget({ url: conn.url, token: conn.token, password: conn.password, env: conn.env });
    const store = new PairingStore(target.stateDir);
    const value = direct(store);
    // The gateway is down: leave paired.json / pending.json current for tools that read them.
    store.compact();
    return { value, via: 'direct', devicesDir: store.devicesDir };
  }
}

const key = () => ({ idempotencyKey: crypto.randomUUID() });

export interface DeviceList {
  pending: PendingRequest[];
  paired: DeviceSummary[];
}

export function listDevices(conn: ConnectOptions): Promise<Outcome<DeviceList>> {
  return viaGatewayOrStore(
    conn,
    (c, t) => c.request<DeviceList>('device.pair.list', {}, { timeoutMs: t() }),
    (s) => ({ pending: s.listPending(), paired: s.listPaired().map(summarizeDevice) }),
  );
}

export interface ApproveResult {
  requestId: string;
  device: DeviceSummary;
}

/** Approves by requestId, deviceId or a unique prefix; `latest` picks the newest pending request. */
export function approveDevice(conn: ConnectOptions, id: string | { latest: true }): Promise<Outcome<ApproveResult>> {
  const pickLatest = (pending: PendingRequest[]): string => {
    const newest = [...pending].sort((a, b) => b.ts - a.ts)[0];
    if (!newest) throw directError('PAIRING_REQUEST_NOT_FOUND', { requestId: '--latest' });
    return newest.requestId;
  };
  return viaGatewayOrStore(
    conn,
    async (c, t) => {
      const requestId = typeof id === 'string' ? id : pickLatest((await c.request<DeviceList>('device.pair.list', {}, { timeoutMs: t() })).pending);
      return c.request<ApproveResult>('device.pair.approve', { requestId }, { timeoutMs: t(), ...key() });
    },
    (s) => {
      const requestId = typeof id === 'string' ? id : pickLatest(s.listPending());
      const r = s.approve(requestId, 'cli') ?? throwError(directError('PAIRING_REQUEST_NOT_FOUND', { requestId }));
      return { requestId: r.request.requestId, device: summarizeDevice(r.device) };
    },
  );
}

export function rejectDevice(conn: ConnectOptions, id: string): Promise<Outcome<{ requestId: string; deviceId: string }>> {
  return viaGatewayOrStore(
    conn,
    (c, t) => c.request('device.pair.reject', { requestId: id }, { timeoutMs: t(), ...key() }),
    (s) => {
      const r = s.reject(id) ?? throwError(directError('PAIRING_REQUEST_NOT_FOUND', { requestId: id }));
      return { requestId: r.requestId, deviceId: r.deviceId };
    },
  );
}

function resolveDirect(s: PairingStore, deviceId: string): string {
  return s.resolveDeviceId(deviceId) ?? throwError(directError('DEVICE_NOT_FOUND', { deviceId }));
}

export function removeDevice(conn: ConnectOptions, deviceId: string): Promise<Outcome<{ deviceId: string; removed: boolean }>> {
  return viaGatewayOrStore(
    conn,
    (c, t) => c.request('device.pair.remove', { deviceId }, { timeoutMs: t(), ...key() }),
    (s) => {
      const id = resolveDirect(s, deviceId);
      return { deviceId: id, removed: s.remove(id) };
    },
  );
}

export function renameDevice(conn: ConnectOptions, deviceId: string, name: string): Promise<Outcome<{ deviceId: string; name: string }>> {
  return viaGatewayOrStore(
    conn,
    (c, t) => c.request('device.pair.rename', { deviceId, name }, { timeoutMs: t(), ...key() }),
    (s) => {
      const id = resolveDirect(s, deviceId);
      s.rename(id, name.trim());
      return { deviceId: id, name: name.trim() };
    },
  );
}

export interface TokenChange {
  deviceId: string;
  role: string;
  scopes?: string[];
  rotatedAtMs?: number;
  revoked?: boolean;
}

export function rotateDeviceToken(conn: ConnectOptions, deviceId: string, role: string, scopes?: string[]): Promise<Outcome<TokenChange>> {
  return viaGatewayOrStore(
    conn,
    async (c, t) => {
      // The bearer is echoed only to its own device; never print it.
      const { token: _secret, ...rest } = await c.request<TokenChange & { token?: string }>('device.token.rotate', { deviceId, role, ...(scopes?.length ? { scopes } : {}) }, { timeoutMs: t(), ...key() });
      return rest;
    },
    (s) => {
      const id = resolveDirect(s, deviceId);
      const record = s.rotateToken(id, role, scopes?.length ? scopes : undefined) ?? throwError(directError('DEVICE_NOT_FOUND', { deviceId }));
      return { deviceId: id, role, scopes: record.scopes, rotatedAtMs: record.rotatedAtMs };
    },
  );
}

export function revokeDeviceToken(conn: ConnectOptions, deviceId: string, role: string): Promise<Outcome<TokenChange>> {
  return viaGatewayOrStore(
    conn,
    (c, t) => c.request<TokenChange>('device.token.revoke', { deviceId, role }, { timeoutMs: t(), ...key() }),
    (s) => {
      const id = resolveDirect(s, deviceId);
      if (!s.revokeToken(id, role)) throw directError('DEVICE_NOT_FOUND', { deviceId });
      return { deviceId: id, role, revoked: true };
    },
  );
}

export function clearDevices(conn: ConnectOptions, pending: boolean): Promise<Outcome<{ removedPending: number; removedPaired: number }>> {
  return viaGatewayOrStore(
    conn,
    (c, t) => c.request('device.pair.clear', { pending }, { timeoutMs: t(), ...key() }),
    (s) => s.clear({ pending }),
  );
}

function throwError(err: Error): never {
  throw err;
}
