import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AuthRateLimiter, FailurePenalty } from './rate-limit.js';

const opts = { maxAttempts: 10, windowMs: 60_000, lockoutMs: 300_000 };

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

test('locks after maxAttempts failures within the window, for lockoutMs', () => {
  const c = clock();
  const rl = new AuthRateLimiter(opts, c.now);
  for (let i = 0; i < 9; i++) {
    rl.recordFailure('1.2.3.4|token');
    c.t += 1000;
  }
  assert.deepEqual(rl.check('1.2.3.4|token'), { allowed: true });
  rl.recordFailure('1.2.3.4|token');
  assert.deepEqual(rl.check('1.2.3.4|token'), { allowed: false, retryAfterMs: 300_000 });
  c.t += 100_000;
  assert.deepEqual(rl.check('1.2.3.4|token'), { allowed: false, retryAfterMs: 200_000 });
  // other keys (another IP, another credential class) are independent
  assert.deepEqual(rl.check('1.2.3.4|device-token'), { allowed: true });
  assert.deepEqual(rl.check('5.6.7.8|token'), { allowed: true });
  c.t += 200_000;
  assert.deepEqual(rl.check('1.2.3.4|token'), { allowed: true });
});

test('failures older than the window do not count', () => {
  const c = clock();
  const rl = new AuthRateLimiter(opts, c.now);
  for (let i = 0; i < 9; i++) rl.recordFailure('k');
  c.t += 60_000;
  rl.recordFailure('k');
  assert.deepEqual(rl.check('k'), { allowed: true });
});

test('reset clears failures and lockouts', () => {
  const c = clock();
  const rl = new AuthRateLimiter({ maxAttempts: 2, windowMs: 1000, lockoutMs: 5000 }, c.now);
  rl.recordFailure('k');
  rl.reset('k');
  rl.recordFailure('k');
  assert.deepEqual(rl.check('k'), { allowed: true });
  rl.recordFailure('k');
  assert.equal(rl.check('k').allowed, false);
  rl.reset('k');
  assert.deepEqual(rl.check('k'), { allowed: true });
});

test('failures while locked do not extend the lockout', () => {
  const c = clock();
  const rl = new AuthRateLimiter({ maxAttempts: 1, windowMs: 1000, lockoutMs: 5000 }, c.now);
  rl.recordFailure('k');
  c.t += 4000;
  rl.recordFailure('k');
  assert.deepEqual(rl.check('k'), { allowed: false, retryAfterMs: 1000 });
});

test('stale keys are swept so memory stays bounded', () => {
  const c = clock();
  const rl = new AuthRateLimiter({ maxAttempts: 5, windowMs: 1000, lockoutMs: 1000 }, c.now);
  for (let i = 0; i < 1024; i++) rl.recordFailure(`ip-${i}`);
  c.t += 2000;
  rl.recordFailure('new');
  assert.equal(rl.size, 1);
});

test('property: locked exactly when maxAttempts failures fall within one window', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 30_000 }), { maxLength: 30 }), fc.integer({ min: 1, max: 6 }), (gaps, max) => {
      const c = clock();
      const o = { maxAttempts: max, windowMs: 10_000, lockoutMs: 50_000 };
      const rl = new AuthRateLimiter(o, c.now);
      // reference model
      let window: number[] = [];
      let lockedUntil = 0;
      for (const g of gaps) {
        c.t += g;
        rl.recordFailure('k');
        if (lockedUntil <= c.t) {
          window = window.filter((f) => c.t - f < o.windowMs);
          window.push(c.t);
          if (window.length >= max) {
            lockedUntil = c.t + o.lockoutMs;
            window = [];
          }
        }
        const expected = lockedUntil > c.t ? { allowed: false, retryAfterMs: lockedUntil - c.t } : { allowed: true };
        assert.deepEqual(rl.check('k'), expected);
      }
    }),
  );
});

test('FailurePenalty: free failures, then doubling holds up to the cap; a full queue of held answers refuses unchecked; failures are forgotten after the window', () => {
  const c = clock();
  const p = new FailurePenalty({ freeFailures: 2, baseMs: 100, maxMs: 400, windowMs: 10_000, maxPending: 3 }, c.now);
  assert.equal(p.recordFailure('k'), 0);
  assert.equal(p.recordFailure('k'), 0);
  assert.deepEqual([p.recordFailure('k'), p.recordFailure('k'), p.recordFailure('k')], [100, 200, 400]);
  // three answers held: the next attempt is refused until the first is released
  assert.deepEqual(p.check('k'), { allowed: false, retryAfterMs: 100 });
  assert.deepEqual(p.check('other'), { allowed: true });
  c.t += 100;
  assert.deepEqual(p.check('k'), { allowed: true });
  assert.equal(p.recordFailure('k'), 400);
  c.t += 10_000;
  assert.equal(p.recordFailure('k'), 0, 'a quiet window starts over');
  p.reset('k');
  assert.equal(p.size, 0);
});
