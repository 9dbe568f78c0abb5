import {
  type PruneItem,
  type PrunePolicy,
  type PrunePreview,
  type PruneRun,
  type SavePrunePolicy,
  type SessionUser,
  StevedoreError,
} from '@stevedore/shared';
import type { Logger } from 'pino';
import type { Db } from '../../db/client';
import { getHost } from '../../db/repositories/hosts';
import type { AgentClient, AgentHub } from '../../hub/agent-hub';
import { audited } from '../audited';
import { type PruneInventory, pruneCandidates } from './prune-candidates';

const HOUR_MS = 60 * 60 * 1000;
/** A host without a saved policy: nothing runs; enabled, dangling images and stopped containers go after a week. */
const DEFAULT_POLICY = {
  enabled: false,
  danglingImagesDays: 7,
  stoppedContainersDays: 7,
  unusedVolumes: false,
  intervalHours: 24,
} as const;

type PolicyRow = NonNullable<Awaited<ReturnType<Db['prunePolicy']['findUnique']>>>;
type RunRow = NonNullable<Awaited<ReturnType<Db['pruneRun']['findUnique']>>>;

const toPolicy = (hostId: string, row: PolicyRow | null): PrunePolicy => ({
  hostId,
  enabled: row?.enabled ?? DEFAULT_POLICY.enabled,
  danglingImagesDays: row ? row.danglingImagesDays : DEFAULT_POLICY.danglingImagesDays,
  stoppedContainersDays: row ? row.stoppedContainersDays : DEFAULT_POLICY.stoppedContainersDays,
  unusedVolumes: row?.unusedVolumes ?? DEFAULT_POLICY.unusedVolumes,
  intervalHours: row?.intervalHours ?? DEFAULT_POLICY.intervalHours,
  nextRunAt: row?.nextRunAt?.toISOString() ?? null,
  updatedAt: row?.updatedAt.toISOString() ?? null,
  updatedBy: row?.updatedBy ?? null,
});

const toRun = (row: RunRow): PruneRun => ({
  id: row.id,
  hostId: row.hostId,
  trigger: row.trigger === 'schedule' ? 'schedule' : 'manual',
  startedAt: row.startedAt.toISOString(),
  finishedAt: row.finishedAt?.toISOString() ?? null,
  removed: JSON.parse(row.removed) as PruneItem[],
  bytesFreed: row.bytesFreed,
  errors: JSON.parse(row.errors) as string[],
});

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Per-host prune policies (stored here, not on the host: the dashboard runs them), their dry run
 * and their runs, each recorded with what went, what it freed and what failed.
 */
