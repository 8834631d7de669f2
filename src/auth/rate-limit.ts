// Failed-authentication limiter: after `maxAttempts` failures inside a sliding `windowMs`, the key
// is locked for `lockoutMs`. Keys are chosen by the caller (client IP + credential class, or a
// browser origin). No timers: stale entries are swept lazily, so it never keeps a process alive.

export interface RateLimitOptions {
  maxAttempts: number;
  windowMs: number;
  lockoutMs: number;
}

export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

interface Entry {
  /** Timestamps of failures inside the current window, oldest first. */
  failures: number[];
  lockedUntil: number;
}

/** Sweep stale entries once the map grows past this many keys. */
const SWEEP_THRESHOLD = 1024;

export class AuthRateLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly opts: RateLimitOptions,
    private readonly now: () => number = Date.now,
  ) {}

  check(key: string): RateLimitDecision {
    const entry = this.entries.get(key);
    if (!entry) return { allowed: true };
    const t = this.now();
    if (entry.lockedUntil > t) return { allowed: false, retryAfterMs: entry.lockedUntil - t };
    return { allowed: true };
  }

  recordFailure(key: string): void {
    const t = this.now();
    let entry = this.entries.get(key);
    if (!entry) {
      if (this.entries.size >= SWEEP_THRESHOLD) this.sweep(t);
      entry = { failures: [], lockedUntil: 0 };
      this.entries.set(key, entry);
    }
    if (entry.lockedUntil > t) return; // already locked: the lockout does not grow
    entry.failures = entry.failures.filter((f) => t - f < this.opts.windowMs);
    entry.failures.push(t);
    if (entry.failures.length >= this.opts.maxAttempts) {
      entry.lockedUntil = t + this.opts.lockoutMs;
      entry.failures = [];
    }
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Number of keys currently tracked (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  private sweep(t: number): void {
    for (const [key, entry] of this.entries) {
      const recent = entry.failures.some((f) => t - f < this.opts.windowMs);
      if (entry.lockedUntil <= t && !recent) this.entries.delete(key);
    }
  }
}
