// What the router learned about each model provider from real turns: when it last answered, the
// last failure (kind, message, fix) and how many in a row, and until when a 429's Retry-After asked
// us to wait. RPC `models.status` and the Control UI's Status view show it. In memory only.
import type { ModelError } from './errors.js';

export interface ProviderHealthEntry {
  provider: string;
  /** Turns that reached this provider (successes + failures). */
  requests: number;
  failures: number;
  consecutiveFailures: number;
  lastOkAt: number | null;
  lastFailureAt: number | null;
  lastError: { model: string; kind: string; status?: number; message: string; fix: string } | null;
  /**
   * When the provider's last Retry-After (from a 429) ends. The router still tries the provider
   * (it falls over to the next model when it fails again); this is what the backend asked for.
   */
  cooldownUntil: number | null;
}

export class ProviderHealth {
  private readonly entries = new Map<string, ProviderHealthEntry>();

  private entry(provider: string): ProviderHealthEntry {
    let e = this.entries.get(provider);
    if (!e) {
      e = { provider, requests: 0, failures: 0, consecutiveFailures: 0, lastOkAt: null, lastFailureAt: null, lastError: null, cooldownUntil: null };
      this.entries.set(provider, e);
    }
    return e;
  }

  ok(provider: string, now = Date.now()): void {
    const e = this.entry(provider);
    e.requests++;
    e.consecutiveFailures = 0;
    e.lastOkAt = now;
    e.cooldownUntil = null;
  }

  fail(provider: string, error: ModelError, now = Date.now()): void {
    const e = this.entry(provider);
    e.requests++;
    e.failures++;
    e.consecutiveFailures++;
    e.lastFailureAt = now;
    e.lastError = { model: `${error.ctx.provider ?? provider}/${error.ctx.model ?? ''}`, kind: error.kind, ...(error.status ? { status: error.status } : {}), message: error.message, fix: error.fix };
    const wait = error.ctx.retryAfterMs;
    e.cooldownUntil = error.kind === 'rate_limit' && typeof wait === 'number' && wait > 0 ? now + wait : null;
  }

  get(provider: string): ProviderHealthEntry | undefined {
    const e = this.entries.get(provider);
    return e && { ...e };
  }
}
