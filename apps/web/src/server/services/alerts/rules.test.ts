import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AlertCondition, AlertRule, FleetEvent } from '@stevedore/shared';
import { EventRules } from './event-rules';
import { HostOfflineRules } from './host-rules';
import { RestartCounter } from './restart-counter';
import { inScope } from './rule-scope';
import { averageBlocks, SustainedCondition } from './sustained';
import { type AlertSink, type FireRequest, type FiringAlert, firingKeyOf, targetKeyOf } from './types';
import { UsageRules, usagePercents } from './usage-rules';

/** An in-memory sink with the store's dedupe semantics, recording every decision. */
class FakeSink implements AlertSink {
  readonly fired: FireRequest[] = [];
  readonly occurrences: FireRequest[] = [];
  readonly resolved: { ruleId: string; targetKey: string; reason: string }[] = [];
  private readonly live = new Map<string, FiringAlert>();

  fire(request: FireRequest): void {
    const targetKey = targetKeyOf(request.target);
    const key = firingKeyOf(request.rule.id, targetKey);
    const existing = this.live.get(key);
    if (existing) {
      existing.lastSeenAt = request.at;
      this.occurrences.push(request);
      return;
    }
    this.fired.push(request);
    this.live.set(key, {
      ruleId: request.rule.id,
      kind: request.rule.condition.kind,
      targetKey,
      target: request.target,
      firedAt: request.at,
      lastSeenAt: request.at,
    });
  }
  resolve(ruleId: string, targetKey: string, _at: Date, reason: string): void {
    if (this.live.delete(firingKeyOf(ruleId, targetKey))) this.resolved.push({ ruleId, targetKey, reason });
  }
  firing(): readonly FiringAlert[] {
    return [...this.live.values()];
  }
  isFiring(ruleId: string, targetKey: string): boolean {
    return this.live.has(firingKeyOf(ruleId, targetKey));
  }
}

const rule = (id: string, condition: AlertCondition, scope: Partial<AlertRule> = {}): AlertRule => ({
  id,
  name: id,
  enabled: true,
  condition,
  hostIds: [],
  labels: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...scope,
});

const T0 = Date.UTC(2026, 0, 1, 12);
let seq = 0;
const event = (
  action: string,
  atMs: number,
  over: { hostId?: string; id?: string; attributes?: Record<string, string> } = {},
): FleetEvent => ({
  id: `e${++seq}`,
  hostId: over.hostId ?? 'h1',
  hostName: 'box',
  at: new Date(atMs).toISOString(),
  timeNano: (BigInt(atMs) * 1_000_000n + BigInt(seq)).toString(),
  type: 'container',
  action,
  actorId: over.id ?? 'c1',
  actorName: 'web',
  attributes: { name: 'web', image: 'busybox', ...over.attributes },
});

test('scope: hosts (none = all) and every label selector, key or key=value', () => {
  const scoped = { hostIds: ['h1', 'h2'], labels: ['tier=web', 'team'] };
  assert.equal(inScope(scoped, 'h1', { tier: 'web', team: 'a' }), true);
  assert.equal(inScope(scoped, 'h3', { tier: 'web', team: 'a' }), false);
  assert.equal(inScope(scoped, 'h2', { tier: 'db', team: 'a' }), false);
  assert.equal(inScope(scoped, 'h2', { tier: 'web' }), false);
  assert.equal(inScope({ hostIds: [], labels: [] }, 'any', {}), true);
  assert.equal(inScope(scoped, 'h1', null), true, 'host targets ignore the label selectors');
  assert.equal(inScope({ hostIds: [], labels: ['a=b=c'] }, 'h', { a: 'b=c' }), true);
});

