import { type AlertRule, type AlertTarget, throttledShare, type UsageHistory } from '@stevedore/shared';
import { inScope } from './rule-scope';
import { averageBlocks, SustainedCondition } from './sustained';
import { type AlertSink, firingKeyOf, targetKeyOf } from './types';

export type UsageKind = 'memory-high' | 'cpu-throttling';
export const isUsageRule = (rule: AlertRule): rule is AlertRule & { condition: { kind: UsageKind } } =>
  rule.condition.kind === 'memory-high' || rule.condition.kind === 'cpu-throttling';

/**
 * Each 1 s sample as the rules compare it: memory as % of the limit, throttled share of the CFS
 * periods that elapsed in it (nr_throttled / nr_periods as the agent records them; 10 periods a
 * second, the default 100 ms period, for samples recorded before periods were).
 */
export function usagePercents(history: Pick<UsageHistory, 'timestamps' | 'series'>): {
  memory: (number | null)[];
  throttled: (number | null)[];
} {
  const workingSet = history.series.memoryWorkingSet?.avg ?? [];
  const limit = history.series.memoryLimit?.avg ?? [];
  const throttledPeriods = history.series.cpuThrottledPeriods?.avg ?? [];
  const periods = history.series.cpuPeriods?.avg ?? [];
  return {
    memory: history.timestamps.map((_, i) => {
      const used = workingSet[i];
      const max = limit[i];
      // Without a limit there is nothing to be near.
      return used === null || used === undefined || !max ? null : (used / max) * 100;
    }),
    throttled: history.timestamps.map((_, i) => {
      const share = throttledShare(throttledPeriods[i], periods[i]);
      return share === null ? null : share * 100;
    }),
  };
}

/**
 * "Memory above x % of the limit for y minutes" and "throttled in more than x % of the CFS periods
 * for y minutes", over the usage the agent records each second, averaged in blocks so that one
 * quiet second does not break a run.
 */
export class UsageRules {
  private readonly conditions = new Map<string, { condition: SustainedCondition; signature: string }>();

  constructor(
    private readonly sink: AlertSink,
    private readonly rules: () => readonly AlertRule[],
    private readonly blockSeconds = 15,
    /** How long a rule's minute lasts (tests shorten it; see AlertTiming). */
    private readonly minuteMs = 60_000,
  ) {}

  /** A running container's samples since the last call (ascending, complete blocks only). */
  observe(
    target: AlertTarget,
    labels: Readonly<Record<string, string>>,
    history: Pick<UsageHistory, 'timestamps' | 'series'>,
  ): void {
    const percents = usagePercents(history);
    const key = targetKeyOf(target);
    const blockMs = this.blockSeconds * 1000;
    for (const rule of this.rules()) {
      if (!rule.enabled || !isUsageRule(rule) || !inScope(rule, target.hostId, labels)) continue;
      const { condition } = rule;
      const memory = condition.kind === 'memory-high';
      const blocks = averageBlocks(
        history.timestamps,
        memory ? percents.memory : percents.throttled,
        this.blockSeconds,
      );
      const state = this.conditionOf(rule, key);
      for (const block of blocks) state.observe(block.atMs, block.mean);
      const latest = state.latest();
      const newest = state.newestMs();
      if (latest === null || newest === null) continue;
      const at = new Date(newest);
      const what = memory ? 'memory' : 'CPU throttling';
      if (state.above() === false) {
        this.sink.resolve(rule.id, key, at, `${what} back at ${latest.toFixed(1)} %`);
        continue;
      }
      if (state.heldMs() + blockMs < condition.forMinutes * this.minuteMs) continue;
      if (this.sink.isFiring(rule.id, key)) continue;
      const name = target.containerName ?? target.containerId?.slice(0, 12) ?? target.hostName;
      this.sink.fire({
        rule,
        target,
        at,
        summary: memory
          ? `${name} uses ${latest.toFixed(0)} % of its memory limit`
          : `${name} is throttled in ${latest.toFixed(0)} % of CPU periods`,
        details: {
          percent: Math.round(latest * 10) / 10,
          thresholdPercent: condition.thresholdPercent,
          forMinutes: condition.forMinutes,
        },
      });
    }
  }

  /** The container stopped, was removed or left every rule's scope: its usage alerts resolve. */
  forget(targetKey: string, at: Date, reason: string): void {
    for (const key of this.conditions.keys()) if (key.endsWith(`|${targetKey}`)) this.conditions.delete(key);
    const usageRuleIds = new Set(
      this.rules()
        .filter(isUsageRule)
        .map((rule) => rule.id),
    );
    for (const alert of this.sink.firing())
      if (alert.targetKey === targetKey && usageRuleIds.has(alert.ruleId))
        this.sink.resolve(alert.ruleId, targetKey, at, reason);
  }

  /** Drops the windows of rules that are gone or changed (they start afresh). */
  retain(rules: readonly AlertRule[]): void {
    const live = new Map(rules.map((rule) => [rule.id, signatureOf(rule)]));
    for (const [key, entry] of this.conditions) {
      const ruleId = key.slice(0, key.indexOf('|'));
      if (live.get(ruleId) !== entry.signature) this.conditions.delete(key);
    }
  }

  private conditionOf(rule: AlertRule & { condition: { kind: UsageKind } }, targetKey: string) {
    const key = firingKeyOf(rule.id, targetKey);
    const signature = signatureOf(rule);
    let entry = this.conditions.get(key);
    if (!entry || entry.signature !== signature) {
      // A missing block or two (a slow read) is no gap; a stopped container's hole is.
      const condition = new SustainedCondition(rule.condition.thresholdPercent, this.blockSeconds * 2500);
      entry = { condition, signature };
      this.conditions.set(key, entry);
    }
    return entry.condition;
  }
}

const signatureOf = (rule: AlertRule) => JSON.stringify([rule.enabled, rule.condition]);
