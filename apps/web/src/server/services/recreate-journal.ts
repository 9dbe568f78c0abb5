import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/client';
import { appendAudit } from '../db/repositories/audit';
import {
  abandonedRecreates,
  claimRecreate,
  deleteRecreate,
  type RecreateOwner,
  renewRecreate,
  saveRecreatePlan,
} from '../db/repositories/recreates';
import type { AgentHub } from '../hub/agent-hub';
import {
  type AgentCaller,
  type RecordPlan,
  RecreatePlanSchema,
  settleInterruptedRecreate,
} from './container-recreate';

export interface RecreateJournalTiming {
  /** How often a running recreate renews its row. */
  heartbeatMs: number;
  /** A row not renewed for this long belongs to a web server that is gone. */
  abandonedAfterMs: number;
  /** How often abandoned rows are looked for (also whenever a host comes online). */
  sweepMs: number;
}

const DEFAULT_TIMING: RecreateJournalTiming = {
  heartbeatMs: 10_000,
  abandonedAfterMs: 60_000,
  sweepMs: 60_000,
};

/**
 * Recreates written ahead to the database, so that a web server killed halfway through one (or
 * any other process on the same database) finishes the swap or undoes it once the host is online:
 * the container never stays stopped under a temporary name. The finished recreate is audited in
 * the name of the user who asked for it, with how it ended.
 */
export class RecreateJournal {
  private readonly timing: RecreateJournalTiming;
  private stopStatus: (() => void) | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly hub: AgentHub,
    private readonly log: Logger,
    timing: Partial<RecreateJournalTiming> = {},
  ) {
    this.timing = { ...DEFAULT_TIMING, ...timing };
  }

  /** Runs one recreate with its plan kept in the journal until it ends, whichever way. */
  async run<T>(owner: RecreateOwner, work: (record: RecordPlan) => Promise<T>): Promise<T> {
    const id = randomUUID();
    const heartbeat = setInterval(() => {
      renewRecreate(this.db, id).catch((error) =>
        this.log.warn({ err: error, recreate: id }, 'renewing a recreate in the journal failed'),
      );
    }, this.timing.heartbeatMs);
    heartbeat.unref();
    try {
      return await work(async (plan) => {
        await saveRecreatePlan(this.db, id, owner, plan);
      });
    } finally {
      clearInterval(heartbeat);
      await deleteRecreate(this.db, id).catch((error) =>
        // Left behind, the row is settled by a sweep: settling a finished recreate changes nothing.
        this.log.warn({ err: error, recreate: id }, 'removing a finished recreate from the journal failed'),
      );
    }
  }

  /** Settles abandoned recreates now, whenever a host comes online, and every `sweepMs`. */
  start(): void {
    this.stopStatus = this.hub.onStatus((status) => {
      if (status.state === 'online') void this.sweep(status.hostId);
    });
    this.sweepTimer = setInterval(() => void this.sweep(), this.timing.sweepMs);
    this.sweepTimer.unref();
    void this.sweep();
  }

  async close(): Promise<void> {
    this.stopStatus?.();
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.sweeping;
  }

  /** One sweep at a time; resolves when this one is done. */
  sweep(hostId?: string): Promise<void> {
    this.sweeping = this.sweeping.then(() =>
      this.settleAbandoned(hostId).catch((error) =>
        this.log.warn({ err: error, hostId }, 'looking for interrupted recreates failed'),
      ),
    );
    return this.sweeping;
  }

  private async settleAbandoned(hostId?: string): Promise<void> {
    const before = new Date(Date.now() - this.timing.abandonedAfterMs);
    for (const row of await abandonedRecreates(this.db, before, hostId)) {
      if (this.hub.status(row.hostId).state !== 'online') continue;
      if (!(await claimRecreate(this.db, row.id, before))) continue;
      const plan = RecreatePlanSchema.safeParse(parseJson(row.plan));
      if (!plan.success) {
        this.log.error(
          { recreate: row.id, plan: row.plan },
          'an interrupted recreate has an unreadable plan; dropped',
        );
        await deleteRecreate(this.db, row.id);
        continue;
      }
      try {
        const call: AgentCaller = (fn) => this.hub.call(row.hostId, fn);
        const outcome = await settleInterruptedRecreate(call, plan.data, this.log);
        await appendAudit(this.db, {
          userId: row.userId,
          username: row.username,
          action: 'container.recreate',
          hostId: row.hostId,
          target: plan.data.finalName,
          params: { container: plan.data.oldId, interrupted: true, outcome },
          result: outcome === 'completed' ? 'ok' : 'error',
          ...(outcome === 'completed'
            ? {}
            : { error: 'the web server stopped during the recreate; the old container was put back' }),
        });
        await deleteRecreate(this.db, row.id);
        this.log.warn(
          { recreate: row.id, container: plan.data.oldId, outcome },
          `an interrupted recreate of ${plan.data.oldName} was settled: ${outcome}`,
        );
      } catch (error) {
        // Claimed, so tried again once abandoned again.
        this.log.warn(
          { err: error, recreate: row.id },
          'settling an interrupted recreate failed; will try again',
        );
      }
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