test('OOM: fires once per container, repeats are occurrences, resolves after the quiet period', () => {
  const sink = new FakeSink();
  const rules = [rule('oom', { kind: 'oom', clearAfterMinutes: 10 })];
  const evaluator = new EventRules(sink, () => rules);
  evaluator.accept(event('oom', T0));
  evaluator.accept(event('die', T0 + 1));
  evaluator.accept(event('oom', T0 + 60_000));
  evaluator.accept(event('oom', T0 + 61_000, { id: 'c2' }));
  assert.equal(sink.fired.length, 2);
  assert.equal(sink.occurrences.length, 1, 'the second OOM of c1 is deduplicated');
  evaluator.tick(T0 + 60_000 + 9 * 60_000);
  assert.equal(sink.resolved.length, 0, 'not yet 10 minutes since the last OOM');
  evaluator.tick(T0 + 60_000 + 10 * 60_000);
  assert.deepEqual(
    sink.resolved.map((r) => [r.targetKey, r.reason]),
    [['h1/c1', 'no OOM kill for 10 min']],
  );
  evaluator.accept(event('oom', T0 + 20 * 60_000));
  assert.equal(sink.fired.length, 3, 'after resolving, a new OOM fires a new alert');
});

test('OOM rules respect the label scope and disabled rules fire nothing', () => {
  const sink = new FakeSink();
  const rules = [
    rule('web-only', { kind: 'oom', clearAfterMinutes: 5 }, { labels: ['tier=web'] }),
    rule('off', { kind: 'oom', clearAfterMinutes: 5 }, { enabled: false }),
  ];
  const evaluator = new EventRules(sink, () => rules);
  evaluator.accept(event('oom', T0, { attributes: { tier: 'db' } }));
  assert.equal(sink.fired.length, 0);
  evaluator.accept(event('oom', T0 + 1, { id: 'c9', attributes: { tier: 'web' } }));
  assert.deepEqual(
    sink.fired.map((f) => f.rule.id),
    ['web-only'],
  );
});

test('restart counter: start after die and docker restart count once each', () => {
  const counter = new RestartCounter();
  let t = 1_000n;
  const feed = (action: string) => {
    t += 1_000_000n;
    return counter.observe('h/c', action, t);
  };
  assert.equal(feed('start'), false, 'the first start is no restart');
  assert.equal(feed('die'), false);
  assert.equal(feed('start'), true, 'the restart policy brought it back');
  feed('kill');
  feed('die');
  feed('stop');
  assert.equal(feed('start'), true);
  assert.equal(feed('restart'), false, '`docker restart` sends restart after the counted start');
  assert.equal(feed('restart'), true, 'a restart event on its own counts');
  assert.equal(counter.count('h/c', 0), 3);
  assert.equal(counter.observe('h/c', 'die', 5n), false, 'an older (replayed) event is ignored');
});

test('restart loop: n restarts in m minutes fire; the alert resolves when the window calms', () => {
  const sink = new FakeSink();
  const rules = [rule('loop', { kind: 'restart-loop', restarts: 3, windowMinutes: 5 })];
  const evaluator = new EventRules(sink, () => rules);
  let t = T0;
  evaluator.accept(event('start', t));
  for (let i = 0; i < 3; i++) {
    t += 30_000;
    evaluator.accept(event('die', t));
    t += 1_000;
    evaluator.accept(event('start', t));
  }
  assert.equal(sink.fired.length, 1);
  assert.match(sink.fired[0]?.summary ?? '', /restarted 3 times in 5 min/);
  evaluator.tick(t + 60_000);
  assert.equal(sink.resolved.length, 0, 'still 3 restarts in the last 5 minutes');
  evaluator.tick(T0 + 31_000 + 5 * 60_000 + 1);
  assert.equal(sink.resolved.length, 1, 'the oldest restart left the window');
});

test('a shortened minute (tests against real containers) scales the windows, not the counts', () => {
  const sink = new FakeSink();
  const rules = [rule('loop', { kind: 'restart-loop', restarts: 3, windowMinutes: 5 })];
  const evaluator = new EventRules(sink, () => rules, 1_000);
  let t = T0;
  evaluator.accept(event('start', t));
  for (let i = 0; i < 3; i++) {
    t += 3_000; // restarts 3 s apart: never three within five 1-second "minutes"
    evaluator.accept(event('die', t));
    evaluator.accept(event('start', t));
  }
  assert.equal(sink.fired.length, 0, 'the first restart left the 5 s window before the third');
  for (let i = 0; i < 2; i++) {
    t += 500;
    evaluator.accept(event('die', t));
    evaluator.accept(event('start', t));
  }
  assert.equal(sink.fired.length, 1, '3 restarts within 5 s');
  evaluator.tick(t + 5_000);
  assert.deepEqual(
    sink.resolved.map((r) => r.reason),
    ['fewer than 3 restarts in the last 5 min'],
  );
  assert.equal(EventRules.replayWindowMs(rules, 1_000), 5_000);
  assert.equal(EventRules.replayWindowMs(rules), 5 * 60_000);
});

