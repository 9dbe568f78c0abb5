import type { Logger } from 'pino';
import type { PrunePolicyService } from './prune-policy-service';

/**
 * One timer for every host's prune policy. The schedule lives in the database (each policy's
 * nextRunAt), so a restart keeps it; a tick never starts while the previous one still runs, and
 * the policy service refuses two runs of one host at once.
 */
export class PruneScheduler {
  private timer: NodeJS.Timeout | null = null;
  private tick: Promise<void> | null = null;

  constructor(
    private readonly policies: Pick<PrunePolicyService, 'due' | 'runScheduled'>,
    private readonly log: Logger,
    private readonly intervalMs = 60_000,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runDue(), this.intervalMs);
    this.timer.unref();
  }

  /** Runs every policy that is due; a tick already under way is awaited instead of doubled. */
  runDue(): Promise<void> {
    if (this.tick) return this.tick;
    this.tick = this.runAll().finally(() => {
      this.tick = null;
    });
    return this.tick;
  }

  private async runAll(): Promise<void> {
    let hostIds: string[];
    try {
      hostIds = await this.policies.due(new Date());
    } catch (error) {
      this.log.warn({ err: error }, 'reading due prune policies');
      return;
    }
    for (const hostId of hostIds) {
      try {
        const run = await this.policies.runScheduled(hostId);
        if (run) this.log.info({ hostId, runId: run.id, bytesFreed: run.bytesFreed }, 'prune policy ran');
      } catch (error) {
        this.log.warn({ err: error, hostId }, 'scheduled prune run failed');
      }
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.tick;
  }
}
