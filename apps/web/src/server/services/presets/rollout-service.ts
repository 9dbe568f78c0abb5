import {
  type HostSummary,
  type PresetPolicy,
  type ResourcesUpdate,
  ResourcesUpdateSchema,
  type Rollout,
  type RolloutInput,
  RolloutInput as RolloutInputSchema,
  type RolloutResult,
  RolloutResultSchema,
  type SessionUser,
  StevedoreError,
} from '@stevedore/shared';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit';
import {
  createRolloutRow,
  finishRolloutRow,
  getPresetRow,
  getRolloutRow,
  listRolloutRows,
} from '../../db/repositories/presets';
import { mapLimited } from '../../util/map-limited';
import { dashboardActions } from '../dashboard-actions';
import { groupBy, type PresetFleetCalls } from './fleet-calls';
import { resolveTargets } from './fleet-targets';
import { snapshotOf } from './limit-values';
import { toPreset } from './preset-service';
import { type Recommender, recommendedValuesFor } from './recommended-values';
import { RolloutJournal } from './rollout-journal';
import { pendingResult, type RolloutItem, runRollout } from './rollout-runner';

/** Recommendations computed per host at once while planning a "recommended limits" rollout. */
const RECOMMEND_CONCURRENCY = 4;

type RolloutRow = NonNullable<Awaited<ReturnType<typeof getRolloutRow>>>;

interface Running {
  rollout: Rollout;
  done: Promise<Rollout>;
}

const ResultsSchema = z.array(RolloutResultSchema);

function countsOf(results: readonly RolloutResult[]): Rollout['counts'] {
  const counts = { total: results.length, ok: 0, error: 0, skipped: 0, pending: 0 };
  for (const result of results) counts[result.status]++;
  return counts;
}

function fromRow(row: RolloutRow): Rollout {
  const results = ResultsSchema.parse(JSON.parse(row.results));
  return {
    id: row.id,
    presetId: row.presetId,
    presetName: row.preset.name,
    kind: row.kind === 'rollback' ? 'rollback' : 'apply',
    rollbackOf: row.rollbackOf,
    stopOnFailure: row.stopOnFailure,
    // A rollout still "running" in the database but not in this process was cut off by a restart.
    status: row.status === 'running' ? 'interrupted' : (row.status as Rollout['status']),
    startedBy: row.startedBy,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    counts: countsOf(results),
    results,
  };
}

/**
 * Applies a preset to containers across hosts (or undoes one such rollout): every container's
 * change through the agent's `update`, audited with its before and after values, recorded as the
 * container's assignment (what drift compares against). A rollout runs in the background; its
 * record is read while it runs (progress) and kept in the database when it ends.
 */
