import type { ResourcesUpdate, RolloutResult } from '@stevedore/shared';

/** One container to change, with the values it gets (the preset's, or for a rollback its old ones). */
export interface RolloutItem {
  hostId: string;
  hostName: string;
  containerId: string;
  containerName: string;
  values: ResourcesUpdate;
  /** The values are the container's own recommended limits, not the preset's. */
  recommended?: boolean;
}

/** What the runner does to one container; the service wires these to the hub, audit and database. */
export interface RolloutSteps {
  /** The container's limits now, as a complete set a rollback can re-apply. */
  snapshot(item: RolloutItem): Promise<ResourcesUpdate>;
  /** Applies the values (audited by the service with `before`); answers the engine's warnings and the limits read back. */
  apply(item: RolloutItem, before: ResourcesUpdate): Promise<{ warnings: string[]; after: ResourcesUpdate }>;
  /** Called after each container's result is final (progress, assignments). */
  settled(index: number, result: RolloutResult): void | Promise<void>;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Hosts worked on at once. */
const HOST_CONCURRENCY = 16;
/** Containers of one host changed at once; one at a time when stopping at the first failure. */
const PER_HOST = 4;

/**
 * Changes containers host by host: the hosts in parallel, each host's containers in order (a few
 * at once). With `stopOnFailure` each host goes one container at a time and the first failure
 * stops every host before its next container; what was not reached is reported as skipped.
 * `results` is filled in place, so a watcher sees progress.
 */
export async function runRollout(
  items: readonly RolloutItem[],
  results: RolloutResult[],
  options: { stopOnFailure: boolean; steps: RolloutSteps },
): Promise<{ stopped: boolean }> {
  const { steps } = options;
  let stopped = false;
  const byHost = new Map<string, number[]>();
  items.forEach((item, index) => {
    byHost.set(item.hostId, [...(byHost.get(item.hostId) ?? []), index]);
  });

  const one = async (index: number) => {
    const item = items[index] as RolloutItem;
    const result = results[index] as RolloutResult;
    try {
      result.before = await steps.snapshot(item);
      const { warnings, after } = await steps.apply(item, result.before);
      Object.assign(result, { status: 'ok', warnings, after });
    } catch (error) {
      Object.assign(result, { status: 'error', error: messageOf(error) });
      if (options.stopOnFailure) stopped = true;
    }
    await steps.settled(index, result);
  };

  const queue = [...byHost.values()];
  const perHost = options.stopOnFailure ? 1 : PER_HOST;
  const worker = async () => {
    for (let host = queue.shift(); host; host = queue.shift()) {
      const pending = [...host];
      const lane = async () => {
        for (let index = pending.shift(); index !== undefined && !stopped; index = pending.shift()) {
          await one(index);
        }
      };
      await Promise.all(Array.from({ length: Math.min(perHost, pending.length) }, lane));
    }
  };
  await Promise.all(Array.from({ length: Math.min(HOST_CONCURRENCY, queue.length) }, worker));

  for (const [index, result] of results.entries()) {
    if (result.status !== 'pending') continue;
    Object.assign(result, { status: 'skipped', error: 'not reached: the rollout stopped at a failure' });
    await steps.settled(index, result);
  }
  return { stopped };
}

/** A result row before anything happened to its container. */
export const pendingResult = (item: RolloutItem): RolloutResult => ({
  hostId: item.hostId,
  hostName: item.hostName,
  containerId: item.containerId,
  containerName: item.containerName,
  status: 'pending',
  error: null,
  warnings: [],
  before: null,
  after: null,
});
