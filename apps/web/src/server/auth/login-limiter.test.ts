import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginLimiter } from './login-limiter.js';

test('locks a key after the allowed failures and frees it when the window passes', () => {
  let now = 1_000_000;
  const limiter = new LoginLimiter(3, 60_000, () => now);
  for (let i = 0; i < 3; i++) {
    assert.equal(limiter.retryAfterMs('alice|1.2.3.4'), 0);
    limiter.recordFailure('alice|1.2.3.4');
  }
  assert.equal(limiter.retryAfterMs('alice|1.2.3.4'), 60_000);
  assert.equal(limiter.retryAfterMs('bob|1.2.3.4'), 0, 'other keys are unaffected');
  now += 60_001;
  assert.equal(limiter.retryAfterMs('alice|1.2.3.4'), 0);
});

test('a success resets the count', () => {
  const limiter = new LoginLimiter(2, 60_000);
  limiter.recordFailure('k');
  limiter.reset('k');
  limiter.recordFailure('k');
  assert.equal(limiter.retryAfterMs('k'), 0);
});
