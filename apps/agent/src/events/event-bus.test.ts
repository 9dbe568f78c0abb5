import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from './event-bus.js';

test('a subscriber too far behind is ended with an error that says so, not buffered without bound', async () => {
  const bus = new EventBus();
  const abort = new AbortController();
  const events = bus.subscribe(abort.signal, 3);
  const first = events.next();
  bus.publish('container', 'start', 'a');
  assert.equal((await first).value?.Action, 'start');
  for (let i = 0; i < 5; i++) bus.publish('container', 'die', 'a');
  const seen: string[] = [];
  await assert.rejects(async () => {
    for await (const event of events) seen.push(event.Action);
  }, /fell more than 3 events behind/);
  assert.deepEqual(seen, ['die', 'die', 'die']);
});

test('a subscriber that keeps up gets every event', async () => {
  const bus = new EventBus();
  const abort = new AbortController();
  const events = bus.subscribe(abort.signal, 2);
  const got: string[] = [];
  const reading = (async () => {
    for await (const event of events) {
      got.push(event.Actor.ID);
      if (got.length === 10) abort.abort();
    }
  })();
  for (let i = 0; i < 10; i++) {
    bus.publish('container', 'start', String(i));
    await new Promise((resolve) => setImmediate(resolve));
  }
  await reading;
  assert.deepEqual(got, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
});
