import assert from 'node:assert/strict';
import { test } from 'node:test';
import { humanDuration, timeAgo } from './human-duration.js';
import { bytesSize, humanSize } from './human-size.js';

test('bytesSize matches Docker units.BytesSize (binary, 4 significant digits)', () => {
  assert.equal(bytesSize(0), '0B');
  assert.equal(bytesSize(1023), '1023B');
  assert.equal(bytesSize(1024), '1KiB');
  assert.equal(bytesSize(1536), '1.5KiB');
  assert.equal(bytesSize(512 * 1024 * 1024), '512MiB');
  assert.equal(bytesSize(25_200_000_000), '23.47GiB');
  assert.equal(bytesSize(4 * 1024 ** 4), '4TiB');
});

test('humanSize matches Docker units.HumanSize (decimal)', () => {
  assert.equal(humanSize(999), '999B');
  assert.equal(humanSize(1_000_000), '1MB');
  assert.equal(humanSize(123_456_789), '123.5MB');
});

test('humanDuration matches Docker units.HumanDuration', () => {
  assert.equal(humanDuration(500), 'Less than a second');
  assert.equal(humanDuration(1_000), '1 second');
  assert.equal(humanDuration(45_000), '45 seconds');
  assert.equal(humanDuration(90_000), 'About a minute');
  assert.equal(humanDuration(30 * 60_000), '30 minutes');
  assert.equal(humanDuration(3_600_000), 'About an hour');
  assert.equal(humanDuration(5 * 3_600_000), '5 hours');
  assert.equal(humanDuration(3 * 86_400_000), '3 days');
  assert.equal(humanDuration(21 * 86_400_000), '3 weeks');
  assert.equal(humanDuration(90 * 86_400_000), '3 months');
  assert.equal(humanDuration(800 * 86_400_000), '2 years');
  assert.equal(timeAgo('2020-01-01T00:00:00Z', Date.parse('2020-01-01T00:00:10Z')), '10 seconds ago');
});
