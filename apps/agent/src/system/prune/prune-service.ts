import { randomUUID } from 'node:crypto';
import {
  type AgentPruneRun,
  type PruneItem,
  type PrunePolicyConfig,
  type PrunePreview,
  type PruneRules,
  type PruneSchedule,
  StevedoreError,
} from '@stevedore/shared';
import type { Logger } from '../../util/logger.js';
import { type PruneInventory, pruneCandidates } from './prune-candidates.js';
import type { PruneRecord } from './prune-record.js';

export interface PruneServiceDeps {
  /** The policy in effect now (daemon.json's `prune-policy`, changed live). */
  policy(): PrunePolicyConfig | null;
  inventory(): Promise<PruneInventory>;
  remove(item: PruneItem): Promise<void>;
  record: PruneRecord;
  log: Logger;
  /** How long an "hour" of `interval-hours` is (tests shorten it). */
  hourMs: number;
  /** How often the scheduler looks whether the policy is due. */
  tickMs: number;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const rulesOf = (policy: PrunePolicyConfig): PruneRules => ({
  danglingImagesDays: policy['dangling-images-days'],
  stoppedContainersDays: policy['stopped-containers-days'],
  unusedVolumes: policy['unused-volumes'],
});

/**
 * The host's prune policy, run by the agent itself: a timer looks at each tick whether the enabled
 * policy is due (one interval after its last run, or after it was enabled), runs never overlap, and
 * each run is recorded (what went, bytes freed, errors) under the data-root, as is the last run
 * time — a restart keeps the schedule. The dry run selects exactly as a run does.
 */
export class PruneService {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<AgentPruneRun> | null = null;
  private tick: Promise<void> | null = null;

  constructor(private readonly deps: PruneServiceDeps) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runIfDue(), this.deps.tickMs);
    this.timer.unref();
    void this.runIfDue();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.tick;
    await this.current?.catch(() => {
      // Its failure is in its own record; closing only waits for it.
    });
  }

  async preview(rules: PruneRules): Promise<PrunePreview> {
    const items = pruneCandidates(rules, await this.deps.inventory(), Date.now());
    return { items, bytes: items.reduce((sum, item) => sum + item.bytes, 0) };
  }

  /** Runs the configured policy now (enabled or not): "Run now". */
  runNow(): Promise<AgentPruneRun> {
    const policy = this.deps.policy();
    if (!policy) {
      throw new StevedoreError(
        'FAILED_PRECONDITION',
        'no prune policy is configured (daemon.json "prune-policy")',
      );
    }
    return this.run(policy, 'manual');
  }

  async runs(limit: number): Promise<AgentPruneRun[]> {
    return (await this.deps.record.runs()).slice(0, limit);
  }

  async schedule(): Promise<PruneSchedule> {
    const policy = this.deps.policy();
    const state = await this.deps.record.state();
    const next = policy?.enabled ? this.nextRun(policy, state.lastRunAt, state.enabledSince) : null;
    return {
      lastRunAt: state.lastRunAt,
      nextRunAt: next === null ? null : new Date(next).toISOString(),
      running: this.current !== null,
    };
  }

  /** One scheduler tick (a tick under way is awaited instead of doubled). */
  runIfDue(): Promise<void> {
    if (this.tick) return this.tick;
    this.tick = this.checkDue()
      .catch((error) => this.deps.log.warn({ err: error }, 'prune scheduler tick failed'))
      .finally(() => {
        this.tick = null;
      });
    return this.tick;
  }

  private async checkDue(): Promise<void> {
    const policy = this.deps.policy();
    const state = await this.deps.record.state();
    if (!policy?.enabled) {
      if (state.enabledSince !== null) await this.deps.record.saveState({ ...state, enabledSince: null });
      return;
    }
    if (state.enabledSince === null) {
      await this.deps.record.saveState({ ...state, enabledSince: new Date().toISOString() });
      return;
    }
    const due = this.nextRun(policy, state.lastRunAt, state.enabledSince);
    if (due === null || Date.now() < due || this.current) return;
    const run = await this.run(policy, 'schedule');
    this.deps.log.info(
      { runId: run.id, removed: run.removed.length, bytesFreed: run.bytesFreed, errors: run.errors.length },
      'prune policy ran',
    );
  }

  private nextRun(
    policy: PrunePolicyConfig,
    lastRunAt: string | null,
    enabledSince: string | null,
  ): number | null {
    const from = lastRunAt ?? enabledSince;
    if (from === null) return Date.now() + policy['interval-hours'] * this.deps.hourMs;
    return Date.parse(from) + policy['interval-hours'] * this.deps.hourMs;
  }

  private run(policy: PrunePolicyConfig, trigger: AgentPruneRun['trigger']): Promise<AgentPruneRun> {
    if (this.current) throw new StevedoreError('CONFLICT', 'a prune run is already under way');
    const current = this.execute(policy, trigger).finally(() => {
      this.current = null;
    });
    this.current = current;
    return current;
  }

  private async execute(
    policy: PrunePolicyConfig,
    trigger: AgentPruneRun['trigger'],
  ): Promise<AgentPruneRun> {
    const startedAt = new Date().toISOString();
    // Booked first: a run that fails is not retried at every tick.
    const state = await this.deps.record.state();
    await this.deps.record.saveState({ ...state, lastRunAt: startedAt });
    const removed: PruneItem[] = [];
    const errors: string[] = [];
    try {
      for (const item of pruneCandidates(rulesOf(policy), await this.deps.inventory(), Date.now())) {
        try {
          await this.deps.remove(item);
          removed.push(item);
        } catch (error) {
          errors.push(`${item.kind} ${item.name}: ${message(error)}`);
        }
      }
    } catch (error) {
      errors.push(message(error));
    }
    const run: AgentPruneRun = {
      id: randomUUID(),
      trigger,
      startedAt,
      finishedAt: new Date().toISOString(),
      removed,
      bytesFreed: removed.reduce((sum, item) => sum + item.bytes, 0),
      errors,
    };
    await this.deps.record.append(run);
    return run;
  }
}
