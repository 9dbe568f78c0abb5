import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  effectiveHealthcheck,
  formatGoDuration,
  HealthConfigSchema,
  healthRunFlags,
  mergeHealthcheck,
  parseGoDuration,
} from './health.js';

const S = 1_000_000_000;

test("parseGoDuration reads Go's durations and refuses what Go refuses", () => {
  assert.equal(parseGoDuration('30s'), 30 * S);
  assert.equal(parseGoDuration('1m30s'), 90 * S);
  assert.equal(parseGoDuration('500ms'), S / 2);
  assert.equal(parseGoDuration('1.5h'), 5400 * S);
  assert.equal(parseGoDuration('-2s'), -2 * S);
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('250us'), 250_000);
  assert.throws(() => parseGoDuration('abc'), /time: invalid duration "abc"/);
  assert.throws(() => parseGoDuration('10'), /time: missing unit in duration "10"/);
  assert.throws(() => parseGoDuration(''), /time: invalid duration ""/);
  assert.throws(() => parseGoDuration('5d'), /invalid duration/);
});

test("formatGoDuration writes Go's Duration.String()", () => {
  assert.equal(formatGoDuration(30 * S), '30s');
  assert.equal(formatGoDuration(60 * S), '1m0s');
  assert.equal(formatGoDuration(1.5 * S), '1.5s');
  assert.equal(formatGoDuration(S / 2), '500ms');
  assert.equal(formatGoDuration(7200 * S), '2h0m0s');
  assert.equal(formatGoDuration(0), '0s');
  for (const text of ['1m30s', '250ms', '3h2m1.5s'])
    assert.equal(formatGoDuration(parseGoDuration(text)), text);
});

test("the schema keeps the daemon's rules: durations 0 or at least 1 ms, retries not negative, a known test", () => {
  const issue = (value: unknown) => HealthConfigSchema.safeParse(value).error?.issues[0]?.message;
  assert.equal(issue({ Interval: 500_000 }), 'Interval in Healthcheck cannot be less than 1ms');
  assert.equal(issue({ Timeout: -1 }), 'Timeout in Healthcheck cannot be less than 1ms');
  assert.equal(issue({ StartPeriod: 1 }), 'StartPeriod in Healthcheck cannot be less than 1ms');
  assert.equal(issue({ StartInterval: 10 }), 'StartInterval in Healthcheck cannot be less than 1ms');
  assert.equal(issue({ Retries: -1 }), 'Retries in Healthcheck cannot be negative');
  assert.match(issue({ Test: ['HTTP', 'x'] }) ?? '', /Unknown healthcheck type 'HTTP'/);
  assert.match(issue({ Test: ['CMD'] }) ?? '', /needs a command/);
  assert.equal(issue({ Test: ['CMD-SHELL', 'true'], Interval: 0, Retries: 0 }), undefined);
  assert.equal(issue({ Test: ['NONE'] }), undefined);
});

test("effectiveHealthcheck fills Docker's defaults; no test or NONE means no healthcheck", () => {
  assert.deepEqual(effectiveHealthcheck({ Test: ['CMD', 'true'] }), {
    test: ['CMD', 'true'],
    interval: 30 * S,
    timeout: 30 * S,
    startPeriod: 0,
    startInterval: 5 * S,
    retries: 3,
  });
  assert.equal(effectiveHealthcheck({ Test: ['NONE'], Interval: S }), null);
  assert.equal(effectiveHealthcheck({ Interval: S }), null);
  assert.equal(effectiveHealthcheck(undefined), null);
});

test("mergeHealthcheck: the container's fields win, an empty test or 0 takes the image's", () => {
  const image = { Test: ['CMD-SHELL', 'curl -f localhost'], Interval: 10 * S, Retries: 5 };
  assert.deepEqual(mergeHealthcheck(undefined, image), image);
  assert.deepEqual(mergeHealthcheck({ Test: ['NONE'] }, image)?.Test, ['NONE']);
  const merged = mergeHealthcheck({ Test: [], Interval: 2 * S, Retries: 0 }, image);
  assert.deepEqual(merged?.Test, image.Test);
  assert.equal(merged?.Interval, 2 * S);
  assert.equal(merged?.Retries, 5);
  assert.equal(mergeHealthcheck(undefined, null), undefined);
});

test('healthRunFlags gives the flags that make the same healthcheck', () => {
  assert.deepEqual(healthRunFlags({ Test: ['NONE'] }), [['no-healthcheck', null]]);
  assert.deepEqual(
    healthRunFlags({
      Test: ['CMD-SHELL', 'wget -q -O- localhost'],
      Interval: 2 * S,
      Retries: 4,
      StartPeriod: S / 2,
    }),
    [
      ['health-cmd', 'wget -q -O- localhost'],
      ['health-interval', '2s'],
      ['health-retries', '4'],
      ['health-start-period', '500ms'],
    ],
  );
  assert.deepEqual(healthRunFlags({ Test: ['CMD', 'test', '-f', "it's"] }), [
    ['health-cmd', "test -f 'it'\\''s'"],
  ]);
  assert.deepEqual(healthRunFlags(undefined), []);
});
