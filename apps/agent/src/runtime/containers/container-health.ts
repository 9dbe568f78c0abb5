import { effectiveHealthcheck, type HealthResult, type HealthState } from '@stevedore/shared';
import { applyProbeResult, type HealthTarget, startingHealth } from '../health/health-state.js';
import type { ContainerRecord } from './container-record.js';
import type { ContainerContext } from './service-context.js';

/** The container's healthcheck to run now: null unless it runs (not paused) and has one. */
export function healthTargetOf(record: ContainerRecord): HealthTarget | null {
  if (!record.State.Running || record.State.Paused) return null;
  const check = effectiveHealthcheck(record.Config.Healthcheck);
  if (!check) return null;
  return {
    id: record.Id,
    startedAt: record.State.StartedAt,
    check,
    status: record.State.Health?.Status ?? 'starting',
  };
}

/**
 * One probe's result into the record of the run it was made for (its start time): null when
 * that run is over or paused meanwhile. A change of status is published as Docker's event,
 * `health_status: healthy|unhealthy`.
 */
export function recordHealth(
  ctx: ContainerContext,
  id: string,
  startedAt: string,
  result: HealthResult,
): Promise<HealthState | null> {
  return ctx.withLock(id, async () => {
    const record = ctx.deps.store.find(id);
    if (!record || record.State.StartedAt !== startedAt) return null;
    const target = healthTargetOf(record);
    if (!target) return null;
    const before = record.State.Health ?? startingHealth(undefined);
    const health = applyProbeResult(before, result, target.check, startedAt);
    const updated: ContainerRecord = { ...record, State: { ...record.State, Health: health } };
    ctx.deps.store.update(updated);
    if (health.Status !== before.Status) ctx.publish(updated, `health_status: ${health.Status}`);
    return health;
  });
}
