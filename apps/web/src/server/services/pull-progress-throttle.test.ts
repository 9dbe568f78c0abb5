import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PullProgress } from '@stevedore/shared';
import { PullProgressThrottle } from './pull-progress-throttle';

const downloading = (id: string, current: number): PullProgress => ({
  id,
  status: 'Downloading',
  current,
  total: 1000,
});

test('byte counts of one layer go out at most once per interval; status changes at once', () => {
  let clock = 0;
  const sent: PullProgress[] = [];
  const throttle = new PullProgressThrottle<PullProgress>(
    (p) => sent.push(p),
    125,
    () => clock,
  );
  throttle.accept({ id: 'a', status: 'Pulling fs layer' });
  throttle.accept(downloading('a', 10));
  clock = 50;
  throttle.accept(downloading('a', 20));
  throttle.accept(downloading('a', 30));
  assert.deepEqual(
    sent.map((p) => p.current ?? p.status),
    ['Pulling fs layer', 10],
  );
  clock = 130;
  throttle.accept(downloading('a', 40));
  assert.deepEqual(
    sent.map((p) => p.current ?? p.status),
    ['Pulling fs layer', 10, 40],
  );
  clock = 140;
  throttle.accept({ id: 'a', status: 'Pull complete' });
  assert.equal(sent.at(-1)?.status, 'Pull complete');
  throttle.close();
});

test('layers are throttled apart; flush sends what was held back', () => {
  let clock = 0;
  const sent: PullProgress[] = [];
  const throttle = new PullProgressThrottle<PullProgress>(
    (p) => sent.push(p),
    125,
    () => clock,
  );
  throttle.accept(downloading('a', 1));
  throttle.accept(downloading('b', 1));
  clock = 10;
  throttle.accept(downloading('a', 2));
  throttle.accept(downloading('b', 2));
  assert.equal(sent.length, 2);
  throttle.flush();
  assert.deepEqual(
    sent.map((p) => `${p.id}${p.current}`),
    ['a1', 'b1', 'a2', 'b2'],
  );
  throttle.close();
});

test('the newest held-back count goes out when its interval is up', async () => {
  const sent: PullProgress[] = [];
  const throttle = new PullProgressThrottle<PullProgress>((p) => sent.push(p), 20);
  throttle.accept(downloading('a', 1));
  throttle.accept(downloading('a', 2));
  throttle.accept(downloading('a', 3));
  assert.equal(sent.length, 1);
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(
    sent.map((p) => p.current),
    [1, 3],
  );
  throttle.close();
});

test('nothing goes out after close', async () => {
  const sent: PullProgress[] = [];
  const throttle = new PullProgressThrottle<PullProgress>((p) => sent.push(p), 20);
  throttle.accept(downloading('a', 1));
  throttle.accept(downloading('a', 2));
  throttle.close();
  throttle.accept(downloading('b', 1));
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(sent.length, 1);
});
