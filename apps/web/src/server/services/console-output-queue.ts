/** Output bytes (base64 characters) a console may hold for a browser that stopped reading. */
export const CONSOLE_QUEUE_LIMIT = 2 * 1024 * 1024;

export type QueuedConsoleItem<T> = { kind: 'item'; item: T } | { kind: 'dropped'; bytes: number };

/**
 * Between an agent's push-based stream and a browser's pull: keeps items in order, and once the
 * queued output passes `limit` it drops further output (counting it) until the reader catches up,
 * then reports the gap once. Items that are not output (the session id, the exit) are never dropped.
 */
export class ConsoleOutputQueue<T> {
  private readonly items: QueuedConsoleItem<T>[] = [];
  private queuedBytes = 0;
  private droppedBytes = 0;
  private closed = false;
  private failure: unknown = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly sizeOf: (item: T) => number,
    private readonly limit = CONSOLE_QUEUE_LIMIT,
  ) {}

  push(item: T): void {
    if (this.closed) return;
    const size = this.sizeOf(item);
    if (size > 0 && this.queuedBytes + size > this.limit) {
      this.droppedBytes += size;
    } else {
      this.flushDropped();
      this.items.push({ kind: 'item', item });
      this.queuedBytes += size;
    }
    this.notify();
  }

  /** No more items; what is queued is still read. */
  close(): void {
    this.closed = true;
    this.notify();
  }

  /** Ends the reader with `error` once what is queued before it is read. */
  fail(error: unknown): void {
    this.failure = error;
    this.close();
  }

  get pendingBytes(): number {
    return this.queuedBytes;
  }

  async *drain(signal: AbortSignal | undefined): AsyncGenerator<QueuedConsoleItem<T>> {
    const onAbort = () => this.notify();
    signal?.addEventListener('abort', onAbort);
    try {
      while (!signal?.aborted) {
        const next = this.items.shift();
        if (next) {
          if (next.kind === 'item') this.queuedBytes -= this.sizeOf(next.item);
          yield next;
          continue;
        }
        if (this.droppedBytes > 0) {
          this.flushDropped();
          continue;
        }
        if (this.closed) {
          if (this.failure) throw this.failure;
          return;
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = null;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private flushDropped(): void {
    if (this.droppedBytes === 0) return;
    this.items.push({ kind: 'dropped', bytes: this.droppedBytes });
    this.droppedBytes = 0;
  }

  private notify(): void {
    this.wake?.();
  }
}
