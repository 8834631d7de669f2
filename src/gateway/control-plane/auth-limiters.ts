// Which failed-auth buckets a connect attempt falls into (reference §4.2): per client IP and
// credential class, locked out after repeated failures; loopback is never locked out (when
// exempt) but is slowed down progressively, one budget per source whatever Origin it sends.
// Browser pages always also go to a second limiter keyed by their origin (a hostile page on
// localhost cannot guess forever).
import { AuthRateLimiter, FailurePenalty, type RateLimitDecision } from '../../auth/rate-limit.js';
import { isLoopbackAddress } from '../../auth/client-ip.js';
import { normalizeOrigin } from '../../auth/origin.js';
import type { RateLimitSettings } from '../../config/types.js';

export type CredentialClass = 'shared' | 'device-token' | 'bootstrap';

export interface LimiterSlot {
  limiter: AuthRateLimiter;
  key: string;
}

export interface AttemptSource {
  clientIp: string | undefined;
  origin: string | undefined;
  cls: CredentialClass;
}

export class AuthLimiters {
  private main: AuthRateLimiter;
  private browser: AuthRateLimiter;
  private readonly penalty = new FailurePenalty();
  private settings: RateLimitSettings;

  constructor(settings: RateLimitSettings) {
    this.settings = settings;
    this.main = new AuthRateLimiter(settings);
    this.browser = new AuthRateLimiter(settings);
  }

  /** Hot reload: new limits start fresh counters only when the limits changed. */
  update(settings: RateLimitSettings): void {
    const same =
      settings.maxAttempts === this.settings.maxAttempts &&
      settings.windowMs === this.settings.windowMs &&
      settings.lockoutMs === this.settings.lockoutMs &&
      settings.exemptLoopback === this.settings.exemptLoopback;
    if (same) return;
    this.settings = settings;
    this.main = new AuthRateLimiter(settings);
    this.browser = new AuthRateLimiter(settings);
  }

  /** The lockout bucket for this attempt, or null when it is exempt. */
  slot(o: AttemptSource): LimiterSlot | null {
    if (o.origin !== undefined) {
      const url = normalizeOrigin(o.origin);
      const originKey = url ? `${url.protocol}//${url.host}`.toLowerCase() : 'invalid';
      const key = isLoopbackAddress(o.clientIp) ? `browser-origin:${originKey}` : `${o.clientIp ?? 'unknown'}|${o.cls}`;
      return { limiter: this.browser, key };
    }
    if (this.settings.exemptLoopback && isLoopbackAddress(o.clientIp)) return null;
    return { limiter: this.main, key: `${o.clientIp ?? 'unknown'}|${o.cls}` };
  }

  /** Whether this attempt may be checked at all (a locked bucket or a held flood says no). */
  check(o: AttemptSource): RateLimitDecision {
    const slot = this.slot(o);
    const locked = slot?.limiter.check(slot.key);
    if (locked && !locked.allowed) return locked;
    const key = penaltyKey(o);
    return key ? this.penalty.check(key) : { allowed: true };
  }

  /** Counts a wrong credential; returns how long to hold the answer (0: answer now). */
  recordFailure(o: AttemptSource): number {
    const slot = this.slot(o);
    slot?.limiter.recordFailure(slot.key);
    const key = penaltyKey(o);
    return key ? this.penalty.recordFailure(key) : 0;
  }

  reset(o: AttemptSource): void {
    const slot = this.slot(o);
    slot?.limiter.reset(slot.key);
    const key = penaltyKey(o);
    if (key) this.penalty.reset(key);
  }
}

/** Loopback sources share one slow-down budget per address, whatever Origin or credential they use. */
function penaltyKey(o: AttemptSource): string | undefined {
  return isLoopbackAddress(o.clientIp) ? `loopback:${o.clientIp}` : undefined;
}
