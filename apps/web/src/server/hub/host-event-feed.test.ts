import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentClient } from '@stevedore/agent-api';
import type { EngineEvent } from '@stevedore/shared';
import { HostEventFeed } from './host-event-feed';

const event = (nano: bigint) => ({ timeNano: nano.toString() }) as unknown as EngineEvent;

/** A client whose event streams the test drives: each subscription's `since`, data and error. */
function fakeClient() {
  const streams: Array<{
    since: string | null;
    onData(event: EngineEvent): void;
    onError(error: unknown): void;
    unsubscribed: boolean;
  }> = [];
  const client = {
    events: {
      stream: {
        subscribe: (
          input: { since: string | null },
          handlers: { onData(event: EngineEvent): void; onError(error: unknown): void },
        ) => {
          const stream = { since: input.since, ...handlers, unsubscribed: false };
          streams.push(stream);
          return {
            unsubscribe: () => {
              stream.unsubscribed = true;
            },
          };
        },
      },
    },
  } as unknown as AgentClient;
  return { client, streams };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done` holds (timers fire late under load, never early). */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await wait(5);
  }
}

test('a stream that fails on an open connection is resumed after the last event kept, with back-off', async () => {
  const { client, streams } = fakeClient();
  const kept: string[] = [];
  const errors: unknown[] = [];
  const feed = new HostEventFeed(
    { hostId: 'h1', name: 'one' },
    client,
    { resumePoint: async () => null, accept: (_host, e) => kept.push(e.timeNano) },
    (error) => errors.push(error),
    { firstMs: 100, maxMs: 200 },
  );
  await feed.resume();
  assert.equal(streams.length, 1);
  assert.equal(streams[0]?.since, null);
  streams[0]?.onData(event(5_000_000_001n));
  streams[0]?.onError(new Error('stream broke'));
  assert.equal(errors.length, 1);
  await wait(50);
  assert.equal(streams.length, 1, 'not before the delay');
  await until(() => streams.length === 2, 'resumed after the delay');
  assert.equal(streams[1]?.since, '5.000000001', 'from the last event kept');
  streams[1]?.onData(event(5_000_000_001n)); // the resumed stream starts at that event: dropped
  streams[1]?.onData(event(6_000_000_000n));
  assert.deepEqual(kept, ['5000000001', '6000000000']);

  // Data came since the last failure: the next delay is the first one again (100 ms)...
  let failedAt = Date.now();
  streams[1]?.onError(new Error('again'));
  await until(() => streams.length === 3, 'resumed again');
  const firstDelay = Date.now() - failedAt;
  // ...and a failure right after, with no data in between, waits twice as long.
  failedAt = Date.now();
  streams[2]?.onError(new Error('and again'));
  await wait(150);
  assert.equal(streams.length, 3, `not before 200 ms (the first delay took ${firstDelay} ms)`);
  await until(() => streams.length === 4, 'resumed a third time');
  assert.ok(Date.now() - failedAt >= 200);

  // Paused (the connection closed): a failure after that schedules nothing.
  feed.pause();
  streams[3]?.onError(new Error('closed'));
  await wait(300);
  assert.equal(streams.length, 4);
  assert.equal(streams[3]?.unsubscribed, true);
});
