import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PullProgress } from '@stevedore/shared';
import { applyProgress, EMPTY_PULL, layersDone, overallFraction, type PullView } from './pull-state';

const run = (updates: [PullProgress, number][]): PullView =>
  updates.reduce((view, [progress, at]) => applyProgress(view, progress, at), EMPTY_PULL);

test('a layer passes through downloading and extracting to done, its bytes and rate tracked', () => {
  const view = run([
    [{ id: 'a', status: 'Pulling fs layer' }, 0],
    [{ id: 'a', status: 'Downloading', current: 0, total: 4000 }, 0],
    [{ id: 'a', status: 'Downloading', current: 1000, total: 4000 }, 1000],
    [{ id: 'a', status: 'Downloading', current: 3000, total: 4000 }, 2000],
  ]);
  const layer = view.layers[0];
  assert.equal(layer?.phase, 'downloading');
  assert.equal(layer?.current, 3000);
  // 1000 B/s, then 2000 B/s weighted in.
  assert.equal(layer?.rate, 1000 * 0.6 + 2000 * 0.4);
  assert.equal(overallFraction(view), 0.75);

  const done = run([
    [{ id: 'a', status: 'Pulling fs layer' }, 0],
    [{ id: 'a', status: 'Downloading', current: 4000, total: 4000 }, 0],
    [{ id: 'a', status: 'Extracting' }, 1],
    [{ id: 'a', status: 'Download complete' }, 2],
    [{ id: 'a', status: 'Pull complete' }, 3],
  ]);
  assert.deepEqual(done.layers[0]?.phases, ['waiting', 'downloading', 'extracting', 'done']);
  assert.equal(done.layers[0]?.rate, null);
  assert.equal(overallFraction(done), 1);
  assert.equal(layersDone(done), 1);
});

test('layers keep the order they first came in; layers already present count as done', () => {
  const view = run([
    [{ id: 'b', status: 'Already exists' }, 0],
    [{ id: 'a', status: 'Pulling fs layer' }, 0],
    [{ id: 'a', status: 'Downloading', current: 10, total: 100 }, 5],
  ]);
  assert.deepEqual(
    view.layers.map((l) => l.id),
    ['b', 'a'],
  );
  assert.equal(layersDone(view), 1);
  assert.equal(overallFraction(view), 0.1);
  assert.equal(view.updates, 3);
});

test('nothing known yet: no fraction', () => {
  assert.equal(overallFraction(EMPTY_PULL), null);
  assert.equal(overallFraction(run([[{ id: 'a', status: 'Pulling fs layer' }, 0]])), null);
});
