import type {
  MigrationJob,
  MigrationOutcome,
  MigrationState,
  MigrationStatus,
  SessionUser,
  StartMigration,
} from '@stevedore/shared';
import type { Logger } from 'pino';
import type { Db } from '../../db/client';
import { getHost } from '../../db/repositories/hosts';
import type { AgentHub } from '../../hub/agent-hub';
import { audited } from '../audited';

export interface MigrationTiming {
  /** How often `ended` asks the agent (tests). */
  pollMs: number;
}

const DEFAULT_TIMING: MigrationTiming = { pollMs: 500 };

const isActive = (job: MigrationJob | null) =>
  job !== null && (job.status === 'running' || job.status === 'reconnecting');

/**
 * Data-root migrations as the dashboard shows them. The agent runs a migration on its own
 * (`system.startMigration`) and keeps its state and the last outcome (`system.migration`, which
 * includes what its next start decided after a crash): this service only asks, so any web process,
 * before or after a restart, shows the same live progress and the same ending. What it remembers is
 * the last running state it saw per host, to say "reconnecting" while the agent restarts on its
 * new root or after a crash, when there is nobody to ask.
 */
export class MigrationJobs {
  private readonly lastSeen = new Map<string, MigrationJob>();
  private readonly timing: MigrationTiming;

  constructor(
    private readonly db: Db,
    private readonly hub: AgentHub,
    private readonly log: Logger,
    timing: Partial<MigrationTiming> = {},
  ) {
    this.timing = { ...DEFAULT_TIMING, ...timing };
  }

  /** The host's migration: the one running, else how the last one ended (null: never migrated). */
  async get(hostId: string): Promise<MigrationJob | null> {
    await getHost(this.db, hostId);
    let status: MigrationStatus;
    try {
      status = await this.hub.call(hostId, (client) => client.system.migration.query());
    } catch (error) {
      const seen = this.lastSeen.get(hostId);
      if (!seen || !isActive(seen)) throw error;
      this.log.debug({ err: error, hostId }, 'the agent does not answer during its migration');
      return {
        ...seen,
        status: 'reconnecting',
        message:
          seen.phase === 'restarting'
            ? `the agent restarts on ${seen.target}`
            : 'the agent does not answer (restarting or crashed); its next start finishes or rolls back the migration',
      };
    }
    const job = toJob(hostId, status, this.lastSeen.get(hostId) ?? null);
    if (job && isActive(job)) this.lastSeen.set(hostId, job);
    else this.lastSeen.delete(hostId);
    return job;
  }

  start(actor: SessionUser, input: StartMigration): Promise<MigrationJob> {
    const { hostId, target, stopContainers } = input;
    return audited(
      this.db,
      actor,
      { action: 'disk.migrateDataRoot', hostId, target, params: { target, stopContainers } },
      async () => {
        await getHost(this.db, hostId);
        const state = await this.hub.call(hostId, (client) =>
          client.system.startMigration.mutate({ target, stopContainers, startedBy: actor.username }),
        );
        const job = runningJob(hostId, state);
        this.lastSeen.set(hostId, job);
        return job;
      },
    );
  }

  /** Stops the copy: the agent kills rsync, removes the copy and stays on the old root. */
  cancel(actor: SessionUser, hostId: string): Promise<MigrationJob> {
    return audited(this.db, actor, { action: 'disk.cancelMigration', hostId }, async () => {
      await getHost(this.db, hostId);
      const state = await this.hub.call(hostId, (client) => client.system.cancelMigration.mutate());
      return runningJob(hostId, state);
    });
  }

  /** Resolves once the host's migration has ended, as a dashboard would show it then (tests). */
  async ended(hostId: string, timeoutMs = 180_000): Promise<MigrationJob> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.get(hostId).catch((error: unknown) => {
        this.log.debug({ err: error, hostId }, 'waiting for the migration to end');
        return undefined;
      });
      if (job && !isActive(job)) return job;
      if (job === null) throw new Error(`no migration on ${hostId}`);
      if (Date.now() > deadline) throw new Error(`the migration on ${hostId} did not end in time`);
      await new Promise((resolve) => setTimeout(resolve, this.timing.pollMs));
    }
  }

  close(): void {
    this.lastSeen.clear();
  }
}

function toJob(hostId: string, status: MigrationStatus, seen: MigrationJob | null): MigrationJob | null {
  if (status.running) return runningJob(hostId, status.running);
  const last = status.last;
  // A run seen under way whose ending is not recorded yet. Both times are the agent's clock.
  const recorded =
    last !== null &&
    (last.startedAt === seen?.startedAt || Date.parse(last.at) >= Date.parse(seen?.startedAt ?? ''));
  if (seen && !recorded) {
    return {
      ...seen,
      status: 'reconnecting',
      message: 'waiting for the agent to say how the migration ended',
    };
  }
  return last ? endedJob(hostId, last) : null;
}

function runningJob(hostId: string, state: MigrationState): MigrationJob {
  const restarting = state.phase === 'restarting';
  return {
    hostId,
    source: state.source,
    target: state.target,
    stopContainers: state.stopContainers,
    startedBy: state.startedBy,
    startedAt: state.startedAt,
    status: restarting || state.status === 'cancelling' ? 'reconnecting' : 'running',
    phase: state.phase,
    phasesSeen: state.phasesSeen,
    message: state.message,
    bytes: state.bytes,
    totalBytes: state.totalBytes,
    files: state.files,
    error: null,
    endedAt: null,
  };
}

function endedJob(hostId: string, last: MigrationOutcome): MigrationJob {
  const phasesSeen = last.phasesSeen ?? [];
  const failed = last.outcome === 'failed';
  return {
    hostId,
    source: last.source,
    target: last.target,
    stopContainers: last.stopContainers ?? false,
    startedBy: last.startedBy ?? null,
    startedAt: last.startedAt ?? last.at,
    status: last.outcome,
    phase: phasesSeen.at(-1) ?? 'copying',
    phasesSeen,
    message: last.message,
    bytes: last.bytes ?? null,
    totalBytes: last.totalBytes ?? null,
    files: last.files ?? null,
    error: failed ? last.message : null,
    endedAt: last.at,
  };
}
