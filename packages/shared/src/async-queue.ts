/**
 * Items a producer pushes and one consumer drains in order, as an async generator: how the agent's
 * services turn callbacks (conmon output, pull progress, process exits) into tRPC subscriptions, and
 * how the dashboard relays an agent's stream to the browser. Unbounded: for streams that are thinned
 * or short.
 */
export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | null = null;
  private closed = false;
  private failure: unknown = undefined;

  push(item: T): void {
    this.items.push(item);
    this.wake?.();
  }

  /** No more items; the consumer ends after the queued ones (rethrowing `error` if given). */
  close(error?: unknown): void {
    this.closed = true;
    this.failure = error;
    this.wake?.();
  }

  /** Items until the queue is closed or `signal` aborts (then the rest is left). */
  async *drain(signal?: AbortSignal): AsyncGenerator<T> {
    const onAbort = () => this.wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      for (;;) {
        if (this.items.length > 0) {
          yield this.items.shift() as T;
          continue;
        }
        if (this.closed) {
          if (this.failure !== undefined) throw this.failure;
          return;
        }
        if (signal?.aborted) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = null;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
