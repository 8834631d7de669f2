// What the control plane's own method families (health, devices, config, logs, dashboard, gateway)
// need from it beyond GatewayServices. Built once by createControlPlane and closed over by the
// method factories, so methods never reach into connections directly.
import type { PairingStore } from '../../auth/pairing-store.js';
import type { BootstrapCodes } from '../control-plane/bootstrap-codes.js';
import type { PresenceEntry } from '../control-plane/presence.js';
import type { GatewayServices } from './types.js';

export interface HealthSnapshot {
  ok: boolean;
  ts: number;
  durationMs: number;
  version: string;
  uptimeMs: number;
  connections: { total: number; authenticated: number };
  presence: number;
  authMode: string;
  eventLog: { lastSeq: number };
  /** Chat channels: not ok when any account is unhealthy (probe failed, disconnected, stuck outbound). */
  channelAccounts?: Array<{ channel: string; accountId: string; healthState: string; lastError?: string | null }>;
  /** Upstream's shape: channel id → summary with `accounts` by id (official clients print these). */
  channels?: Record<string, unknown>;
  [upstream: string]: unknown;
}

export interface ControlPlaneRuntime {
  services: GatewayServices;
  pairing: PairingStore;
  bootstrap: BootstrapCodes;
  presence(): PresenceEntry[];
  health(): HealthSnapshot;
  /** Broadcast to every authenticated client allowed to see it (durable unless tick/presence/health). */
  broadcast(event: string, payload: unknown): void;
  /**
   * Closes a device's live connections (optionally one role, sparing `exceptConnId`) with 4008
   * device token mismatch, right after the current response is sent. Returns how many.
   */
  dropDeviceConnections(deviceId: string, role?: string, exceptConnId?: string): number;
  /** Devices with at least one live authenticated connection. */
  connectedDeviceIds(): Set<string>;
}
