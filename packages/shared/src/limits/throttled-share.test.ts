import assert from 'node:assert/strict';
import { test } from 'node:test';
import { throttledShare, windowThrottledShare } from './throttled-share.js';

test('per sample: throttled over recorded periods; the fallback period where none were recorded', () => {
  assert.equal(throttledShare(5, 20), 0.25);
  assert.equal(throttledShare(5, 0), 0.5, '10 periods a second assumed');
  assert.equal(throttledShare(5, null, 50), 0.1);
  assert.equal(throttledShare(null, 20), null);
  assert.equal(throttledShare(30, 20), 1, 'capped');
});

test('over a window: sums over sums, gaps left out', () => {
  assert.equal(windowThrottledShare([10, 0, null], [20, 20, 20]), 0.25);
  assert.equal(windowThrottledShare([5, 5], undefined), 0.5);
  assert.equal(windowThrottledShare([], []), 0);
});
