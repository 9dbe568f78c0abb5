import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fairShare, leasePlan } from './fair-share';

test('the share rounds up so every host fits', () => {
  assert.equal(fairShare(50, 2), 25);
  assert.equal(fairShare(51, 2), 26);
  assert.equal(fairShare(3, 4), 1);
  assert.equal(fairShare(0, 3), 0);
  assert.equal(fairShare(10, 0), 10, 'no live process counted (yet): this one takes all');
});

test('a process gives up its surplus when another one joins, and takes up to its share', () => {
  assert.deepEqual(leasePlan(50, 50, 2), { release: 25, take: 0 });
  assert.deepEqual(leasePlan(0, 50, 2), { release: 0, take: 25 });
  assert.deepEqual(leasePlan(25, 50, 1), { release: 0, take: 25 }, 'the other died: take its hosts');
  assert.deepEqual(leasePlan(25, 50, 2), { release: 0, take: 0 });
});
