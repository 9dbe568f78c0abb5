import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AsyncQueue } from './async-queue.js';

const collect = async <T>(source: AsyncGenerator<T>) => {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
};

test('items come out in order, pushed before or while draining, until closed', async () => {
  const queue = new AsyncQueue<number>();
  queue.push(1);
  const drained = collect(queue.drain());
  setTimeout(() => {
    queue.push(2);
    queue.push(3);
    queue.close();
  }, 5);
  assert.deepEqual(await drained, [1, 2, 3]);
});

test('a close with an error ends the drain with it after the queued items', async () => {
  const queue = new AsyncQueue<string>();
  queue.push('a');
  queue.close(new Error('pull failed'));
  const seen: string[] = [];
  await assert.rejects(async () => {
    for await (const item of queue.drain()) seen.push(item);
  }, /pull failed/);
  assert.deepEqual(seen, ['a']);
});

test('an abort ends the drain without waiting for a close', async () => {
  const queue = new AsyncQueue<number>();
  const controller = new AbortController();
  const drained = collect(queue.drain(controller.signal));
  setTimeout(() => controller.abort(), 5);
  assert.deepEqual(await drained, []);
});