export class PrunePolicyService {
  /** Hosts with a run under way: a run never overlaps another of the same host. */
  private readonly running = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly hub: AgentHub,
    private readonly log: Logger,
  ) {}

  async get(hostId: string): Promise<PrunePolicy> {
    await getHost(this.db, hostId);
    return toPolicy(hostId, await this.db.prunePolicy.findUnique({ where: { hostId } }));
  }

  save(actor: SessionUser, input: SavePrunePolicy): Promise<PrunePolicy> {
    const { hostId, ...settings } = input;
    return audited(this.db, actor, { action: 'disk.prunePolicy', hostId, params: settings }, async () => {
      await getHost(this.db, hostId);
      const nextRunAt = settings.enabled ? new Date(Date.now() + settings.intervalHours * HOUR_MS) : null;
      const row = await this.db.prunePolicy.upsert({
        where: { hostId },
        create: { hostId, ...settings, nextRunAt, updatedBy: actor.username },
        update: { ...settings, nextRunAt, updatedBy: actor.username },
      });
      return toPolicy(hostId, row);
    });
  }

  /** The dry run: what `input`'s rules would remove right now, and how much that frees. */
  async preview(input: SavePrunePolicy): Promise<PrunePreview> {
    await getHost(this.db, input.hostId);
    const items = await this.hub.call(input.hostId, async (client) =>
      pruneCandidates(input, await inventory(client), Date.now()),
    );
    return { items, bytes: items.reduce((sum, item) => sum + item.bytes, 0) };
  }

  /** Runs the saved policy now (an admin's "Run now"). */
  runNow(actor: SessionUser, hostId: string): Promise<PruneRun> {
    return audited(
      this.db,
      actor,
      { action: 'disk.pruneRun', hostId, params: { trigger: 'manual' } },
      async () => {
        await getHost(this.db, hostId);
        return this.run(hostId, 'manual');
      },
    );
  }

  async runs(hostId: string, limit: number): Promise<PruneRun[]> {
    await getHost(this.db, hostId);
    const rows = await this.db.pruneRun.findMany({
      where: { hostId },
      orderBy: { startedAt: 'desc' },
      take: limit,
    });
    return rows.map(toRun);
  }

  /** Hosts whose enabled policy is due, for the scheduler. */
  async due(now: Date): Promise<string[]> {
    const rows = await this.db.prunePolicy.findMany({
      where: { enabled: true, nextRunAt: { lte: now } },
      select: { hostId: true },
    });
    return rows.map((row) => row.hostId);
  }

  /** A scheduled run: the next one is booked first, so a failing host is not retried at every tick. */
  async runScheduled(hostId: string): Promise<PruneRun | null> {
    const policy = await this.db.prunePolicy.findUnique({ where: { hostId } });
    if (!policy?.enabled) return null;
    await this.db.prunePolicy.update({
      where: { hostId },
      data: { nextRunAt: new Date(Date.now() + policy.intervalHours * HOUR_MS) },
    });
    const run = await this.run(hostId, 'schedule');
    // The scheduler acts for nobody in particular: the audit log says "system", with the run's figures.
    await audited(
      this.db,
      null,
      {
        action: 'disk.pruneRun',
        hostId,
        params: {
          trigger: 'schedule',
          runId: run.id,
          removed: run.removed.length,
          bytesFreed: run.bytesFreed,
        },
      },
      async () => {
        if (run.errors.length > 0) throw new Error(run.errors.join('; '));
      },
    ).catch((error) =>
      this.log.warn({ err: error, hostId, runId: run.id }, 'scheduled prune run had errors'),
    );
    return run;
  }

  /** Removes what the saved policy selects, one item at a time, recording each outcome. */
  private async run(hostId: string, trigger: 'schedule' | 'manual'): Promise<PruneRun> {
    if (this.running.has(hostId)) {
      throw new StevedoreError('CONFLICT', `a prune run is already under way on host ${hostId}`, { hostId });
    }
    this.running.add(hostId);
    const removed: PruneItem[] = [];
    const errors: string[] = [];
    try {
      const row = await this.db.pruneRun.create({ data: { hostId, trigger } });
      try {
        const policy = toPolicy(hostId, await this.db.prunePolicy.findUnique({ where: { hostId } }));
        await this.hub.call(hostId, async (client) => {
          for (const item of pruneCandidates(policy, await inventory(client), Date.now())) {
            try {
              await removeItem(client, item);
              removed.push(item);
            } catch (error) {
              errors.push(`${item.kind} ${item.name}: ${message(error)}`);
            }
          }
        });
      } catch (error) {
        errors.push(message(error));
      }
      const done = await this.db.pruneRun.update({
        where: { id: row.id },
        data: {
          finishedAt: new Date(),
          removed: JSON.stringify(removed),
          bytesFreed: removed.reduce((sum, item) => sum + item.bytes, 0),
          errors: JSON.stringify(errors),
        },
      });
      return toRun(done);
    } finally {
      this.running.delete(hostId);
    }
  }
}

async function removeItem(client: AgentClient, item: PruneItem): Promise<void> {
  if (item.kind === 'image') await client.images.remove.mutate({ image: item.id, force: false });
  else if (item.kind === 'container') await client.containers.remove.mutate({ container: item.id });
  else await client.volumes.remove.mutate({ name: item.id });
}

/** Everything a policy looks at, read from the agent. */
async function inventory(client: AgentClient): Promise<PruneInventory> {
  const [dangling, details, containers] = await Promise.all([
    client.images.list.query({ filters: ['dangling=true'] }),
    client.system.dfDetails.query(),
    client.containers.list.query({ all: true }),
  ]);
  const imageUsage = new Map(details.images.map((image) => [image.ID, image]));
  const containerBytes = new Map(details.containers.map((c) => [c.ID, c.Size]));
  const stopped = containers.filter(
    (c) => c.State === 'exited' || c.State === 'created' || c.State === 'dead',
  );
  const finished = await Promise.all(
    stopped.map((c) =>
      client.containers.inspect.query({ container: c.Id }).then(
        (inspect) => inspect.State.FinishedAt,
        // Removed meanwhile: counted from its creation; its removal then fails harmlessly as "no such container".
        () => null,
      ),
    ),
  );
  return {
    danglingImages: dangling.map((image) => ({
      id: image.Id,
      created: image.Created,
      uniqueBytes: imageUsage.get(image.Id)?.UniqueSize ?? image.Size,
      containers: imageUsage.get(image.Id)?.Containers ?? 0,
    })),
    stoppedContainers: stopped.map((c, i) => ({
      id: c.Id,
      name: c.Names[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12),
      created: c.Created,
      finishedAt: finished[i] ?? null,
      bytes: containerBytes.get(c.Id) ?? 0,
    })),
    volumes: details.volumes.map((v) => ({ name: v.Name, links: v.Links, bytes: v.Size })),
  };
}
