import {
  type DataRootInfo,
  type MigrationJob,
  type MigrationProgress,
  type SessionUser,
  type StartMigration,
  StevedoreError,
} from '@stevedore/shared';
import type { Logger } from 'pino';
import type { Db } from '../../db/client';
import { getHost } from '../../db/repositories/hosts';
import type { AgentHub } from '../../hub/agent-hub';
import { audited } from '../audited';

export interface MigrationTiming {
  /** How often the agent is asked how the migration ended, once it stopped reporting. */
  pollMs: number;
  /** How long the agent may take to come back on its new root (or after a crash). */
  settleTimeoutMs: number;
}

const DEFAULT_TIMING: MigrationTiming = { pollMs: 500, settleTimeoutMs: 180_000 };
const TOO_LATE_TO_CANCEL = new Set<MigrationJob['phase']>(['switching', 'restarting']);

interface Job {
  state: MigrationJob;
  unsubscribe: (() => void) | null;
  cancelRequested: boolean;
  settling: boolean;
}

const active = (job: Job | undefined) =>
  job !== undefined && (job.state.status === 'running' || job.state.status === 'reconnecting');

/**
 * Data-root migrations started from the dashboard. The web server holds the agent's
 * `system.migrateDataRoot` subscription, so a browser that reloads or leaves neither cancels nor
 * loses it; the page polls `get`. When the agent stops reporting — it restarts on the new root,
 * was cancelled, or the connection broke (which ends the migration on the agent, rolled back) —
 * the job asks the agent until it answers with no migration running, and reads the ending from
 * its data-root.
 */