test('unhealthy: fires on health_status: unhealthy, resolves on healthy, on stop and on removal', () => {
  const sink = new FakeSink();
  const rules = [rule('health', { kind: 'unhealthy' })];
  const evaluator = new EventRules(sink, () => rules);
  evaluator.accept(event('health_status: unhealthy', T0));
  evaluator.accept(event('health_status: healthy', T0 + 1_000));
  evaluator.accept(event('health_status: unhealthy', T0 + 2_000));
  evaluator.accept(event('die', T0 + 3_000));
  evaluator.accept(event('health_status: unhealthy', T0 + 4_000));
  evaluator.accept(event('destroy', T0 + 5_000));
  assert.equal(sink.fired.length, 3);
  assert.deepEqual(
    sink.resolved.map((r) => r.reason),
    ['the healthcheck passes again', 'the container stopped', 'the container was removed'],
  );
});

test('host offline: fires after the grace period, connecting neither fires nor resolves', () => {
  const sink = new FakeSink();
  const rules = [rule('offline', { kind: 'host-offline', forSeconds: 30 }, { hostIds: ['h1'] })];
  const hosts = new HostOfflineRules(sink, () => rules);
  const state = (s: 'online' | 'offline' | 'connecting' | 'degraded') => [
    { hostId: 'h1', hostName: 'one', state: s },
    { hostId: 'h2', hostName: 'two', state: 'offline' as const },
  ];
  hosts.tick(T0, state('offline'));
  hosts.tick(T0 + 29_000, state('offline'));
  assert.equal(sink.fired.length, 0);
  hosts.tick(T0 + 30_000, state('offline'));
  hosts.tick(T0 + 35_000, state('offline'));
  assert.deepEqual(
    sink.fired.map((f) => f.target.hostId),
    ['h1'],
    'h2 is out of scope; h1 fires once',
  );
  hosts.tick(T0 + 40_000, state('connecting'));
  assert.equal(sink.resolved.length, 0);
  hosts.tick(T0 + 45_000, state('online'));
  assert.equal(sink.resolved.length, 1);
  hosts.tick(T0 + 50_000, state('offline'));
  hosts.tick(T0 + 60_000, []);
  assert.equal(sink.fired.length, 1, 'a host offline for 10 s does not fire');
});

test('sustained condition: a value at or below the threshold or a gap restarts the run', () => {
  const condition = new SustainedCondition(80, 20_000);
  condition.observe(0, 90);
  condition.observe(15_000, 95);
  assert.equal(condition.heldMs(), 15_000);
  condition.observe(30_000, 80);
  assert.equal(condition.heldMs(), 0);
  assert.equal(condition.above(), false);
  condition.observe(45_000, 85);
  condition.observe(100_000, 85);
  assert.equal(condition.heldMs(), 0, 'a gap of 55 s starts afresh');
  condition.observe(100_000, 10);
  assert.equal(condition.above(), true, 'an observation already seen is ignored');
});

test('averageBlocks: clock-aligned means, nulls left out', () => {
  assert.deepEqual(averageBlocks([0, 1, 2, 15, 16, 31], [10, 20, null, 40, 60, 5], 15), [
    { atMs: 1_000, mean: 15 },
    { atMs: 16_000, mean: 50 },
    { atMs: 31_000, mean: 5 },
  ]);
});

