import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsoleOutputQueue, type QueuedConsoleItem } from './console-output-queue.js';

type Item = { type: 'output'; data: string } | { type: 'exit' };
const sizeOf = (item: Item) => (item.type === 'output' ? item.data.length : 0);

async function readAll(queue: ConsoleOutputQueue<Item>): Promise<QueuedConsoleItem<Item>[]> {
  const read: QueuedConsoleItem<Item>[] = [];
  for await (const item of queue.drain(undefined)) read.push(item);
  return read;
}

test('output past the limit is dropped and reported once as a gap; control items always pass', async () => {
  const queue = new ConsoleOutputQueue<Item>(sizeOf, 10);
  queue.push({ type: 'output', data: 'aaaaaa' });
  queue.push({ type: 'output', data: 'bbbbbb' }); // 12 > 10: dropped
  queue.push({ type: 'output', data: 'cccccc' }); // dropped too
  assert.equal(queue.pendingBytes, 6, 'the queue holds no more than its limit');
  queue.push({ type: 'exit' });
  queue.close();
  assert.deepEqual(await readAll(queue), [
    { kind: 'item', item: { type: 'output', data: 'aaaaaa' } },
    { kind: 'dropped', bytes: 12 },
    { kind: 'item', item: { type: 'exit' } },
  ]);
});

test('a reader that catches up gets what comes after the gap, in order', async () => {
  const queue = new ConsoleOutputQueue<Item>(sizeOf, 4);
  const reader = queue.drain(undefined);
  queue.push({ type: 'output', data: 'abcd' });
  queue.push({ type: 'output', data: 'efgh' }); // dropped: the reader has not read yet
  assert.deepEqual((await reader.next()).value, { kind: 'item', item: { type: 'output', data: 'abcd' } });
  assert.deepEqual((await reader.next()).value, { kind: 'dropped', bytes: 4 });
  queue.push({ type: 'output', data: 'ijkl' });
  assert.deepEqual((await reader.next()).value, { kind: 'item', item: { type: 'output', data: 'ijkl' } });
  queue.fail(new Error('agent went away'));
  await assert.rejects(reader.next(), /agent went away/);
});

test('an aborted reader stops waiting', async () => {
  const queue = new ConsoleOutputQueue<Item>(sizeOf);
  const controller = new AbortController();
  const reading = (async () => {
    for await (const _ of queue.drain(controller.signal)) {
      // nothing arrives
    }
  })();
  controller.abort();
  await reading;
});
