import type { Db } from '../../db/client';
import { releaseDelivery, renewDeliveryClaim } from '../../db/repositories/alerts';

/**
 * This process's claim of one webhook delivery: the `updatedAt` it last wrote. Every write that
 * depends on still holding it goes through `step`, one at a time, so the periodic renewal and the
 * outcome of an attempt never race each other for the row.
 */
export class DeliveryClaim {
  private chain: Promise<unknown> = Promise.resolve();
  private lost = false;
  private finished = false;

  constructor(
    private readonly db: Db,
    private readonly deliveryId: string,
    private claimedAt: Date,
  ) {}

  /** Still ours: neither lost to another process nor finished. */
  get held(): boolean {
    return !this.lost && !this.finished;
  }

  /** Runs a conditional write of the claimed row; false (and the claim lost) when it matched nothing. */
  step(write: (claimedAt: Date, now: Date) => Promise<boolean>): Promise<boolean> {
    const next = this.chain.then(async () => {
      if (!this.held) return false;
      const now = new Date(Math.max(Date.now(), this.claimedAt.getTime() + 1));
      const ok = await write(this.claimedAt, now);
      if (ok) this.claimedAt = now;
      else this.lost = true;
      return ok;
    });
    // The caller gets the failure through `next`; the chain only has to go on after it.
    this.chain = next.catch(() => undefined);
    return next;
  }

  renew(): Promise<boolean> {
    return this.step((claimedAt, now) => renewDeliveryClaim(this.db, this.deliveryId, claimedAt, now));
  }

  /** The delivery reached its end (delivered or failed): nothing more to renew. */
  finish(): void {
    this.finished = true;
  }

  /** Gives an unfinished delivery back (clean shutdown), so another process sends it without waiting. */
  async release(): Promise<void> {
    await this.step(async (claimedAt) => {
      await releaseDelivery(this.db, this.deliveryId, claimedAt);
      return true;
    });
    this.finished = true;
  }
}
