import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AlertCondition, AlertRule, HostSummary } from '@stevedore/shared';
import pino from 'pino';
import { type AlertSink, type FireRequest, type FiringAlert, firingKeyOf, targetKeyOf } from './types';
import { UsageRules } from './usage-rules';
import { UsageSampler } from './usage-sampler';

class RecordingSink implements AlertSink {
  readonly fired: FireRequest[] = [];
  readonly resolved: string[] = [];
  private readonly live = new Map<string, FiringAlert>();
  fire(request: FireRequest): void {
    const targetKey = targetKeyOf(request.target);
    this.fired.push(request);
    this.live.set(firingKeyOf(request.rule.id, targetKey), {
      ruleId: request.rule.id,
      kind: request.rule.condition.kind,
      targetKey,
      target: request.target,
      firedAt: request.at,
      lastSeenAt: request.at,
    });
  }
  resolve(ruleId: string, targetKey: string, _at: Date, reason: string): void {
    if (this.live.delete(firingKeyOf(ruleId, targetKey))) this.resolved.push(reason);
  }
  firing(): readonly FiringAlert[] {
    return [...this.live.values()];
  }
  isFiring(ruleId: string, targetKey: string): boolean {
    return this.live.has(firingKeyOf(ruleId, targetKey));
  }
}

const rule = (condition: AlertCondition, labels: string[] = []): AlertRule => ({
  id: 'r1',
  name: 'r1',
  enabled: true,
  condition,
  hostIds: [],
  labels,
  createdAt: '',
  updatedAt: '',
});

const HOST = { id: 'h1', name: 'box' } as HostSummary;

/**
 * A hub whose agent runs the given containers and records 1 s usage where memory is `percent(t)`
 * of a 100-byte limit; every history query is kept to check what was asked.
 */
function fakeHub(percent: (second: number) => number) {
  const queries: { container: string; since: number; until: number }[] = [];
  let running = [{ Id: 'c1', Names: ['/web'], Labels: { tier: 'web' } }];
  const client = {
    containers: { list: { query: async () => running } },
    usage: {
      history: {
        query: async (input: { container: string; since: number; until: number }) => {
          queries.push(input);
          const timestamps: number[] = [];
          for (let t = input.since; t <= input.until; t++) timestamps.push(t);
          return {
            timestamps,
            series: {
              memoryWorkingSet: { avg: timestamps.map(percent) },
              memoryLimit: { avg: timestamps.map(() => 100) },
              cpuThrottledPeriods: { avg: timestamps.map(() => 0) },
            },
          };
        },
      },
    },
  };
  return {
    queries,
    stop: () => {
      running = [];
    },
    hub: {
      status: () => ({ hostId: 'h1', state: 'online' as const, lastError: null, lastSeen: null }),
      call: async <T>(_hostId: string, fn: (c: never) => Promise<T>) => fn(client as never),
    },
  };
}

test('the sampler reads whole blocks once, reaching back over the window on the first read; a stopped container resolves', async () => {
  const sink = new RecordingSink();
  const rules = [rule({ kind: 'memory-high', thresholdPercent: 80, forMinutes: 1 }, ['tier=web'])];
  const usage = new UsageRules(sink, () => rules, 10);
  const agent = fakeHub(() => 90);
  const sampler = new UsageSampler(
    agent.hub,
    { list: async () => [HOST] },
    () => rules,
    usage,
    pino({ level: 'silent' }),
    10,
  );
  const now = 1_800_000_005_000; // 5 s into a 10 s block
  await sampler.poll(now);
  assert.deepEqual(agent.queries[0], {
    container: 'c1',
    since: 1_800_000_000 - 60 - 10,
    until: 1_800_000_000 - 1,
    maxPoints: 20_000,
    stats: [],
  });
  assert.equal(sink.fired.length, 1, 'a minute above 80 % was already in the history');
  assert.match(sink.fired[0]?.summary ?? '', /web uses 90 % of its memory limit/);

  await sampler.poll(now + 3_000);
  assert.equal(agent.queries.length, 1, 'no complete block since the last read');
  await sampler.poll(now + 10_000);
  assert.deepEqual(
    [agent.queries[1]?.since, agent.queries[1]?.until],
    [1_800_000_000, 1_800_000_009],
    'the next read starts where the last one stopped',
  );
  assert.equal(sink.fired.length, 1, 'still firing: not fired again');

  agent.stop();
  await sampler.poll(now + 20_000);
  assert.deepEqual(sink.resolved, ['the container is not running']);
});

test('containers outside every rule scope are not read', async () => {
  const sink = new RecordingSink();
  const rules = [rule({ kind: 'cpu-throttling', thresholdPercent: 50, forMinutes: 5 }, ['tier=db'])];
  const agent = fakeHub(() => 0);
  const sampler = new UsageSampler(
    agent.hub,
    { list: async () => [HOST] },
    () => rules,
    new UsageRules(sink, () => rules, 10),
    pino({ level: 'silent' }),
    10,
  );
  await sampler.poll(1_800_000_005_000);
  assert.equal(agent.queries.length, 0);
});
