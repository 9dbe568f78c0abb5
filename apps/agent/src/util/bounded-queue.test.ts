import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedQueue } from './bounded-queue.js';

function queueWithPauses() {
  const calls: string[] = [];
  const queue = new BoundedQueue<string>({
    highWaterMark: 10,
    sizeOf: (item) => item.length,
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
  });
  return { queue, calls };
}

test('the producer is paused at the mark and resumed once the consumer has taken half', async () => {
  const { queue, calls } = queueWithPauses();
  queue.push('aaaa');
  queue.push('bbbb');
  assert.deepEqual(calls, []);
  queue.push('cccc');
  assert.deepEqual(calls, ['pause']);
  queue.close();
  const seen: string[] = [];
  for await (const item of queue.drain()) {
    seen.push(item);
    if (seen.length === 1) assert.deepEqual(calls, ['pause'], '8 bytes left: still above half');
  }
  assert.deepEqual(seen, ['aaaa', 'bbbb', 'cccc']);
  assert.deepEqual(calls, ['pause', 'resume']);
});

test('a consumer that leaves lets the producer run and drops what comes', async () => {
  const { queue, calls } = queueWithPauses();
  for (const item of ['aaaaa', 'bbbbb', 'ccccc']) queue.push(item);
  const abort = new AbortController();
  for await (const item of queue.drain(abort.signal)) {
    assert.equal(item, 'aaaaa');
    abort.abort();
    break;
  }
  assert.deepEqual(calls, ['pause', 'resume']);
  queue.push('ddddddddddddddd');
  assert.deepEqual(calls, ['pause', 'resume'], 'no pause once discarding');
});
