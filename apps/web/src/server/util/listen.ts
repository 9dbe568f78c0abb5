/**
 * Turns a listener registration into an async generator for a tRPC subscription: items pushed while
 * the consumer is busy are queued in order; the generator ends when `signal` aborts, and the
 * listener is removed however it ends.
 */
export async function* listen<T>(
  subscribe: (push: (item: T) => void) => () => void,
  signal: AbortSignal | undefined,
  initial: () => Promise<T[]> | T[] = () => [],
): AsyncGenerator<T> {
  const queue: T[] = [];
  let wake: (() => void) | null = null;
  const unsubscribe = subscribe((item) => {
    queue.push(item);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    // Registered before the initial items are read, so nothing falls between the two.
    yield* await initial();
    while (!signal?.aborted) {
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
