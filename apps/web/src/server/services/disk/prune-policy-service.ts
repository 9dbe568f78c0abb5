import type {
  AgentPruneRun,
  PruneItem,
  PrunePolicy,
  PrunePolicyConfig,
  PrunePreview,
  PruneRun,
  SavePrunePolicy,
  SessionUser,
} from '@stevedore/shared';
import type { Logger } from 'pino';
import type { Db } from '../../db/client';
import { getHost } from '../../db/repositories/hosts';
import type { AgentHub } from '../../hub/agent-hub';
import { audited } from '../audited';

/** A host without a policy: nothing runs; enabled, dangling images and stopped containers go after a week. */
const DEFAULT_POLICY = {
  enabled: false,
  danglingImagesDays: 7,
  stoppedContainersDays: 7,
  unusedVolumes: false,
  intervalHours: 24,
} as const;

type RunRow = NonNullable<Awaited<ReturnType<Db['pruneRun']['findUnique']>>>;

const toConfig = (settings: Omit<SavePrunePolicy, 'hostId'>): PrunePolicyConfig => ({
  enabled: settings.enabled,
  'dangling-images-days': settings.danglingImagesDays,
  'stopped-containers-days': settings.stoppedContainersDays,
  'unused-volumes': settings.unusedVolumes,
  'interval-hours': settings.intervalHours,
});

/** Runs the dashboard recorded before the agents ran their policies themselves. */
const legacyRun = (row: RunRow): PruneRun => ({
  id: row.id,
  hostId: row.hostId,
  trigger: row.trigger === 'schedule' ? 'schedule' : 'manual',
  startedAt: row.startedAt.toISOString(),
  finishedAt: row.finishedAt?.toISOString() ?? null,
  removed: JSON.parse(row.removed) as PruneItem[],
  bytesFreed: row.bytesFreed,
  errors: JSON.parse(row.errors) as string[],
});

/**
 * Per-host prune policies. The agent owns them: the policy is daemon.json's `prune-policy`
 * (written with `config.update`, validated by the shared schema, in effect at once), the agent's
 * scheduler runs it whether or not a dashboard is open and records every run. This service reads
 * and writes through the agent. Policies saved in this database by earlier versions (when the
 * dashboard ran them) are handed to their agent once, when it connects, and then deleted here.
 */
export class PrunePolicyService {
  private readonly stopWatching: () => void;
  private readonly moving = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly hub: AgentHub,
    private readonly log: Logger,
  ) {
    this.stopWatching = hub.onStatus((status) => {
      if (status.state === 'online') void this.moveSavedPolicy(status.hostId);
    });
  }

  async get(hostId: string): Promise<PrunePolicy> {
    await getHost(this.db, hostId);
    await this.moveSavedPolicy(hostId);
    const [{ settings }, schedule] = await this.hub.call(hostId, (client) =>
      Promise.all([client.config.get.query(), client.system.pruneSchedule.query()]),
    );
    const policy = settings['prune-policy'];
    return {
      hostId,
      enabled: policy?.enabled ?? DEFAULT_POLICY.enabled,
      danglingImagesDays: policy ? policy['dangling-images-days'] : DEFAULT_POLICY.danglingImagesDays,
      stoppedContainersDays: policy
        ? policy['stopped-containers-days']
        : DEFAULT_POLICY.stoppedContainersDays,
      unusedVolumes: policy?.['unused-volumes'] ?? DEFAULT_POLICY.unusedVolumes,
      intervalHours: policy?.['interval-hours'] ?? DEFAULT_POLICY.intervalHours,
      nextRunAt: schedule.nextRunAt,
      // Who changed it and when: the audit log (`disk.prunePolicy`); the agent's file does not say.
      updatedAt: null,
      updatedBy: null,
    };
  }

  save(actor: SessionUser, input: SavePrunePolicy): Promise<PrunePolicy> {
    const { hostId, ...settings } = input;
    return audited(this.db, actor, { action: 'disk.prunePolicy', hostId, params: settings }, async () => {
      await getHost(this.db, hostId);
      await this.moveSavedPolicy(hostId);
      await this.hub.call(hostId, (client) =>
        client.config.update.mutate({ settings: { 'prune-policy': toConfig(settings) } }),
      );
      return this.get(hostId);
    });
  }

  /** The dry run, on the agent: what `input`'s rules would remove right now, and how much that frees. */
  async preview(input: SavePrunePolicy): Promise<PrunePreview> {
    await getHost(this.db, input.hostId);
    const { danglingImagesDays, stoppedContainersDays, unusedVolumes } = input;
    return this.hub.call(input.hostId, (client) =>
      client.system.prunePreview.query({ danglingImagesDays, stoppedContainersDays, unusedVolumes }),
    );
  }

  /** Runs the saved policy now (an admin's "Run now"); the agent records the run. */
  runNow(actor: SessionUser, hostId: string): Promise<PruneRun> {
    return audited(
      this.db,
      actor,
      { action: 'disk.pruneRun', hostId, params: { trigger: 'manual' } },
      async () => {
        await getHost(this.db, hostId);
        await this.moveSavedPolicy(hostId);
        const run = await this.hub.call(hostId, (client) => client.system.pruneNow.mutate());
        return withHost(hostId, run);
      },
    );
  }

  /** The agent's record of runs, with those the dashboard recorded before it, newest first. */
  async runs(hostId: string, limit: number): Promise<PruneRun[]> {
    await getHost(this.db, hostId);
    const [agentRuns, legacy] = await Promise.all([
      this.hub.call(hostId, (client) => client.system.pruneRuns.query({ limit })),
      this.db.pruneRun.findMany({ where: { hostId }, orderBy: { startedAt: 'desc' }, take: limit }),
    ]);
    return [...agentRuns.map((run) => withHost(hostId, run)), ...legacy.map(legacyRun)]
      .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))
      .slice(0, limit);
  }

  close(): void {
    this.stopWatching();
  }

  /**
   * A policy an earlier dashboard saved for this host goes to the agent (unless the agent already
   * has one, which is newer), then leaves the database. Failures keep the row for the next try.
   */
  private moveSavedPolicy(hostId: string): Promise<void> {
    const pending = this.moving.get(hostId);
    if (pending) return pending;
    const move = this.move(hostId)
      .catch((error) => this.log.warn({ err: error, hostId }, 'moving the saved prune policy to the agent'))
      .finally(() => this.moving.delete(hostId));
    this.moving.set(hostId, move);
    return move;
  }

  private async move(hostId: string): Promise<void> {
    const row = await this.db.prunePolicy.findUnique({ where: { hostId } });
    if (!row) return;
    const moved = await this.hub.call(hostId, async (client) => {
      const { settings } = await client.config.get.query();
      if (settings['prune-policy']) return false;
      await client.config.update.mutate({ settings: { 'prune-policy': toConfig(row) } });
      return true;
    });
    await this.db.prunePolicy.delete({ where: { hostId } });
    this.log.info(
      { hostId, moved },
      moved ? 'saved prune policy moved to the agent' : 'saved prune policy dropped: the agent has its own',
    );
  }
}

const withHost = (hostId: string, run: AgentPruneRun): PruneRun => ({ ...run, hostId });
