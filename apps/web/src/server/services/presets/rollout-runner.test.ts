import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RolloutResult } from '@stevedore/shared';
import { pendingResult, type RolloutItem, runRollout } from './rollout-runner';

const item = (hostId: string, name: string): RolloutItem => ({
  hostId,
  hostName: hostId,
  containerId: `${hostId}-${name}`,
  containerName: name,
  values: { Memory: 64 * 1024 * 1024 },
});

function fakeSteps(failing: Set<string>, log: string[], delays: Record<string, number> = {}) {
  return {
    snapshot: async (i: RolloutItem) => ({ Memory: 0, Name: i.containerName }) as never,
    apply: async (i: RolloutItem) => {
      log.push(i.containerId);
      await new Promise((r) => setTimeout(r, delays[i.containerId] ?? 0));
      if (failing.has(i.containerId)) throw new Error(`kernel refused ${i.containerId}`);
      return { warnings: [], after: { Memory: 64 * 1024 * 1024 } };
    },
    settled: () => {},
  };
}

test('every container gets its own result; a failure does not stop the others by default', async () => {
  const items = [item('h1', 'a'), item('h1', 'b'), item('h2', 'c')];
  const results: RolloutResult[] = items.map(pendingResult);
  const log: string[] = [];
  const { stopped } = await runRollout(items, results, {
    stopOnFailure: false,
    steps: fakeSteps(new Set(['h1-a']), log),
  });
  assert.equal(stopped, false);
  assert.deepEqual(
    results.map((r) => [r.containerName, r.status, r.error]),
    [
      ['a', 'error', 'kernel refused h1-a'],
      ['b', 'ok', null],
      ['c', 'ok', null],
    ],
  );
  assert.deepEqual(results[1]?.before, { Memory: 0, Name: 'b' });
});

test('stop at the first failure: no host starts its next container, the rest are skipped', async () => {
  // h1's first container fails at once; h2's first is still in flight (slower) and finishes, its second is skipped.
  const items = [item('h1', 'a'), item('h1', 'b'), item('h2', 'c'), item('h2', 'd')];
  const results: RolloutResult[] = items.map(pendingResult);
  const log: string[] = [];
  const steps = fakeSteps(new Set(['h1-a']), log, { 'h2-c': 50 });
  const { stopped } = await runRollout(items, results, { stopOnFailure: true, steps });
  assert.equal(stopped, true);
  assert.deepEqual(log.sort(), ['h1-a', 'h2-c']);
  assert.deepEqual(
    results.map((r) => r.status),
    ['error', 'skipped', 'ok', 'skipped'],
  );
  assert.match(results[1]?.error ?? '', /stopped at a failure/);
});
