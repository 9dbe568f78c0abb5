import type { AlertRule, AlertTarget, FleetEvent } from '@stevedore/shared';
import { RestartCounter } from './restart-counter';
import { inScope, isContainerRule, labelsOfEvent } from './rule-scope';
import { type AlertSink, targetKeyOf } from './types';

const UNHEALTHY = 'health_status: unhealthy';
const HEALTHY = 'health_status: healthy';
const DAY_MS = 86_400_000;

/**
 * The rules decided by engine events: OOM kills, restart loops and failing healthchecks. Events
 * must come in their order per host (the hub's feed resumes without gaps or repeats).
 */
export class EventRules {
  private readonly restarts = new RestartCounter();

  constructor(
    private readonly sink: AlertSink,
    private readonly rules: () => readonly AlertRule[],
    /** How long a rule's minute lasts (tests shorten it; see AlertTiming). */
    private readonly minuteMs = 60_000,
  ) {}

  accept(event: FleetEvent): void {
    if (event.type !== 'container') return;
    const target: AlertTarget = {
      hostId: event.hostId,
      hostName: event.hostName,
      containerId: event.actorId,
      containerName: event.actorName,
    };
    const key = targetKeyOf(target);
    const at = new Date(event.at);
    const name = event.actorName ?? event.actorId.slice(0, 12);
    const restarted = this.restarts.observe(key, event.action, BigInt(event.timeNano));
    if (event.action === 'destroy') {
      for (const alert of this.sink.firing())
        if (alert.targetKey === key) this.sink.resolve(alert.ruleId, key, at, 'the container was removed');
      return;
    }
    const labels = labelsOfEvent(event.attributes);
    for (const rule of this.rules()) {
      if (!rule.enabled || !isContainerRule(rule) || !inScope(rule, event.hostId, labels)) continue;
      const { condition } = rule;
      if (condition.kind === 'oom' && event.action === 'oom') {
        this.sink.fire({
          rule,
          target,
          at,
          summary: `${name} was killed: out of memory`,
          details: { image: event.attributes.image ?? '' },
        });
      } else if (condition.kind === 'restart-loop' && restarted) {
        const count = this.restarts.count(key, at.getTime() - condition.windowMinutes * this.minuteMs);
        if (count >= condition.restarts) {
          this.sink.fire({
            rule,
            target,
            at,
            summary: `${name} restarted ${count} times in ${condition.windowMinutes} min`,
            details: { restarts: count, windowMinutes: condition.windowMinutes },
          });
        }
      } else if (condition.kind === 'unhealthy') {
        if (event.action === UNHEALTHY) {
          this.sink.fire({
            rule,
            target,
            at,
            summary: `${name} is unhealthy`,
            details: { image: event.attributes.image ?? '' },
          });
        } else if (event.action === HEALTHY) {
          this.sink.resolve(rule.id, key, at, 'the healthcheck passes again');
        } else if (event.action === 'die') {
          this.sink.resolve(rule.id, key, at, 'the container stopped');
        }
      }
    }
  }

  /** Resolves what cleared with time: OOM kills past their quiet period, restart loops that calmed. */
  tick(nowMs: number): void {
    const rules = new Map(this.rules().map((rule) => [rule.id, rule]));
    let longestWindow = 0;
    for (const rule of rules.values())
      if (rule.condition.kind === 'restart-loop')
        longestWindow = Math.max(longestWindow, rule.condition.windowMinutes * this.minuteMs);
    for (const alert of this.sink.firing()) {
      const condition = rules.get(alert.ruleId)?.condition;
      if (condition?.kind === 'oom') {
        const quietMs = condition.clearAfterMinutes * this.minuteMs;
        if (nowMs - alert.lastSeenAt.getTime() >= quietMs) {
          this.sink.resolve(
            alert.ruleId,
            alert.targetKey,
            new Date(nowMs),
            `no OOM kill for ${condition.clearAfterMinutes} min`,
          );
        }
      } else if (condition?.kind === 'restart-loop') {
        const count = this.restarts.count(alert.targetKey, nowMs - condition.windowMinutes * this.minuteMs);
        if (count < condition.restarts) {
          this.sink.resolve(
            alert.ruleId,
            alert.targetKey,
            new Date(nowMs),
            `fewer than ${condition.restarts} restarts in the last ${condition.windowMinutes} min`,
          );
        }
      }
    }
    this.restarts.prune(nowMs - Math.max(longestWindow, DAY_MS));
  }

  /** The longest restart window of any rule: how far back the stored events must be replayed. */
  static replayWindowMs(rules: readonly AlertRule[], minuteMs = 60_000): number {
    let longest = 0;
    for (const rule of rules)
      if (rule.condition.kind === 'restart-loop')
        longest = Math.max(longest, rule.condition.windowMinutes * minuteMs);
    return longest;
  }

  /** Feeds a stored event to the restart history only (replayed after a restart of the server). */
  remember(event: Pick<FleetEvent, 'hostId' | 'actorId' | 'action' | 'timeNano'>): void {
    this.restarts.observe(`${event.hostId}/${event.actorId}`, event.action, BigInt(event.timeNano));
  }
}
