/** At most `permits` holders at once; the others wait in arrival order. */
export class Semaphore {
  private readonly waiting: Array<() => void> = [];

  constructor(private permits: number) {}

  /** A permit now, or null when none is free (the caller can do something else first). */
  tryAcquire(): (() => void) | null {
    if (this.permits === 0) return null;
    this.permits--;
    return this.releaser();
  }

  /** A permit, once one is free; call the returned function to give it back. */
  async acquire(): Promise<() => void> {
    const now = this.tryAcquire();
    if (now) return now;
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next)
        next(); // the permit passes straight to the next waiter
      else this.permits++;
    };
  }
}
