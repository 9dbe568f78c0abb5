import {
  type effectiveHealthcheck,
  HEALTH_LOG_ENTRIES,
  type HealthResult,
  type HealthState,
  NANOS_PER_MILLISECOND,
} from '@stevedore/shared';

export type Healthcheck = NonNullable<ReturnType<typeof effectiveHealthcheck>>;

/** The health of a container just started: starting, no failures counted, the old log kept (as Docker). */
export function startingHealth(previous: HealthState | undefined): HealthState {
  return { Status: 'starting', FailingStreak: 0, Log: previous?.Log ?? [] };
}

/**
 * Docker's rules for one probe's result: exit 0 is healthy and clears the streak; anything else
 * counts a failure, except while the container is still starting inside its start period; `retries`
 * failures in a row make it unhealthy. The log keeps the newest results.
 */
export function applyProbeResult(
  health: HealthState,
  result: HealthResult,
  check: Healthcheck,
  startedAt: string,
): HealthState {
  const log = [...health.Log, result].slice(-HEALTH_LOG_ENTRIES);
  if (result.ExitCode === 0) return { Status: 'healthy', FailingStreak: 0, Log: log };
  const sinceStartMs = Date.parse(result.Start) - Date.parse(startedAt);
  const inStartPeriod =
    health.Status === 'starting' && sinceStartMs < check.startPeriod / NANOS_PER_MILLISECOND;
  if (inStartPeriod) return { ...health, Log: log };
  const streak = health.FailingStreak + 1;
  return {
    Status: streak >= check.retries ? 'unhealthy' : health.Status,
    FailingStreak: streak,
    Log: log,
  };
}

/** Milliseconds until the next probe: the start interval while starting within the start period. */
export function nextProbeDelayMs(
  check: Healthcheck,
  status: HealthState['Status'],
  startedAt: string,
  now: number,
): number {
  const withinStartPeriod = now - Date.parse(startedAt) < check.startPeriod / NANOS_PER_MILLISECOND;
  const nanos = withinStartPeriod && status === 'starting' ? check.startInterval : check.interval;
  return Math.max(1, Math.round(nanos / NANOS_PER_MILLISECOND));
}

/** The STATUS text's health suffix as `docker ps` shows it. */
export function healthSuffix(health: HealthState | undefined): string {
  if (!health) return '';
  return health.Status === 'starting' ? ' (health: starting)' : ` (${health.Status})`;
}

/** A running container whose healthcheck the monitor runs: which run (its start), the check, the status now. */
export interface HealthTarget {
  id: string;
  startedAt: string;
  check: Healthcheck;
  status: HealthState['Status'];
}

/** The probe's argv: CMD runs as given, CMD-SHELL through /bin/sh -c (Docker's default shell). */
export function probeCommand(check: Healthcheck): string[] {
  return check.test[0] === 'CMD-SHELL' ? ['/bin/sh', '-c', check.test[1] ?? ''] : check.test.slice(1);
}
