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

export interface FailurePenaltyOptions {
  /** Failures inside the window answered at once (typos; a browser origin's own lockout comes first). */
  freeFailures: number;
  /** Delay of the first failure's answer; each further failure doubles it. */
  baseMs: number;
  /** The longest a failure's answer is held. */
  maxMs: number;
  /** Failures older than this are forgotten (the delay starts over). */
  windowMs: number;
  /** Answers held at once per key; beyond, a new attempt is turned away unchecked. */
  maxPending: number;
}

export const LOOPBACK_PENALTY: FailurePenaltyOptions = { freeFailures: 10, baseMs: 250, maxMs: 5_000, windowMs: 60_000, maxPending: 8 };

interface PenaltyEntry {
  failures: number;
  lastFailureAt: number;
  /** When each held failure answer is released, in the order they were held. */
  pending: number[];
}

/**
 * Progressive slow-down for sources that are never locked out (the local owner on loopback): past
 * `freeFailures`, a wrong guess is answered only after a delay that doubles with every failure, and while
 * `maxPending` answers are held the next attempt is refused before its secret is checked. A
 * right secret is never delayed, so its owner always gets in once no flood is being held; a guesser
 * gets at most `maxPending` answers per `maxMs`.
 */
export class FailurePenalty {
  private readonly entries = new Map<string, PenaltyEntry>();

  constructor(
    private readonly opts: FailurePenaltyOptions = LOOPBACK_PENALTY,
    private readonly now: () => number = Date.now,
  ) {}

  check(key: string): RateLimitDecision {
    const entry = this.entries.get(key);
    if (!entry) return { allowed: true };
    const t = this.now();
    entry.pending = entry.pending.filter((d) => d > t);
    if (entry.pending.length < this.opts.maxPending) return { allowed: true };
    return { allowed: false, retryAfterMs: Math.max(1, entry.pending[0] - t) };
  }

  /** Records a failure; returns how long to hold its answer. */
  recordFailure(key: string): number {
    const t = this.now();
    let entry = this.entries.get(key);
    if (!entry) {
      if (this.entries.size >= SWEEP_THRESHOLD) this.sweep(t);
      entry = { failures: 0, lastFailureAt: t, pending: [] };
      this.entries.set(key, entry);
    }
    if (t - entry.lastFailureAt >= this.opts.windowMs) entry.failures = 0;
    entry.failures++;
    entry.lastFailureAt = t;
    const over = entry.failures - this.opts.freeFailures;
    if (over <= 0) return 0;
    const delay = Math.min(this.opts.baseMs * 2 ** Math.min(over - 1, 30), this.opts.maxMs);
    entry.pending = entry.pending.filter((d) => d > t);
    entry.pending.push(t + delay);
    return delay;
  }

  reset(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.failures = 0; // answers already held stay held (they still count against maxPending)
    if (entry.pending.every((d) => d <= this.now())) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(t: number): void {
    for (const [key, entry] of this.entries) {
      if (t - entry.lastFailureAt >= this.opts.windowMs && entry.pending.every((d) => d <= t)) this.entries.delete(key);
    }
  }
}
