import { AsyncQueue } from '@stevedore/shared';

export interface BoundedQueueOptions<T> {
  /** Bytes (as `sizeOf` counts them) the queue may hold before the producer is paused. */
  highWaterMark: number;
  sizeOf(item: T): number;
  /** Stop producing (pause the pipe); `resume` is called once the queue has drained to half. */
  pause(): void;
  resume(): void;
}

/**
 * An AsyncQueue whose producer is paused when the consumer falls behind: the queue holds at most
 * about `highWaterMark` bytes plus what one read of the producer brings. Once the consumer has
 * left (`discard`), items are dropped and the producer runs free, so a process whose caller went
 * away is never blocked on a full pipe.
 */
export class BoundedQueue<T> {
  private readonly queue = new AsyncQueue<T>();
  private held = 0;
  private paused = false;
  private discarding = false;

  constructor(private readonly options: BoundedQueueOptions<T>) {}

  push(item: T): void {
    if (this.discarding) return;
    this.held += this.options.sizeOf(item);
    this.queue.push(item);
    if (!this.paused && this.held >= this.options.highWaterMark) {
      this.paused = true;
      this.options.pause();
    }
  }

  close(error?: unknown): void {
    this.queue.close(error);
  }

  /** The consumer has gone: drop what is queued and whatever comes, and let the producer run. */
  discard(): void {
    this.discarding = true;
    this.held = 0;
    this.resumeIfPaused();
  }

  async *drain(signal?: AbortSignal): AsyncGenerator<T> {
    try {
      for await (const item of this.queue.drain(signal)) {
        this.held -= this.options.sizeOf(item);
        if (this.held <= this.options.highWaterMark / 2) this.resumeIfPaused();
        yield item;
      }
    } finally {
      // Ended, aborted or left early: nobody reads from here on.
      this.discard();
    }
  }

  private resumeIfPaused(): void {
    if (!this.paused) return;
    this.paused = false;
    this.options.resume();
  }
}
