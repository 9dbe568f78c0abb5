import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressKey, isAdmitted, LoginLimiter } from './login-limiter.js';

test('counts an attempt when it is admitted, per username and per address, and frees it when the window passes', () => {
  let now = 1_000_000;
  const limiter = new LoginLimiter({ perUsername: 3, perAddress: 5, windowMs: 60_000 }, () => now);
  for (let i = 0; i < 3; i++) assert.ok(isAdmitted(limiter.admit('alice', '1.2.3.4')));
  assert.deepEqual(limiter.admit('Alice', '5.6.7.8'), { retryAfterMs: 60_000 }, 'the username is throttled');
  assert.ok(isAdmitted(limiter.admit('bob', '1.2.3.4')));
  assert.ok(isAdmitted(limiter.admit('carol', '1.2.3.4')));
  assert.deepEqual(limiter.admit('dave', '1.2.3.4'), { retryAfterMs: 60_000 }, 'the address is throttled');
  assert.ok(isAdmitted(limiter.admit('dave', '9.9.9.9')), 'other addresses are unaffected');
  now += 60_001;
  assert.ok(isAdmitted(limiter.admit('alice', '1.2.3.4')));
});

test('a refused attempt is not counted, and a refunded (successful) one gives its place back', () => {
  let now = 0;
  const limiter = new LoginLimiter({ perUsername: 2, perAddress: 100, windowMs: 1_000 }, () => now);
  const first = limiter.admit('k', 'a');
  assert.ok(isAdmitted(first));
  limiter.refund(first);
  assert.ok(isAdmitted(limiter.admit('k', 'a')));
  now = 500;
  assert.ok(isAdmitted(limiter.admit('k', 'a')));
  assert.deepEqual(limiter.admit('k', 'a'), { retryAfterMs: 500 });
  // Refused attempts did not extend the window: the first counted one expires at 1 000.
  now = 1_001;
  assert.ok(isAdmitted(limiter.admit('k', 'a')));
});

test('the table is bounded: the least recently used keys are forgotten', () => {
  const limiter = new LoginLimiter({ maxKeys: 100, perUsername: 1, perAddress: 1 });
  for (let i = 0; i < 10_000; i++) limiter.admit(`user${i}`, `10.0.${i >> 8}.${i & 255}`);
  assert.ok(limiter.size <= 100, `tracked ${limiter.size} keys`);
  assert.ok(isAdmitted(limiter.admit('user0', '10.0.0.0')), 'a forgotten key starts afresh');
});

test('IPv6 clients are limited by their /64, IPv4-mapped addresses as IPv4', () => {
  assert.equal(addressKey('192.0.2.7'), '192.0.2.7');
  assert.equal(addressKey('::ffff:192.0.2.7'), '192.0.2.7');
  assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  const limiter = new LoginLimiter({ perUsername: 100, perAddress: 3 });
  for (let i = 1; i <= 3; i++) assert.ok(isAdmitted(limiter.admit(`u${i}`, `2001:db8:1:2::${i}`)));
  assert.ok(!isAdmitted(limiter.admit('u4', '2001:db8:1:2:ffff::4')), 'another address of the same /64');
  assert.ok(isAdmitted(limiter.admit('u4', '2001:db8:1:3::4')), 'another /64');
});