export class PresetRolloutService {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly db: Db,
    private readonly hosts: { list(): Promise<HostSummary[]> },
    private readonly access: { canOperate(user: SessionUser, hostId: string): Promise<boolean> },
    private readonly calls: PresetFleetCalls,
    private readonly log: Logger,
    private readonly recommend?: Recommender,
  ) {}

  /** Starts applying a preset; answers at once with the rollout (every container pending). */
  async start(actor: SessionUser, input: RolloutInput): Promise<Rollout> {
    const { presetId, target, stopOnFailure, policy } = RolloutInputSchema.parse(input);
    const preset = toPreset(await getPresetRow(this.db, presetId));
    const resolved = await resolveTargets(target, {
      hosts: () => this.hosts.list(),
      list: (id) => this.calls.list(id),
    });
    const refused: RolloutResult[] = resolved.unresolved.map((c) => ({
      ...pendingResult({ ...c, values: {} }),
      status: 'error',
      error: c.error,
    }));
    let items: RolloutItem[];
    if (policy.kind === 'recommended') {
      const recommend = this.recommend;
      if (!recommend)
        throw new Error('recommended limits need the limits service (wire it in services/index.ts)');
      items = [];
      const planned = await Promise.all(
        [...groupBy(resolved.containers, (c) => c.hostId).values()].map((onHost) =>
          mapLimited(onHost, RECOMMEND_CONCURRENCY, async (c) => {
            try {
              return { c, ...(await recommendedValuesFor(c, policy, recommend)), error: null };
            } catch (error) {
              return {
                c,
                values: null,
                skipped: null,
                error: error instanceof Error ? error.message : String(error),
              };
            }
          }),
        ),
      );
      for (const { c, values, skipped, error } of planned.flat()) {
        if (values) items.push({ ...c, values, recommended: true });
        else
          refused.push({
            ...pendingResult({ ...c, values: {} }),
            status: skipped ? 'skipped' : 'error',
            error: skipped ?? error,
          });
      }
    } else {
      items = resolved.containers.map((c) => ({ ...c, values: preset.limits }));
    }
    if (items.length === 0 && refused.length === 0) {
      throw new StevedoreError('INVALID_ARGUMENT', 'no container matches this target: nothing to apply', {
        presetId,
      });
    }
    return this.launch(actor, {
      presetId,
      presetName: preset.name,
      kind: 'apply',
      rollbackOf: null,
      target,
      stopOnFailure,
      policy,
      items,
      refused,
    });
  }

  /** Re-applies the "before" values of every container a finished rollout changed. */
  async rollback(actor: SessionUser, rolloutId: string): Promise<Rollout> {
    const original = await this.get(rolloutId);
    if (original.status === 'running') {
      throw new StevedoreError('CONFLICT', 'this rollout is still running: wait for it to finish', {
        rolloutId,
      });
    }
    if (original.kind !== 'apply') {
      throw new StevedoreError(
        'INVALID_ARGUMENT',
        'a rollback cannot be rolled back: apply the preset again',
        {
          rolloutId,
        },
      );
    }
    const items: RolloutItem[] = original.results.flatMap((r) =>
      r.status === 'ok' && r.before ? [{ ...r, values: ResourcesUpdateSchema.parse(r.before) }] : [],
    );
    if (items.length === 0) {
      throw new StevedoreError(
        'INVALID_ARGUMENT',
        'this rollout changed no container: nothing to roll back',
        {
          rolloutId,
        },
      );
    }
    return this.launch(actor, {
      presetId: original.presetId,
      presetName: original.presetName,
      kind: 'rollback',
      rollbackOf: rolloutId,
      target: {
        kind: 'selection',
        containers: items.map((i) => ({ hostId: i.hostId, container: i.containerId })),
      },
      stopOnFailure: false,
      policy: { kind: 'preset' },
      items,
      refused: [],
    });
  }

  async get(rolloutId: string): Promise<Rollout> {
    const live = this.running.get(rolloutId);
    if (live)
      return {
        ...live.rollout,
        counts: countsOf(live.rollout.results),
        results: live.rollout.results.map((r) => ({ ...r })),
      };
    const row = await getRolloutRow(this.db, rolloutId);
    if (!row) throw new StevedoreError('NOT_FOUND', `rollout ${rolloutId} not found`, { rolloutId });
    return fromRow(row);
  }

  async list(presetId: string, limit: number): Promise<Rollout[]> {
    const rows = await listRolloutRows(this.db, presetId, limit);
    return Promise.all(rows.map((row) => (this.running.has(row.id) ? this.get(row.id) : fromRow(row))));
  }

  /** Resolves when a rollout has ended (tests and benchmarks; the page polls `get`). */
  async finished(rolloutId: string): Promise<Rollout> {
    const live = this.running.get(rolloutId);
    return live ? live.done : this.get(rolloutId);
  }

  /** Waits for rollouts in flight (server shutdown). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  private async launch(
    actor: SessionUser,
    plan: {
      presetId: string;
      presetName: string;
      kind: 'apply' | 'rollback';
      rollbackOf: string | null;
      target: unknown;
      stopOnFailure: boolean;
      policy: PresetPolicy;
      items: RolloutItem[];
      refused: RolloutResult[];
    },
  ): Promise<Rollout> {
    const allowed = new Map<string, Promise<boolean>>();
    const mayOperate = (hostId: string) => {
      let answer = allowed.get(hostId);
      if (!answer) {
        answer = this.access.canOperate(actor, hostId);
        allowed.set(hostId, answer);
      }
      return answer;
    };
    const permitted: RolloutItem[] = [];
    const refused = [...plan.refused];
    for (const item of plan.items) {
      if (await mayOperate(item.hostId)) permitted.push(item);
      else
        refused.push({
          ...pendingResult(item),
          status: 'error',
          error: `you may not operate host ${item.hostName}: an admin has to grant it to you`,
        });
    }
    const results = [...permitted.map(pendingResult), ...refused];
    const row = await createRolloutRow(this.db, {
      presetId: plan.presetId,
      kind: plan.kind,
      rollbackOf: plan.rollbackOf,
      target: plan.target,
      stopOnFailure: plan.stopOnFailure,
      startedBy: actor.username,
      results,
    });
    const rollout: Rollout = {
      id: row.id,
      presetId: plan.presetId,
      presetName: plan.presetName,
      kind: plan.kind,
      rollbackOf: plan.rollbackOf,
      stopOnFailure: plan.stopOnFailure,
      status: 'running',
      startedBy: actor.username,
      startedAt: row.startedAt.toISOString(),
      finishedAt: null,
      counts: countsOf(results),
      results,
    };
    // Containers skipped for too little history are no failure; refused and unreachable ones are.
    const done = this.run(
      actor,
      rollout,
      permitted,
      refused.some((r) => r.status === 'error'),
      plan.policy,
    );
    this.running.set(rollout.id, { rollout, done });
    return this.get(rollout.id);
  }

  private async run(
    actor: SessionUser,
    rollout: Rollout,
    items: RolloutItem[],
    refusedAny: boolean,
    policy: PresetPolicy,
  ): Promise<Rollout> {
    // Refused containers are failures too: with stop-at-first-failure nothing else is changed.
    const stopAtOnce = rollout.stopOnFailure && refusedAny;
    const { results } = rollout;
    let stopped = stopAtOnce;
    const journal = new RolloutJournal(this.db, this.log);
    try {
      if (stopAtOnce) {
        for (const result of results.slice(0, items.length)) {
          Object.assign(result, {
            status: 'skipped',
            error: 'not reached: the rollout stopped at a failure',
          });
        }
      } else {
        ({ stopped } = await runRollout(items, results, {
          stopOnFailure: rollout.stopOnFailure,
          steps: {
            snapshot: async (item) =>
              snapshotOf(await this.calls.hostConfig(item.hostId, item.containerId), item.values),
            apply: (item, before) => this.applyOne(actor, rollout, item, before, journal),
            settled: (index, result) => this.settled(actor, rollout, items[index], result, journal),
          },
        }));
      }
    } catch (error) {
      this.log.error({ err: error, rolloutId: rollout.id }, 'rollout failed outside a container step');
    }
    await journal.close();
    rollout.status = stopped ? 'stopped' : 'done';
    rollout.finishedAt = new Date().toISOString();
    rollout.counts = countsOf(results);
    try {
      await finishRolloutRow(this.db, rollout.id, rollout.status, results);
      await appendAudit(this.db, {
        userId: actor.id,
        username: actor.username,
        action: rollout.kind === 'apply' ? 'preset.rollout' : 'preset.rollback',
        target: rollout.presetName,
        params: {
          rolloutId: rollout.id,
          ...(rollout.rollbackOf ? { rollbackOf: rollout.rollbackOf } : {}),
          policy,
          stopOnFailure: rollout.stopOnFailure,
          status: rollout.status,
          ...rollout.counts,
        },
        result: rollout.counts.error > 0 ? 'error' : 'ok',
        error:
          rollout.counts.error > 0
            ? `${rollout.counts.error} of ${rollout.counts.total} containers failed`
            : null,
      });
    } catch (error) {
      this.log.error({ err: error, rolloutId: rollout.id }, 'recording the end of a rollout failed');
    } finally {
      this.running.delete(rollout.id);
    }
    return fromRollout(rollout);
  }

  /** One container: `update`, audited with the values before and the values read back after. */
  private async applyOne(
    actor: SessionUser,
    rollout: Rollout,
    item: RolloutItem,
    before: ResourcesUpdate,
    journal: RolloutJournal,
  ): Promise<{ warnings: string[]; after: ResourcesUpdate }> {
    const what = { action: 'container.update', hostId: item.hostId, target: item.containerId };
    const params: Record<string, unknown> = {
      name: item.containerName,
      preset: rollout.presetName,
      rolloutId: rollout.id,
      ...(rollout.kind === 'rollback' ? { rollback: true } : {}),
      ...(item.recommended ? { recommended: true } : {}),
      changes: item.values,
      before,
    };
    const entry = { ...what, userId: actor.id, username: actor.username, at: new Date() };
    // The engine's own `update` event is this entry's, not a second one from the host.
    const release = dashboardActions.claim(what);
    try {
      const warnings = await this.calls.update(item.hostId, item.containerId, item.values);
      const after = snapshotOf(await this.calls.hostConfig(item.hostId, item.containerId), item.values);
      journal.audit({ ...entry, params: { ...params, after }, result: 'ok' });
      return { warnings, after };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      journal.audit({ ...entry, params, result: 'error', error: message });
      throw error;
    } finally {
      release();
    }
  }

  private settled(
    actor: SessionUser,
    rollout: Rollout,
    item: RolloutItem | undefined,
    result: RolloutResult,
    journal: RolloutJournal,
  ): void {
    if (!item || result.status !== 'ok') return;
    if (rollout.kind === 'apply') {
      journal.assign({
        presetId: rollout.presetId,
        hostId: item.hostId,
        containerId: item.containerId,
        containerName: item.containerName,
        values: item.values,
        rolloutId: rollout.id,
        appliedBy: actor.username,
      });
    } else if (rollout.rollbackOf) {
      journal.drop({ hostId: item.hostId, containerId: item.containerId, rolloutId: rollout.rollbackOf });
    }
  }
}

const fromRollout = (rollout: Rollout): Rollout => ({
  ...rollout,
  results: rollout.results.map((r) => ({ ...r })),
});
