import { StevedoreError } from '@stevedore/shared';

/** Items one subscriber may fall behind by before its subscription is ended. */
export const MAX_QUEUED_ITEMS = 10_000;

/**
 * Turns a listener registration into an async generator for a tRPC subscription: items pushed while
 * the consumer is busy are queued in order; the generator ends when `signal` aborts, and the
 * listener is removed however it ends. A consumer that falls more than `maxQueued` items behind (a
 * browser that stopped reading) gets an error saying so instead of an ever-growing queue; the
 * queued items are dropped at once, and a new subscription starts afresh (with `initial`).
 */
export async function* listen<T>(
  subscribe: (push: (item: T) => void) => () => void,
  signal: AbortSignal | undefined,
  initial: () => Promise<T[]> | T[] = () => [],
  maxQueued = MAX_QUEUED_ITEMS,
): AsyncGenerator<T> {
  let queue: T[] = [];
  let overflowed = false;
  let wake: (() => void) | null = null;
  const unsubscribe = subscribe((item) => {
    if (overflowed) return;
    if (queue.length >= maxQueued) {
      overflowed = true;
      queue = [];
    } else {
      queue.push(item);
    }
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    // Registered before the initial items are read, so nothing falls between the two.
    yield* await initial();
    while (!signal?.aborted) {
      if (overflowed) {
        throw new StevedoreError(
          'UNAVAILABLE',
          `this live view fell more than ${maxQueued} updates behind and was stopped; reload the page`,
        );
      }
      const next = queue.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener('abort', onAbort);
  }
}
