// The contract between the control plane and the method families (one module each).
import type { ZodType } from 'zod';
import type { Logger } from '../../logging/types.js';
import type { ResolvedGatewaySettings } from '../../config/types.js';

/** What a method knows about the caller. */
export interface CallerInfo {
  connId: string;
  role: string;
  scopes: readonly string[];
  deviceId?: string;
  clientId: string;
  clientMode: string;
  remoteIp?: string;
  isLocal: boolean;
}

/** Long-lived services the gateway hands to methods. Domain services are optional until wired. */
export interface GatewayServices {
  version: string;
  startedAt: number;
  stateDir: string;
  configPath: string;
  log: Logger;
  settings(): ResolvedGatewaySettings;
  /** Broadcast an event to every authenticated client allowed to see it (durable, resumable). */
  broadcast(event: string, payload: unknown): void;
  /** Ask the process to restart the listener/gateway (SIGUSR1-style in-process restart). */
  requestRestart(reason: string): void;
  /** The channel layer, once loaded: its health joins the `health` snapshot. */
  channels?: { healthSummary(): { ok: boolean; accounts: Array<{ channel: string; accountId: string; healthState: string; lastError?: string | null }> } };
  /** Upstream-shaped parts of `health` and `status` (agents, sessions, heartbeat, channels, event loop). */
  summaries?: { health(): Record<string, unknown>; status(opts: { includePaths: boolean }): Record<string, unknown> };
  /** Other services are attached by name (pairing, configStore, models, sessions …). */
  [service: string]: unknown;
}

export interface MethodContext<P = unknown> {
  params: P;
  caller: CallerInfo;
  services: GatewayServices;
  /** Send an event to this connection only (no seq). */
  sendToCaller(event: string, payload: unknown): void;
  /**
   * Answers this request early with an interim `res` (upstream's `status: "accepted"`); the
   * handler's return value is the final answer on the same id.
   */
  acknowledge(payload: unknown): void;
  /** The request's idempotency key, when the method takes one. */
  idempotencyKey?: string;
  log: Logger;
}

/** Thrown by handlers to answer with a specific protocol error. */
export class MethodError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'MethodError';
  }
}

export interface MethodDef<P = any> {
  name: string;
  /** Required operator scope, or null for any authenticated caller. */
  scope: string | null;
  /** Roles allowed (default: ['operator']). */
  roles?: readonly string[];
  /** Side-effecting methods need `params.idempotencyKey` (deduped 5 min, persisted). */
  sideEffect?: boolean;
  params?: ZodType<P>;
  handler(ctx: MethodContext<P>): Promise<unknown> | unknown;
}