export class MigrationJobs {
  private readonly jobs = new Map<string, Job>();
  private readonly timing: MigrationTiming;
  private readonly stopWatching: () => void;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly hub: AgentHub,
    private readonly log: Logger,
    timing: Partial<MigrationTiming> = {},
  ) {
    this.timing = { ...DEFAULT_TIMING, ...timing };
    this.stopWatching = hub.onStatus((status) => {
      const job = this.jobs.get(status.hostId);
      if (job?.state.status !== 'running') return;
      if (status.state === 'offline' || status.state === 'connecting') {
        // A reconnecting client would resend the subscription: a second migration must not start.
        this.detach(job);
        this.update(job, {
          status: 'reconnecting',
          message: 'the connection to the agent was lost; waiting for it',
        });
        void this.settle(job);
      }
    });
  }

  get(hostId: string): MigrationJob | null {
    return this.jobs.get(hostId)?.state ?? null;
  }

  start(actor: SessionUser, input: StartMigration): Promise<MigrationJob> {
    const { hostId, target, stopContainers } = input;
    return audited(
      this.db,
      actor,
      { action: 'disk.migrateDataRoot', hostId, target, params: { target, stopContainers } },
      async () => {
        await getHost(this.db, hostId);
        if (active(this.jobs.get(hostId))) {
          throw new StevedoreError('CONFLICT', 'a data-root migration is already under way on this host', {
            hostId,
          });
        }
        const info = await this.hub.call(hostId, (client) => client.system.dataRoot.query());
        if (info.migration.running) {
          throw new StevedoreError('CONFLICT', 'the agent is already migrating its data-root', { hostId });
        }
        const job: Job = {
          state: {
            hostId,
            target,
            source: info.path,
            stopContainers,
            startedBy: actor.username,
            startedAt: new Date().toISOString(),
            status: 'running',
            phase: 'checking',
            phasesSeen: ['checking'],
            message: `checking ${target}`,
            bytes: null,
            totalBytes: null,
            files: null,
            error: null,
            endedAt: null,
          },
          unsubscribe: null,
          cancelRequested: false,
          settling: false,
        };
        this.jobs.set(hostId, job);
        await this.hub.call(hostId, async (client) => {
          const subscription = client.system.migrateDataRoot.subscribe(
            { target, stopContainers },
            {
              onData: (progress) => this.progress(job, progress),
              onError: (error) => {
                this.detach(job);
                if (job.state.status !== 'running') return;
                // The agent has rolled back before it answered with the error.
                this.finish(job, 'failed', error.message);
              },
              onComplete: () => {
                this.detach(job);
                if (job.state.status !== 'running') return;
                this.update(job, { status: 'reconnecting', message: `the agent restarts on ${target}` });
                void this.settle(job);
              },
            },
          );
          job.unsubscribe = () => subscription.unsubscribe();
        });
        return job.state;
      },
    );
  }

  /** Stops the copy: the agent kills rsync, removes the copy and stays on the old root. */
  cancel(actor: SessionUser, hostId: string): Promise<MigrationJob> {
    return audited(this.db, actor, { action: 'disk.cancelMigration', hostId }, async () => {
      const job = this.jobs.get(hostId);
      if (job?.state.status !== 'running') {
        throw new StevedoreError('FAILED_PRECONDITION', 'no data-root migration is running on this host', {
          hostId,
        });
      }
      if (TOO_LATE_TO_CANCEL.has(job.state.phase)) {
        throw new StevedoreError(
          'FAILED_PRECONDITION',
          'the copy is verified and the agent is switching to it: too late to cancel',
          { hostId },
        );
      }
      job.cancelRequested = true;
      // Ending the subscription aborts the agent's migration, which rolls back.
      this.detach(job);
      this.update(job, { status: 'reconnecting', message: 'cancelling: the agent removes the copy' });
      void this.settle(job);
      return job.state;
    });
  }

  /** Resolves once the job has ended (tests). */
  async ended(hostId: string): Promise<MigrationJob> {
    for (;;) {
      const job = this.jobs.get(hostId);
      if (!job) throw new Error(`no migration job for ${hostId}`);
      if (!active(job)) return job.state;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  close(): void {
    this.closed = true;
    this.stopWatching();
    for (const job of this.jobs.values()) this.detach(job);
  }

  private progress(job: Job, progress: MigrationProgress): void {
    const seen = job.state.phasesSeen.includes(progress.phase)
      ? job.state.phasesSeen
      : [...job.state.phasesSeen, progress.phase];
    this.update(job, {
      phase: progress.phase,
      phasesSeen: seen,
      message: progress.message,
      bytes: progress.bytes ?? job.state.bytes,
      totalBytes: progress.totalBytes ?? job.state.totalBytes,
      files: progress.files ?? job.state.files,
    });
  }

  private detach(job: Job): void {
    const unsubscribe = job.unsubscribe;
    job.unsubscribe = null;
    unsubscribe?.();
  }

  /** Asks the agent until it answers with no migration running, then reads how it ended. */
  private async settle(job: Job): Promise<void> {
    if (job.settling) return;
    job.settling = true;
    const deadline = Date.now() + this.timing.settleTimeoutMs;
    const { hostId, target, startedAt } = job.state;
    while (!this.closed && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, this.timing.pollMs));
      let info: DataRootInfo;
      try {
        info = await this.hub.call(hostId, (client) => client.system.dataRoot.query());
      } catch (error) {
        this.log.debug({ err: error, hostId }, 'the agent does not answer yet after the migration');
        continue;
      }
      if (info.migration.running) continue;
      if (info.path === target) {
        this.finish(
          job,
          'finished',
          null,
          `the agent runs on ${target}; the old root ${job.state.source} is kept`,
        );
        return;
      }
      const last = info.migration.last;
      const recorded =
        last !== null && last.target === target && Date.parse(last.at) >= Date.parse(startedAt) - 1000;
      // After "restarting" the old agent answers until it has reloaded: wait for the new one.
      if (!recorded && job.state.phase === 'restarting') continue;
      if (job.cancelRequested || last?.outcome === 'cancelled') {
        this.finish(job, 'cancelled', null, recorded ? last.message : 'cancelled; the old root stays in use');
      } else {
        this.finish(
          job,
          'failed',
          recorded ? last.message : 'the migration ended without finishing; the old root stays in use',
        );
      }
      return;
    }
    if (!this.closed) {
      this.finish(
        job,
        'failed',
        `the agent did not say how the migration ended within ${this.timing.settleTimeoutMs / 1000} s`,
      );
    }
  }

  private finish(
    job: Job,
    status: 'finished' | 'cancelled' | 'failed',
    error: string | null,
    message?: string,
  ) {
    this.update(job, {
      status,
      error,
      message: message ?? error ?? job.state.message,
      endedAt: new Date().toISOString(),
    });
    this.log.info(
      { hostId: job.state.hostId, target: job.state.target, status, error },
      'data-root migration ended',
    );
  }

  private update(job: Job, changes: Partial<MigrationJob>): void {
    job.state = { ...job.state, ...changes };
  }
}