test('usage percents: memory against the limit (none: not measurable), throttled share of 100 ms periods', () => {
  const history = {
    timestamps: [1, 2, 3],
    series: {
      memoryWorkingSet: { avg: [50, 90, 10] },
      memoryLimit: { avg: [100, 100, 0] },
      cpuThrottledPeriods: { avg: [5, 10, null] },
    },
  } as unknown as Parameters<typeof usagePercents>[0];
  assert.deepEqual(usagePercents(history), { memory: [50, 90, null], throttled: [50, 100, null] });
});

test('usage percents: the throttled share uses the periods the agent recorded (a 10 ms period: 100 a second)', () => {
  const history = {
    timestamps: [1, 2, 3, 4],
    series: {
      memoryWorkingSet: { avg: [0, 0, 0, 0] },
      memoryLimit: { avg: [0, 0, 0, 0] },
      cpuThrottledPeriods: { avg: [5, 50, 100, 5] },
      // The last sample predates recorded periods: the 100 ms default stands in.
      cpuPeriods: { avg: [100, 100, 100, 0] },
    },
  } as unknown as Parameters<typeof usagePercents>[0];
  assert.deepEqual(usagePercents(history).throttled, [5, 50, 100, 50]);
});

test('throttling rule: 5 throttled periods of 100 a second stay under a 20 % threshold (they were 50 % under the 100 ms guess)', () => {
  const sink = new FakeSink();
  const rules = [rule('thr', { kind: 'cpu-throttling', thresholdPercent: 20, forMinutes: 1 })];
  const usage = new UsageRules(sink, () => rules, 15);
  const target = { hostId: 'h1', hostName: 'box', containerId: 'c1', containerName: 'web' };
  const feed = (fromSecond: number, seconds: number, throttled: number, periods: number) => {
    const timestamps = Array.from({ length: seconds }, (_, i) => fromSecond + i);
    usage.observe(target, {}, {
      timestamps,
      series: {
        memoryWorkingSet: { avg: timestamps.map(() => 0) },
        memoryLimit: { avg: timestamps.map(() => 0) },
        cpuThrottledPeriods: { avg: timestamps.map(() => throttled) },
        cpuPeriods: { avg: timestamps.map(() => periods) },
      },
    } as unknown as Parameters<UsageRules['observe']>[2]);
  };
  feed(1_700_000_000, 180, 5, 100);
  assert.equal(sink.fired.length, 0, '5 % of the periods is not sustained throttling');
  feed(1_700_000_180, 180, 50, 100);
  assert.equal(sink.fired.length, 1, '50 % of the periods is');
  assert.match(sink.fired[0]?.summary ?? '', /throttled in 50 % of CPU periods/);
});

test('memory rule: fires after y minutes above x %, once; resolves when it drops', () => {
  const sink = new FakeSink();
  const rules = [rule('mem', { kind: 'memory-high', thresholdPercent: 80, forMinutes: 1 })];
  const usage = new UsageRules(sink, () => rules, 15);
  const target = { hostId: 'h1', hostName: 'box', containerId: 'c1', containerName: 'web' };
  const feed = (fromSecond: number, seconds: number, percent: number) => {
    const timestamps = Array.from({ length: seconds }, (_, i) => fromSecond + i);
    usage.observe(target, {}, {
      timestamps,
      series: {
        memoryWorkingSet: { avg: timestamps.map(() => percent) },
        memoryLimit: { avg: timestamps.map(() => 100) },
      },
    } as unknown as Parameters<UsageRules['observe']>[2]);
  };
  feed(0, 45, 90);
  assert.equal(sink.fired.length, 0, '45 s is not a minute');
  feed(45, 15, 91);
  assert.equal(sink.fired.length, 1);
  assert.match(sink.fired[0]?.summary ?? '', /uses 91 % of its memory limit/);
  feed(60, 30, 95);
  assert.equal(sink.fired.length, 1, 'still the same alert');
  feed(90, 15, 40);
  assert.deepEqual(
    sink.resolved.map((r) => r.reason),
    ['memory back at 40.0 %'],
  );
  feed(105, 60, 95);
  usage.forget('h1/c1', new Date(), 'the container is not running');
  assert.equal(sink.resolved.length, 2);
});
