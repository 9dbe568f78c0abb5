import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Semaphore } from './semaphore.js';

test('a semaphore lets at most its permits through, and the waiters in arrival order', async () => {
  const semaphore = new Semaphore(2);
  const first = semaphore.tryAcquire();
  const second = await semaphore.acquire();
  assert.ok(first && second);
  assert.equal(semaphore.tryAcquire(), null);
  const order: string[] = [];
  const third = semaphore.acquire().then((release) => {
    order.push('third');
    return release;
  });
  const fourth = semaphore.acquire().then((release) => {
    order.push('fourth');
    return release;
  });
  await Promise.resolve();
  assert.deepEqual(order, []);
  first();
  first(); // a second release of the same permit changes nothing
  const releaseThird = await third;
  assert.deepEqual(order, ['third']);
  assert.equal(semaphore.tryAcquire(), null);
  second();
  (await fourth)();
  releaseThird();
  const again = [semaphore.tryAcquire(), semaphore.tryAcquire(), semaphore.tryAcquire()];
  assert.equal(again.filter(Boolean).length, 2);
});
