import { formatGoDuration, type HealthResult, NANOS_PER_MILLISECOND } from '@stevedore/shared';
import type { EventBus } from '../../events/event-bus.js';
import type { Logger } from '../../util/logger.js';
import type { ContainerService } from '../containers/container-service.js';
import type { ExecService } from '../exec/exec-service.js';
import { type HealthTarget, nextProbeDelayMs, probeCommand } from './health-state.js';

/** One container's schedule: the run it belongs to (its start time) and the pending timer. */
interface Schedule {
  startedAt: string;
  timer: NodeJS.Timeout | null;
}

/**
 * Runs each running container's healthcheck on its interval: one timer per container, armed
 * after the previous probe ended (so probes never overlap), and nothing at all for containers
 * without a healthcheck. Container events drive it: a start or unpause arms the timer, a die,
 * pause or removal clears it. Results go to the container's record (State.Health), which emits
 * `health_status: …` when the status changes.
 */
export class HealthMonitor {
  private readonly schedules = new Map<string, Schedule>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly containers: Pick<ContainerService, 'healthTarget' | 'healthTargets' | 'recordHealth'>,
    private readonly exec: Pick<ExecService, 'probe'>,
    private readonly events: EventBus,
    private readonly log: Logger,
  ) {}

  /** Arms the running containers' healthchecks (adopted ones after an agent restart) and follows events. */
  start(): void {
    this.unsubscribe = this.events.onEvent((event) => {
      if (event.Type !== 'container') return;
      const id = event.Actor.ID;
      switch (event.Action) {
        case 'start':
        case 'unpause':
          this.rearm(id);
          break;
        case 'die':
        case 'pause':
        case 'destroy':
          this.cancel(id);
          break;
      }
    });
    for (const target of this.containers.healthTargets()) this.arm(target);
  }

  close(): void {
    this.unsubscribe?.();
    for (const id of [...this.schedules.keys()]) this.cancel(id);
  }

  /** How many containers have a probe scheduled (for tests and `info`-style reports). */
  get scheduled(): number {
    return this.schedules.size;
  }

  private rearm(id: string): void {
    this.cancel(id);
    const target = this.containers.healthTarget(id);
    if (target) this.arm(target);
  }

  private cancel(id: string): void {
    const schedule = this.schedules.get(id);
    if (schedule?.timer) clearTimeout(schedule.timer);
    this.schedules.delete(id);
  }

  private arm(target: HealthTarget, schedule: Schedule = { startedAt: target.startedAt, timer: null }): void {
    const delay = nextProbeDelayMs(target.check, target.status, target.startedAt, Date.now());
    schedule.timer = setTimeout(() => {
      schedule.timer = null;
      this.probe(target, schedule).catch((error) =>
        this.log.warn({ err: error, id: target.id }, 'healthcheck: recording a probe failed'),
      );
    }, delay);
    // A pending probe never keeps the agent alive on its own.
    schedule.timer.unref();
    this.schedules.set(target.id, schedule);
  }

  private async probe(target: HealthTarget, schedule: Schedule): Promise<void> {
    const start = new Date();
    const timeoutMs = Math.max(1, Math.round(target.check.timeout / NANOS_PER_MILLISECOND));
    let result: HealthResult;
    try {
      const outcome = await this.exec.probe(target.id, probeCommand(target.check), timeoutMs);
      result = {
        Start: start.toISOString(),
        End: new Date().toISOString(),
        ExitCode: outcome.exitCode ?? -1,
        Output: outcome.timedOut
          ? `Health check exceeded timeout (${formatGoDuration(target.check.timeout)})`
          : (outcome.runtimeError ?? outcome.output),
      };
    } catch (error) {
      // The container went away under the probe (stopped, paused): the next start arms it again.
      this.log.debug({ err: error, id: target.id }, 'healthcheck: the probe could not run');
      if (this.schedules.get(target.id) !== schedule) return;
      result = {
        Start: start.toISOString(),
        End: new Date().toISOString(),
        ExitCode: -1,
        Output: error instanceof Error ? error.message : String(error),
      };
    }
    // A stop, pause or restart while the probe ran: its result belongs to a run that is over.
    if (this.schedules.get(target.id) !== schedule) return;
    const health = await this.containers.recordHealth(target.id, target.startedAt, result);
    if (!health || this.schedules.get(target.id) !== schedule) return;
    this.arm({ ...target, status: health.Status }, schedule);
  }
}
