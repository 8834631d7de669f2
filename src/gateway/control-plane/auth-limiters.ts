// Which failed-auth bucket a connect attempt falls into (reference §4.2): per client IP and
// credential class; loopback is exempt unless the attempt comes from a browser page, which always
// goes to a second limiter keyed by its origin (a hostile page on localhost cannot guess forever).
import { AuthRateLimiter } from '../../auth/rate-limit.js';
import { isLoopbackAddress } from '../../auth/client-ip.js';
import { normalizeOrigin } from '../../auth/origin.js';
import type { RateLimitSettings } from '../../config/types.js';

export type CredentialClass = 'shared' | 'device-token' | 'bootstrap';

export interface LimiterSlot {
  limiter: AuthRateLimiter;
  key: string;
}

export class AuthLimiters {
  private main: AuthRateLimiter;
  private browser: AuthRateLimiter;
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

  /** The bucket for this attempt, or null when it is exempt. */
  slot(o: { clientIp: string | undefined; origin: string | undefined; cls: CredentialClass }): LimiterSlot | null {
    if (o.origin !== undefined) {
      const url = normalizeOrigin(o.origin);
      const originKey = url ? `${url.protocol}//${url.host}`.toLowerCase() : 'invalid';
      const key = isLoopbackAddress(o.clientIp) ? `browser-origin:${originKey}` : `${o.clientIp ?? 'unknown'}|${o.cls}`;
      return { limiter: this.browser, key };
    }
    if (this.settings.exemptLoopback && isLoopbackAddress(o.clientIp)) return null;
    return { limiter: this.main, key: `${o.clientIp ?? 'unknown'}|${o.cls}` };
  }
}
