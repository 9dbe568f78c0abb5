import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTimeBound, toNanos } from './time-bound.js';

const T1 = '2026-11-22T14:04:29.983107911+00:00';
const T2 = '2026-11-22T14:04:30.000000001+00:00';

test('times compare with nanosecond precision; bounds accept RFC 3339, Unix seconds and durations', () => {
  assert.ok(toNanos(T1) < toNanos(T2));
  assert.equal(toNanos('1970-01-01T00:00:01.5Z'), 1_500_000_000n);
  assert.equal(parseTimeBound('1.5'), 1_500_000_000n);
  assert.equal(parseTimeBound('10m', 1_000_000), BigInt(1_000_000 - 600_000) * 1_000_000n);
  assert.throws(() => parseTimeBound('yesterday'), /invalid time "yesterday"/);
});
