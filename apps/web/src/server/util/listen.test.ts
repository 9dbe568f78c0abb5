import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listen } from './listen.js';

/** A source that pushes items to whoever subscribed, as the hub and the event service do. */
function source<T>() {
  const listeners = new Set<(item: T) => void>();
  return {
    subscribe: (push: (item: T) => void) => {
      listeners.add(push);
      return () => listeners.delete(push);
    },
    push: (item: T) => {
      for (const listener of listeners) listener(item);
    },
    get listeners() {
      return listeners.size;
    },
  };
}

test('items arrive in order after the initial ones; aborting ends the generator and unsubscribes', async () => {
  const events = source<number>();
  const abort = new AbortController();
  const stream = listen(events.subscribe, abort.signal, () => [0]);
  assert.deepEqual(await stream.next(), { value: 0, done: false });
  events.push(1);
  events.push(2);
  assert.equal((await stream.next()).value, 1);
  assert.equal((await stream.next()).value, 2);
  const pending = stream.next();
  abort.abort();
  assert.equal((await pending).done, true);
  assert.equal(events.listeners, 0);
});

test('a consumer that stops reading holds at most maxQueued items, then gets an error saying so', async () => {
  const events = source<string>();
  const stream = listen(events.subscribe, undefined, () => [], 100);
  const first = stream.next(); // subscribed, waiting
  events.push('a');
  assert.equal((await first).value, 'a');
  // The consumer stops reading while 1 000 000 items are pushed.
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 1_000_000; i++) events.push(`item ${i} ${'x'.repeat(100)}`);
  const grown = process.memoryUsage().heapUsed - before;
  assert.ok(grown < 50 * 1024 * 1024, `heap grew ${Math.round(grown / 1024 / 1024)} MiB`);
  await assert.rejects(stream.next(), /fell more than 100 updates behind.*reload the page/);
  assert.equal(events.listeners, 0, 'the listener is removed');
});
